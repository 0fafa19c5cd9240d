#include "storefront/photo_codec.h"

#include <vips/vips.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace chophien::storefront {
namespace {

Error photo_error(ErrorCode code, std::string_view message) {
  return Error{code, std::string(message), "photo"};
}

constexpr std::string_view kBroken = kPhotoBrokenMessage;

// libvips starts once per process. Only the three loaders we sniff for are ever called, and the
// loaders libvips marks untrusted are blocked as well. The operation cache is off: uploads are
// never repeated, and cached results would only hold memory.
void start_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("chophien") != 0) throw std::logic_error("libvips failed to start");
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    vips_concurrency_set(1);  // the server's threads already share the machine's cores
  });
}

struct Unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

// libvips keeps its last error per thread; drop it so it does not grow or leak into the next call.
void clear_vips_error() { vips_error_clear(); }

// The loader's options: refuse a truncated or corrupt file instead of showing a grey band.
Image load_header(std::string_view bytes, const std::string& content_type) {
  VipsImage* out = nullptr;
  const void* data = bytes.data();
  const size_t size = bytes.size();
  int rc = -1;
  if (content_type == "image/jpeg") {
    rc = vips_jpegload_buffer(const_cast<void*>(data), size, &out, "fail_on",
                              VIPS_FAIL_ON_TRUNCATED, nullptr);
  } else if (content_type == "image/png") {
    rc = vips_pngload_buffer(const_cast<void*>(data), size, &out, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                             nullptr);
  } else if (content_type == "image/webp") {
    rc = vips_webpload_buffer(const_cast<void*>(data), size, &out, "fail_on",
                              VIPS_FAIL_ON_TRUNCATED, nullptr);
  }
  if (rc != 0) {
    clear_vips_error();
    if (out != nullptr) g_object_unref(out);
    return nullptr;
  }
  return Image(out);
}

// `bytes` shrunk (never enlarged) to fit `width` x 4*`width`, upright, decoded in full into
// memory (so a broken file fails here), in sRGB.
Image thumbnail(std::string_view bytes, int width) {
  VipsImage* out = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &out, width, "height",
                            width * 4, "size", VIPS_SIZE_DOWN, "option_string", "fail_on=truncated",
                            nullptr) != 0) {
    clear_vips_error();
    return nullptr;
  }
  Image shrunk(out);
  VipsImage* memory = vips_image_copy_memory(shrunk.get());
  if (memory == nullptr) {
    clear_vips_error();
    return nullptr;
  }
  return Image(memory);
}

Image resize_to(VipsImage* image, int width) {
  VipsImage* out = nullptr;
  if (vips_thumbnail_image(image, &out, width, "height", width * 4, "size", VIPS_SIZE_DOWN,
                           nullptr) != 0) {
    clear_vips_error();
    return nullptr;
  }
  return Image(out);
}

// The picture alone, without a single metadata field: EXIF (with the exif-ifd* fields libvips
// derives from it and writes back into the EXIF block at save), XMP, IPTC, PNG text chunks,
// comments, the ICC profile, whatever a loader attached. A phone photo's EXIF and XMP carry the
// place it was taken. The savers' `strip` is not relied on: Debian 12's libvips 8.14 writes the
// whole EXIF block into WebP with strip set. A picture with an ICC profile is first turned into
// sRGB with it, so it needs none (browsers take untagged pictures as sRGB).
Image without_metadata(VipsImage* image) {
  Image converted;
  if (vips_image_get_typeof(image, VIPS_META_ICC_NAME) != 0) {
    VipsImage* srgb = nullptr;
    if (vips_icc_transform(image, &srgb, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL,
                           nullptr) == 0) {
      converted.reset(srgb);
      image = converted.get();
    } else {
      clear_vips_error();  // a broken profile: the pixels as they are, without it
    }
  }
  VipsImage* copy = nullptr;
  if (vips_copy(image, &copy, nullptr) != 0) {
    clear_vips_error();
    return nullptr;
  }
  Image out(copy);
  gchar** fields = vips_image_get_fields(out.get());
  // The built-in fields (width, bands, ...) are not metadata; vips_image_remove leaves them.
  for (gchar** field = fields; field != nullptr && *field != nullptr; ++field) {
    vips_image_remove(out.get(), *field);
  }
  g_strfreev(fields);
  return out;
}

uint32_t le32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

void put_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Debian 12's libvips 8.14 puts an EXIF chunk into every WebP it writes, `strip` or not and with
// no metadata left on the image (it makes one up from the resolution). So the container is
// rewritten with the picture's own chunks only (VP8, VP8L, VP8X, ALPH), and the VP8X flags for
// ICC, EXIF and XMP cleared. nullopt when `webp` is not a well-formed WebP container.
std::optional<std::string> webp_picture_only(std::string_view webp) {
  if (webp.size() < 12 || webp.substr(0, 4) != "RIFF" || webp.substr(8, 4) != "WEBP")
    return std::nullopt;
  if (le32(webp, 4) != webp.size() - 8) return std::nullopt;
  std::string chunks;
  for (size_t at = 12; at < webp.size();) {
    if (webp.size() - at < 8) return std::nullopt;
    const std::string_view fourcc = webp.substr(at, 4);
    const size_t size = le32(webp, at + 4);
    const size_t padded = size + (size & 1);
    if (padded > webp.size() - at - 8) return std::nullopt;
    if (fourcc == "VP8 " || fourcc == "VP8L" || fourcc == "VP8X" || fourcc == "ALPH") {
      std::string chunk(webp.substr(at, 8 + padded));
      if (fourcc == "VP8X") {
        if (size < 1) return std::nullopt;
        constexpr unsigned char kIcc = 0x20, kExif = 0x08, kXmp = 0x04;
        chunk[8] = static_cast<char>(static_cast<unsigned char>(chunk[8]) & ~(kIcc | kExif | kXmp));
      }
      chunks += chunk;
    }
    at += 8 + padded;
  }
  std::string out = "RIFF";
  put_le32(out, static_cast<uint32_t>(4 + chunks.size()));
  out += "WEBP";
  out += chunks;
  return out;
}

Result<std::string> save(VipsImage* original, bool jpeg) {
  Image bare = without_metadata(original);
  if (!bare) return photo_error(ErrorCode::invalid_input, kBroken);
  VipsImage* image = bare.get();
  void* buffer = nullptr;
  size_t size = 0;
  int rc = 0;
  if (jpeg) {
    // JPEG has no transparency: put the picture on white rather than libvips' default black.
    Image flat;
    if (vips_image_hasalpha(image)) {
      VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
      VipsImage* out = nullptr;
      rc = vips_flatten(image, &out, "background", white, nullptr);
      vips_area_unref(VIPS_AREA(white));
      if (rc != 0) {
        clear_vips_error();
        return photo_error(ErrorCode::invalid_input, kBroken);
      }
      flat.reset(out);
      image = flat.get();
    }
    rc = vips_jpegsave_buffer(image, &buffer, &size, "Q", kJpegQuality, "strip", TRUE,
                              "optimize_coding", TRUE, "interlace", TRUE, nullptr);
  } else {
    rc = vips_webpsave_buffer(image, &buffer, &size, "Q", kWebpQuality, "strip", TRUE, nullptr);
  }
  if (rc != 0) {
    clear_vips_error();
    return photo_error(ErrorCode::invalid_input, kBroken);
  }
  std::string bytes(static_cast<const char*>(buffer), size);
  g_free(buffer);
  if (jpeg) return bytes;
  auto picture = webp_picture_only(bytes);
  if (!picture) return photo_error(ErrorCode::invalid_input, kBroken);
  return std::move(*picture);
}

Result<core::PhotoVariant> variant(VipsImage* image, bool jpeg) {
  auto bytes = save(image, jpeg);
  if (!bytes) return bytes.error();
  return core::PhotoVariant{vips_image_get_width(image), vips_image_get_height(image),
                            jpeg ? "jpg" : "webp", std::move(*bytes)};
}

}  // namespace

Result<PreparedPhoto> decode_photo(std::string_view bytes) {
  if (auto refused = check_photo_bytes(bytes); !refused) return refused.error();
  const std::string content_type = sniff_photo_type(bytes);
  start_vips();

  Image header = load_header(bytes, content_type);
  if (!header) return photo_error(ErrorCode::invalid_input, kBroken);
  const int64_t w = vips_image_get_width(header.get());
  const int64_t h = vips_image_get_height(header.get());
  if (w > kMaxPhotoSide || h > kMaxPhotoSide || w * h > kMaxPhotoPixels) {
    return photo_error(ErrorCode::invalid_input,
                       "Ảnh quá nhiều điểm ảnh (tối đa 50 triệu, mỗi cạnh tối đa 20.000). / The "
                       "image has too many pixels (at most 50 million, 20,000 per side).");
  }

  // EXIF orientations 5 to 8 turn the picture a quarter: the sides swap.
  int orientation = 1;
  if (vips_image_get_typeof(header.get(), VIPS_META_ORIENTATION) != 0 &&
      vips_image_get_int(header.get(), VIPS_META_ORIENTATION, &orientation) != 0) {
    clear_vips_error();
    orientation = 1;
  }
  header.reset();
  const bool swapped = orientation >= 5 && orientation <= 8;
  PreparedPhoto out;
  out.content_type = content_type;
  out.width = static_cast<int>(swapped ? h : w);
  out.height = static_cast<int>(swapped ? w : h);

  Image largest = thumbnail(bytes, kLargestPhotoWidth);
  if (!largest) return photo_error(ErrorCode::invalid_input, kBroken);
  const int copy_width = vips_image_get_width(largest.get());
  for (int width : kPhotoWidths) {
    if (width >= copy_width) break;
    Image smaller = resize_to(largest.get(), width);
    if (!smaller) return photo_error(ErrorCode::invalid_input, kBroken);
    auto v = variant(smaller.get(), false);
    if (!v) return v.error();
    out.variants.push_back(std::move(*v));
  }
  auto webp = variant(largest.get(), false);
  if (!webp) return webp.error();
  out.variants.push_back(std::move(*webp));
  auto jpeg = variant(largest.get(), true);
  if (!jpeg) return jpeg.error();
  out.variants.push_back(std::move(*jpeg));
  return out;
}

}  // namespace chophien::storefront
