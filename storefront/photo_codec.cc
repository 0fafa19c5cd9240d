#include "storefront/photo_codec.h"

#include <vips/vips.h>

#include <memory>
#include <mutex>
#include <stdexcept>
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
