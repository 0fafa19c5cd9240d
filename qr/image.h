#pragma once
// QR images of a payload: PNG (libpng), SVG (one path) and terminal art (UTF-8 half blocks).
// Thread-safe; every call returns its own buffer.

#include <optional>
#include <string>
#include <string_view>

namespace chophien::qr {

enum class Ecc { L, M, Q, H };

struct ImageOptions {
  Ecc ecc = Ecc::M;
  int scale = 8;   // pixels per module (PNG) or user units per module (SVG)
  int margin = 4;  // quiet zone in modules; at least 4 by default
};

struct ImageError {
  std::string message;
};

struct ImageResult {
  std::optional<std::string> value;  // PNG bytes, SVG text or terminal text
  std::optional<ImageError> error;
  bool has_value() const { return value.has_value(); }
};

// Fails when the text does not fit a QR symbol at that ECC level, or options are out of range
// (scale 1..64, margin 0..64).
ImageResult render_png(std::string_view text, const ImageOptions& options = {});
ImageResult render_svg(std::string_view text, const ImageOptions& options = {});
ImageResult render_terminal(std::string_view text, const ImageOptions& options = {});

// Parses "L", "M", "Q", "H" (case-insensitive).
std::optional<Ecc> parse_ecc(std::string_view s);

}  // namespace chophien::qr
