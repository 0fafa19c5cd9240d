#include "storefront/photos.h"

#include <vips/vips.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

namespace chophien::storefront {
namespace {

constexpr std::string_view kNotImage =
    "Tệp không phải ảnh JPEG, PNG hay WebP. / The file is not a JPEG, PNG or WebP image.";
constexpr std::string_view kBroken =
    "Ảnh bị hỏng hoặc tải lên chưa hết, vui lòng chọn lại ảnh. / The image is damaged or cut "
    "short.";

Error photo_error(ErrorCode code, std::string_view message) {
  return Error{code, std::string(message), "photo"};
}

enum class Kind { jpeg, png, webp };

std::optional<Kind> sniff(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return Kind::jpeg;
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n") return Kind::png;
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return Kind::webp;
  return std::nullopt;
}

const char* content_type_of(Kind kind) {
  switch (kind) {
    case Kind::jpeg:
      return "image/jpeg";
    case Kind::png:
      return "image/png";
    case Kind::webp:
      return "image/webp";
  }
  return "";
}

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
Image load_header(std::string_view bytes, Kind kind) {
  VipsImage* out = nullptr;
  const void* data = bytes.data();
  const size_t size = bytes.size();
  int rc = -1;
  switch (kind) {
    case Kind::jpeg:
      rc = vips_jpegload_buffer(const_cast<void*>(data), size, &out, "fail_on",
                                VIPS_FAIL_ON_TRUNCATED, nullptr);
      break;
    case Kind::png:
      rc = vips_pngload_buffer(const_cast<void*>(data), size, &out, "fail_on",
                               VIPS_FAIL_ON_TRUNCATED, nullptr);
      break;
    case Kind::webp:
      rc = vips_webpload_buffer(const_cast<void*>(data), size, &out, "fail_on",
                                VIPS_FAIL_ON_TRUNCATED, nullptr);
      break;
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

Result<std::string> save(VipsImage* image, bool jpeg) {
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
  return bytes;
}

Result<core::PhotoVariant> variant(VipsImage* image, bool jpeg) {
  auto bytes = save(image, jpeg);
  if (!bytes) return bytes.error();
  return core::PhotoVariant{vips_image_get_width(image), vips_image_get_height(image),
                            jpeg ? "jpg" : "webp", std::move(*bytes)};
}

// The product when it belongs to `producer_id`.
Result<core::Product> owned_product(core::ProductStore& store, int64_t producer_id,
                                    int64_t product_id) {
  auto product = store.find(product_id);
  if (!product) return product.error();
  if (product->producer_id != producer_id) return not_found("no such product");
  return product;
}

std::string variant_url(const core::Photo& photo, int width, const char* ext) {
  return "/anh/" + photo.sha256 + "-" + std::to_string(width) + "." + ext;
}

}  // namespace

Result<PreparedPhoto> prepare_photo(std::string_view bytes) {
  if (bytes.empty()) {
    return photo_error(ErrorCode::invalid_input, "Chưa chọn ảnh. / No photo was sent.");
  }
  if (bytes.size() > core::kMaxPhotoBytes) {
    return photo_error(ErrorCode::too_large,
                       "Ảnh lớn hơn 7 MB, vui lòng chọn ảnh nhỏ hơn. / The photo is larger than "
                       "7 MB.");
  }
  auto kind = sniff(bytes);
  if (!kind) return photo_error(ErrorCode::invalid_input, kNotImage);
  start_vips();

  Image header = load_header(bytes, *kind);
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
  out.content_type = content_type_of(*kind);
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

Result<core::Photo> store_photo(core::Database& db, const core::Clock& clock, int64_t producer_id,
                                int64_t product_id, std::string_view bytes) {
  core::ProductStore store(db, clock);
  // Check the product first so a stranger's upload costs no decoding.
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  // Decoding comes before any write: it is the slow part and needs no lock. A product never
  // changes producer, so the check above still holds for the write (one transaction in core).
  auto prepared = prepare_photo(bytes);
  if (!prepared) return prepared.error();
  return store.add_photo(product_id, bytes, prepared->content_type, prepared->width,
                         prepared->height, prepared->variants);
}

Result<std::vector<core::Photo>> product_photos(core::Database& db, const core::Clock& clock,
                                                int64_t producer_id, int64_t product_id) {
  core::ProductStore store(db, clock);
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  return store.photos(product_id);
}

Result<std::vector<core::Photo>> move_photo(core::Database& db, const core::Clock& clock,
                                            int64_t producer_id, int64_t product_id,
                                            int64_t photo_id, int position) {
  core::ProductStore store(db, clock);
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  return store.move_photo(product_id, photo_id, position);
}

Result<void> remove_photo(core::Database& db, const core::Clock& clock, int64_t producer_id,
                          int64_t product_id, int64_t photo_id) {
  core::ProductStore store(db, clock);
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  auto photo = store.find_photo(photo_id);
  if (!photo) return photo.error();
  if (photo->product_id != product_id) return not_found("no such photo");
  return store.remove_photo(photo_id);
}

std::string photo_src(const core::Photo& photo, int max_width) {
  if (photo.variant_widths.empty()) return "/anh/" + photo.sha256;
  int chosen = photo.variant_widths.front();
  for (int w : photo.variant_widths) {
    if (w <= max_width) chosen = w;
  }
  return variant_url(photo, chosen, "webp");
}

std::string photo_srcset(const core::Photo& photo) {
  std::string out;
  for (int w : photo.variant_widths) {
    if (!out.empty()) out += ", ";
    out += variant_url(photo, w, "webp") + " " + std::to_string(w) + "w";
  }
  return out;
}

std::string photo_preview_url(const core::Photo& photo) {
  if (photo.variant_widths.empty()) return "/anh/" + photo.sha256;
  return variant_url(photo, photo.variant_widths.back(), "jpg");
}

int photo_height_at(const core::Photo& photo, int width) {
  if (photo.width <= 0 || photo.height <= 0) return width * 3 / 4;
  return static_cast<int>(static_cast<int64_t>(photo.height) * width / photo.width);
}

}  // namespace chophien::storefront
