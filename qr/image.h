#pragma once
// QR images of a text (normally a VietQR payload): PNG (libpng), SVG (one path) and terminal art
// (UTF-8 half blocks). The text is encoded as given, case-sensitive, in the smallest QR version
// that holds it (libqrencode picks numeric/alphanumeric/8-bit segments). The caller validates the
// payload; these functions only draw it.
// Thread-safe; every call returns its own buffer. Failures are values, never exceptions.

#include <optional>
#include <string>
#include <string_view>

namespace chophien::qr {

enum class Ecc { L, M, Q, H };

// Which modules the terminal renderer draws as block characters (the terminal's foreground
// colour); the others are spaces (its background colour).
enum class TerminalInk {
  light,  // blocks are the light modules and the quiet zone: right on dark-background terminals
  dark,   // blocks are the dark modules: right on light-background terminals
};

struct ImageOptions {
  Ecc ecc = Ecc::M;
  int scale = 8;   // PNG: pixels per module; SVG: width/height attributes in px per module
  int margin = 4;  // quiet zone in modules (the QR standard asks for 4)
  TerminalInk ink = TerminalInk::light;  // terminal only
};

inline constexpr int kMaxScale = 64;
inline constexpr int kMaxMargin = 64;

struct ImageError {
  std::string message;  // safe to show; says whether the text or an option is at fault
};

struct ImageResult {
  std::optional<std::string> value;  // PNG bytes, SVG text or terminal text
  std::optional<ImageError> error;
  bool has_value() const { return value.has_value(); }
};

// Fails when the text is empty or does not fit a QR symbol at that ECC level, or when an option is
// out of range (scale 1..kMaxScale, margin 0..kMaxMargin).
//
// PNG: 1-bit greyscale, black modules on white, (width + 2 * margin) * scale pixels square.
ImageResult render_png(std::string_view text, const ImageOptions& options = {});
// SVG: a white background rectangle and one black <path> whose d is built from the runs of dark
// modules per row; viewBox in module units (quiet zone included), shape-rendering="crispEdges".
ImageResult render_svg(std::string_view text, const ImageOptions& options = {});
// Terminal: UTF-8 text, two module rows per line using ' ', '▀', '▄', '█', quiet zone included
// (options.scale is ignored). Each line is (width + 2 * margin) characters plus '\n'; there are
// ceil((width + 2 * margin) / 2) lines.
ImageResult render_terminal(std::string_view text, const ImageOptions& options = {});

// Parses "L", "M", "Q", "H" (case-insensitive).
std::optional<Ecc> parse_ecc(std::string_view s);

}  // namespace chophien::qr
