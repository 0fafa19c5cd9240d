#include "qr/image.h"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace chophien::qr {
namespace {

struct QrcodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrcodePtr = std::unique_ptr<QRcode, QrcodeDeleter>;

QRecLevel to_level(Ecc ecc) {
  switch (ecc) {
    case Ecc::L:
      return QR_ECLEVEL_L;
    case Ecc::M:
      return QR_ECLEVEL_M;
    case Ecc::Q:
      return QR_ECLEVEL_Q;
    case Ecc::H:
      return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

// A square module matrix; dark(x, y) with x, y in [0, size) including the quiet zone.
class Modules {
 public:
  Modules(QrcodePtr code, int margin) : code_(std::move(code)), margin_(margin) {}
  int size() const { return code_->width + 2 * margin_; }
  bool dark(int x, int y) const {
    const int w = code_->width;
    x -= margin_;
    y -= margin_;
    if (x < 0 || y < 0 || x >= w || y >= w) return false;
    return (code_->data[static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)] &
            1) != 0;
  }

 private:
  QrcodePtr code_;
  int margin_;
};

struct Encoded {
  std::optional<Modules> modules;
  std::optional<ImageError> error;
};

Encoded encode_modules(std::string_view text, const ImageOptions& options) {
  if (options.scale < 1 || options.scale > kMaxScale) {
    return {std::nullopt,
            ImageError{"scale must be 1.." + std::to_string(kMaxScale) + " pixels per module"}};
  }
  if (options.margin < 0 || options.margin > kMaxMargin) {
    return {std::nullopt,
            ImageError{"margin must be 0.." + std::to_string(kMaxMargin) + " modules"}};
  }
  if (text.empty()) return {std::nullopt, ImageError{"nothing to encode: the text is empty"}};
  errno = 0;
  QRcode* raw = nullptr;
  if (text.find('\0') == std::string_view::npos) {
    // Mixed numeric/alphanumeric/8-bit segments, case-sensitive: a typical VietQR payload (mostly
    // digits and capitals) fits version 5 at ECC M, against version 8 in pure 8-bit mode.
    const std::string terminated(text);
    raw = QRcode_encodeString(terminated.c_str(), 0, to_level(options.ecc), QR_MODE_8, 1);
  } else {
    raw = QRcode_encodeData(static_cast<int>(text.size()),
                            reinterpret_cast<const unsigned char*>(text.data()), 0,
                            to_level(options.ecc));
  }
  if (raw == nullptr) {
    if (errno == ERANGE) {
      return {std::nullopt, ImageError{"text too long for a QR code at this error correction "
                                       "level (" +
                                       std::to_string(text.size()) + " bytes)"}};
    }
    return {std::nullopt, ImageError{std::string("QR encoding failed: ") + std::strerror(errno)}};
  }
  return {Modules(QrcodePtr(raw), options.margin), std::nullopt};
}

// --- PNG -------------------------------------------------------------------------------------

void append_to_string(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void flush_nothing(png_structp) {}

// Everything libpng may longjmp out of lives here, with trivially destructible locals only; the
// C++ objects (rows, output) belong to the caller. Returns false when libpng reported an error.
bool write_png(png_structp png, png_infop info, std::string* out, const uint8_t* rows,
               size_t row_bytes, int module_rows, int scale, uint32_t pixels) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, append_to_string, flush_nothing);
  png_set_IHDR(png, info, pixels, pixels, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  // Measured in tests/bench (docs/BENCHMARKS.md): a QR bitmap is runs of identical bytes and
  // each module row repeats `scale` times, so unfiltered rows, zlib level 1 and a 512-byte window
  // compress within a few hundred bytes of level 9. zlib's default 256 KB of state costs more
  // (allocation, page faults) than the compression itself; the small window and memory level
  // make each image several times faster.
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_set_compression_level(png, 1);
  png_set_compression_window_bits(png, 9);
  png_set_compression_mem_level(png, 1);
  png_write_info(png, info);
  for (int y = 0; y < module_rows; ++y) {
    auto row = const_cast<png_bytep>(rows + static_cast<size_t>(y) * row_bytes);
    for (int i = 0; i < scale; ++i) png_write_row(png, row);
  }
  png_write_end(png, nullptr);
  return true;
}

// --- SVG -------------------------------------------------------------------------------------

void append_int(std::string& out, int value) {
  char buffer[16];
  int n = 0;
  if (value == 0) buffer[n++] = '0';
  while (value > 0) {
    buffer[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  while (n > 0) out.push_back(buffer[--n]);
}

}  // namespace

std::optional<Ecc> parse_ecc(std::string_view s) {
  if (s.size() != 1) return std::nullopt;
  switch (s[0]) {
    case 'L':
    case 'l':
      return Ecc::L;
    case 'M':
    case 'm':
      return Ecc::M;
    case 'Q':
    case 'q':
      return Ecc::Q;
    case 'H':
    case 'h':
      return Ecc::H;
    default:
      return std::nullopt;
  }
}

ImageResult render_png(std::string_view text, const ImageOptions& options) {
  auto encoded = encode_modules(text, options);
  if (!encoded.modules) return {std::nullopt, encoded.error};
  const Modules& m = *encoded.modules;
  const int size = m.size();
  const int scale = options.scale;
  const uint32_t pixels = static_cast<uint32_t>(size) * static_cast<uint32_t>(scale);
  const size_t row_bytes = (pixels + 7) / 8;

  // One packed row per module row, repeated `scale` times when written. Grey 1 bit: 1 is white.
  std::vector<uint8_t> rows(row_bytes * static_cast<size_t>(size), 0xFF);
  for (int y = 0; y < size; ++y) {
    uint8_t* row = rows.data() + static_cast<size_t>(y) * row_bytes;
    for (int x = 0; x < size; ++x) {
      if (!m.dark(x, y)) continue;
      const size_t first = static_cast<size_t>(x) * static_cast<size_t>(scale);
      for (size_t p = first; p < first + static_cast<size_t>(scale); ++p) {
        row[p >> 3] = static_cast<uint8_t>(row[p >> 3] & ~(0x80u >> (p & 7)));
      }
    }
  }

  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return {std::nullopt, ImageError{"PNG encoder unavailable (out of memory)"}};
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return {std::nullopt, ImageError{"PNG encoder unavailable (out of memory)"}};
  }
  std::string out;
  out.reserve(256 + rows.size() / 4);
  const bool ok = write_png(png, info, &out, rows.data(), row_bytes, size, scale, pixels);
  png_destroy_write_struct(&png, &info);
  if (!ok) return {std::nullopt, ImageError{"PNG encoding failed"}};
  return {std::move(out), std::nullopt};
}

ImageResult render_svg(std::string_view text, const ImageOptions& options) {
  auto encoded = encode_modules(text, options);
  if (!encoded.modules) return {std::nullopt, encoded.error};
  const Modules& m = *encoded.modules;
  const int size = m.size();
  std::string out;
  out.reserve(4096);
  out += R"(<svg xmlns="http://www.w3.org/2000/svg" width=")";
  append_int(out, size * options.scale);
  out += R"(" height=")";
  append_int(out, size * options.scale);
  out += R"(" viewBox="0 0 )";
  append_int(out, size);
  out += ' ';
  append_int(out, size);
  out += R"(" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/>)";
  out += R"(<path fill="#000" d=")";
  // Each run of dark modules in a row is one rectangle: M x y h run v 1 h -run z.
  for (int y = 0; y < size; ++y) {
    int x = 0;
    while (x < size) {
      if (!m.dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < size && m.dark(x + run, y)) ++run;
      out += 'M';
      append_int(out, x);
      out += ' ';
      append_int(out, y);
      out += 'h';
      append_int(out, run);
      out += "v1h-";
      append_int(out, run);
      out += 'z';
      x += run;
    }
  }
  out += "\"/></svg>\n";
  return {std::move(out), std::nullopt};
}

ImageResult render_terminal(std::string_view text, const ImageOptions& options) {
  ImageOptions unscaled = options;
  unscaled.scale = 1;
  auto encoded = encode_modules(text, unscaled);
  if (!encoded.modules) return {std::nullopt, encoded.error};
  const Modules& m = *encoded.modules;
  const int size = m.size();
  const bool ink_dark = options.ink == TerminalInk::dark;
  // A cell shows the module at (x, y) in its upper half and (x, y + 1) in its lower half.
  static constexpr const char* kCells[4] = {" ", "\u2580", "\u2584", "\u2588"};  // ▀ ▄ █
  std::string out;
  out.reserve(static_cast<size_t>(size) * static_cast<size_t>(size + 2) * 2);
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; ++x) {
      // Past the last row (odd size) the lower half is terminal background, i.e. no ink.
      const bool top = m.dark(x, y) == ink_dark;
      const bool bottom = y + 1 < size && m.dark(x, y + 1) == ink_dark;
      out += kCells[(top ? 1 : 0) | (bottom ? 2 : 0)];
    }
    out += '\n';
  }
  return {std::move(out), std::nullopt};
}

}  // namespace chophien::qr
