#pragma once
// Product photos as they arrive from a phone: checked by their content (JPEG, PNG or WebP by the
// first bytes, then really decoded with libvips in the helper program chophien-photos, see
// photo_codec.h), turned upright by their EXIF orientation,
// resized to the widths the pages use and stored once in the database (core/products.h: the
// original in photo_blobs, the copies in photo_variants, both keyed by the SHA-256 of the
// uploaded bytes). The copies are made at upload, so serving a photo never decodes anything.
//
// Copies: WebP (quality kWebpQuality) at each of kPhotoWidths narrower than the photo, and at the
// photo's own width when that is under the largest; one JPEG (quality kJpegQuality) at the
// largest width, for link previews (Open Graph). A copy is never wider than the photo and never
// taller than 4 times its width (a very tall picture is shrunk to fit). Transparent PNGs keep
// their transparency in WebP and sit on white in the JPEG.
//
// URLs: /anh/{sha256}-{width}.webp and /anh/{sha256}-{width}.jpg (routes_shop.cc serves them
// with an ETag and a year-long immutable Cache-Control; unknown ones are 404). /anh/{sha256}
// never serves the uploaded original: it answers 301 to the JPEG copy (only the demo's SVG tiles,
// which have no copies, are served as stored).
//
// Metadata: the copies carry none (photo_codec.cc removes every field before saving and rewrites
// the WebP container with the picture's chunks only): no EXIF, GPS, XMP, IPTC, text chunks or ICC
// profile (ICC pictures are converted to sRGB first), so no copy tells where the photo was taken.
//
// Errors are values with a Vietnamese message (English after " / ") and field "photo":
// invalid_input (not an image of an accepted kind, broken or cut short, too many pixels),
// too_large (more than core::kMaxPhotoBytes bytes), not_found (product or photo not the
// producer's). Nothing is stored on any error.
//
// Decoding runs in a separate process for each photo: the server itself never links libvips and
// its hundred libraries (the pages it maps cost the server about 15 MB of resident memory), and
// a decoder that crashes or hangs on a hostile file takes only that process with it. The helper
// is found as CHOPHIEN_PHOTO_HELPER, else chophien-photos next to the running program, else the
// one in the build tree (only for a program itself in the build tree: the tests). It gets its two
// pipes, no other descriptor, no environment and default signals. It answers on stdout in the
// format of encode_photo_answer.
//
// Thread-safety: every function may be called from any thread at once; each call uses the
// database connection it is given, one thread at a time per connection.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/products.h"
#include "core/result.h"

namespace chophien::storefront {

inline constexpr int kPhotoWidths[] = {160, 480, 960};
inline constexpr int kLargestPhotoWidth = 960;
inline constexpr int kWebpQuality = 75;
inline constexpr int kJpegQuality = 80;
// Decompression bombs: a picture declaring more pixels than this, or a side longer than
// kMaxPhotoSide, is refused from its header, before any pixel is decoded. 50 MP covers the
// phones' full-resolution modes.
inline constexpr int64_t kMaxPhotoPixels = 50'000'000;
inline constexpr int kMaxPhotoSide = 20'000;

inline constexpr std::string_view kPhotoNotImageMessage =
    "Tệp không phải ảnh JPEG, PNG hay WebP. / The file is not a JPEG, PNG or WebP image.";
inline constexpr std::string_view kPhotoBrokenMessage =
    "Ảnh bị hỏng hoặc tải lên chưa hết, vui lòng chọn lại ảnh. / The image is damaged or cut "
    "short.";

// The helper's exit status when it cannot start its decoder (libvips).
inline constexpr int kPhotoHelperCannotStart = 4;

// A decoded, checked photo and its copies, not yet stored.
struct PreparedPhoto {
  std::string content_type;  // image/jpeg, image/png or image/webp, from the content
  int width = 0;             // upright (after the EXIF orientation)
  int height = 0;
  std::vector<core::PhotoVariant> variants;
};

// Checks and decodes `bytes` and makes the copies, in the helper process. No storage. The content
// type the client claims is not asked for: the content decides. unavailable when the helper is
// missing, cannot be loaded or cannot start libvips; a helper that crashes, runs past 60 s or
// answers nonsense means a broken file (invalid_input). Failures of the helper are logged.
Result<PreparedPhoto> prepare_photo(std::string_view bytes);

// "image/jpeg", "image/png" or "image/webp" by the first bytes; "" for anything else.
std::string sniff_photo_type(std::string_view bytes);
// The checks made before any decoding: not empty, at most core::kMaxPhotoBytes, a known type.
Result<void> check_photo_bytes(std::string_view bytes);

// The helper's answer: one line of JSON ({"ok":true,"content_type","width","height","variants":
// [{"width","height","format","size"}]} or {"ok":false,"code","message"}), then the copies'
// bytes one after the other. decode_photo_answer refuses anything else (invalid_input) without
// trusting a size it reads.
std::string encode_photo_answer(const Result<PreparedPhoto>& answer);
Result<PreparedPhoto> decode_photo_answer(std::string_view answer);

// Adds `bytes` as the last photo of product `product_id`, which must belong to producer
// `producer_id` (not_found otherwise: ids of other producers' products reveal nothing). The same
// bytes uploaded again are stored once: to the same product they return the existing photo; to
// another product they are attached without decoding again. Decoding happens before the
// database is touched; the writes are one transaction (or part of the caller's, when it has one
// open: record the action log entry in it).
Result<core::Photo> store_photo(core::Database& db, const core::Clock& clock, int64_t producer_id,
                                int64_t product_id, std::string_view bytes);

// Copies made before copies were stripped of metadata (listed by migration 0026) re-made from
// the stored originals, one photo per transaction; run once by `chophien serve` at start, before
// it listens (a helper process per photo: about a second for every few photos). Until then those
// copies are never served. An original that no longer decodes loses its copies (`dropped`).
// unavailable when the helper is missing or cannot start: what is done stays done, the rest stays
// listed for the next start. Logs one line with the counts.
struct RemadeCopies {
  int remade = 0;
  int dropped = 0;
  int failed = 0;  // storage refused the new copies; still listed
};
Result<RemadeCopies> remake_listed_photo_copies(core::Database& db, const core::Clock& clock);

// The storing half of store_photo, for `prepared` = prepare_photo(bytes): a server decodes
// before it takes its writer lock (a hostile file may keep the helper busy for up to 60 s) and
// stores under it. Checks the product's producer again; errors as store_photo.
Result<core::Photo> store_prepared_photo(core::Database& db, const core::Clock& clock,
                                         int64_t producer_id, int64_t product_id,
                                         std::string_view bytes, const PreparedPhoto& prepared);

// The product's photos in display order (position 0 is the main photo); not_found as above.
Result<std::vector<core::Photo>> product_photos(core::Database& db, const core::Clock& clock,
                                                int64_t producer_id, int64_t product_id);

// Moves a photo of the product to `position` (0 = main photo); returns the new order.
Result<std::vector<core::Photo>> move_photo(core::Database& db, const core::Clock& clock,
                                            int64_t producer_id, int64_t product_id,
                                            int64_t photo_id, int position);

// Detaches a photo from the product (the bytes go when no product uses them any more).
Result<void> remove_photo(core::Database& db, const core::Clock& clock, int64_t producer_id,
                          int64_t product_id, int64_t photo_id);

// For pages. The URL of the WebP copy at the widest stored width <= `max_width` (the narrowest
// copy when all are wider); the original (/anh/{sha256}) for a photo without copies.
std::string photo_src(const core::Photo& photo, int max_width);
// "url 160w, url 480w, url 960w" over the WebP copies; empty without copies.
std::string photo_srcset(const core::Photo& photo);
// The JPEG copy for link previews, or the original without copies. A path: prefix the base URL.
std::string photo_preview_url(const core::Photo& photo);
// The displayed height of the photo at `width` pixels wide (for the img height attribute).
int photo_height_at(const core::Photo& photo, int width);

}  // namespace chophien::storefront
