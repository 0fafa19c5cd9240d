#include "storefront/quick_link.h"

#include <png.h>
#include <qrencode.h>

#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <vector>

#include "core/text.h"
#include "qr/banks.h"
#include "qr/payload.h"

namespace chophien::storefront {
namespace {

struct Rgb {
  uint8_t r, g, b;
};
constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kFrame{138, 44, 13};  // the site's brand colour (style.css --brand)

// 5x7 glyphs, one byte per row, bit 4 = leftmost column.
struct Glyph {
  char c;
  std::array<uint8_t, 7> rows;
};
constexpr Glyph kFont[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'/', {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}},
    {'_', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}},
};

const Glyph* glyph(char c) {
  for (const auto& g : kFont) {
    if (g.c == c) return &g;
  }
  return nullptr;  // drawn as a space
}

class Canvas {
 public:
  Canvas(int width, int height) : w_(width), h_(height), px_(size_t(width) * height, kWhite) {}
  int width() const { return w_; }
  int height() const { return h_; }
  void fill(int x, int y, int w, int h, Rgb c) {
    for (int yy = std::max(0, y); yy < std::min(h_, y + h); ++yy) {
      for (int xx = std::max(0, x); xx < std::min(w_, x + w); ++xx) px_[size_t(yy) * w_ + xx] = c;
    }
  }
  // Text in capitals, `scale` pixels per font dot; each character advances 6 dots.
  void text(int x, int y, std::string_view s, int scale, Rgb c) {
    for (char ch : s) {
      if (const Glyph* g = glyph(ch)) {
        for (int row = 0; row < 7; ++row) {
          for (int col = 0; col < 5; ++col) {
            if (g->rows[row] & (0x10 >> col))
              fill(x + col * scale, y + row * scale, scale, scale, c);
          }
        }
      }
      x += 6 * scale;
    }
  }
  Result<std::string> png() const;

 private:
  int w_, h_;
  std::vector<Rgb> px_;
};

Result<std::string> Canvas::png() const {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return Error{ErrorCode::internal, "libpng failed", ""};
  png_infop info = png_create_info_struct(png);
  std::string out;
  std::vector<png_bytep> rows(static_cast<size_t>(h_));
  // libpng reports errors by longjmp; nothing with a destructor is created past this point.
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return Error{ErrorCode::internal, "libpng failed", ""};
  }
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, png_size_t n) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<char*>(data), n);
      },
      nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(w_), static_cast<png_uint_32>(h_), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  for (int y = 0; y < h_; ++y) {
    rows[size_t(y)] = const_cast<png_bytep>(reinterpret_cast<const uint8_t*>(&px_[size_t(y) * w_]));
  }
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

// ASCII capitals the font can draw; anything else becomes a space.
std::string caption(std::string_view text) {
  std::string out;
  for (char c : core::fold_ascii(text)) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += glyph(c) != nullptr ? c : ' ';
  }
  return out;
}

// Splits `text` into lines of at most `width` characters, at spaces when possible.
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string rest = text;
  while (rest.size() > width) {
    size_t cut = rest.rfind(' ', width);
    if (cut == std::string::npos || cut == 0) cut = width;
    lines.push_back(rest.substr(0, cut));
    rest = rest.substr(cut == width ? cut : cut + 1);
  }
  if (!rest.empty()) lines.push_back(rest);
  return lines;
}

std::string amount_caption(int64_t vnd) {
  std::string digits = std::to_string(vnd);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return out + " VND";
}

struct QrMatrix {
  int width = 0;
  std::vector<uint8_t> dark;
};

Result<QrMatrix> qr_matrix(const std::string& payload) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(payload.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) return Error{ErrorCode::internal, "the payload does not fit a QR symbol", ""};
  QrMatrix m;
  m.width = code->width;
  m.dark.resize(size_t(m.width) * m.width);
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = code->data[i] & 1;
  return m;
}

void draw_qr(Canvas& canvas, const QrMatrix& m, int x, int y, int scale) {
  for (int row = 0; row < m.width; ++row) {
    for (int col = 0; col < m.width; ++col) {
      if (m.dark[size_t(row) * m.width + col]) {
        canvas.fill(x + col * scale, y + row * scale, scale, scale, kBlack);
      }
    }
  }
}

}  // namespace

Result<QuickLinkTemplate> parse_quick_link_template(std::string_view name) {
  if (name == "qr_only") return QuickLinkTemplate::qr_only;
  if (name == "compact") return QuickLinkTemplate::compact;
  if (name == "print") return QuickLinkTemplate::print;
  return invalid_input("template must be qr_only, compact or print", "template");
}

Result<std::string> render_quick_link(const QuickLink& link) {
  if (!core::is_valid_utf8(link.account_name) || link.account_name.size() > 200 ||
      caption(link.account_name).size() > 50) {
    return invalid_input("accountName must be at most 50 characters of UTF-8", "accountName");
  }
  qr::EncodeRequest request;
  request.bank = link.bank;
  request.account = link.account;
  request.amount_vnd = link.amount_vnd;
  request.additional.purpose = link.add_info;
  auto encoded = qr::encode(request);
  if (!encoded.has_value()) {
    std::string field = encoded.error->field;
    if (field == "amount_vnd") field = "amount";
    if (field == "purpose") field = "addInfo";
    return invalid_input(encoded.error->message, field);
  }
  auto matrix = qr_matrix(encoded.value->payload);
  if (!matrix) return matrix.error();
  const qr::Bank* bank = qr::find_bank_by_bin(encoded.value->bin);
  const std::string bank_name = bank != nullptr ? caption(bank->short_name) : encoded.value->bin;

  const int n = matrix->width;
  if (link.style == QuickLinkTemplate::qr_only) {
    constexpr int kScale = 8, kMargin = 4;
    Canvas canvas((n + 2 * kMargin) * kScale, (n + 2 * kMargin) * kScale);
    draw_qr(canvas, *matrix, kMargin * kScale, kMargin * kScale, kScale);
    return canvas.png();
  }

  const bool print = link.style == QuickLinkTemplate::print;
  const int scale = print ? 10 : 6;  // px per module
  const int font = print ? 3 : 2;    // px per font dot
  const int frame = print ? 16 : 0;  // coloured border
  const int quiet = 4 * scale;
  const int qr_side = n * scale + 2 * quiet;
  const int width = qr_side + 2 * frame;
  const int line_height = 10 * font;
  const size_t max_chars = static_cast<size_t>((qr_side - 2 * 2 * font) / (6 * font));

  std::vector<std::string> lines;
  auto add = [&](const std::string& text) {
    for (auto& line : wrap(text, max_chars)) lines.push_back(std::move(line));
  };
  std::vector<std::string> heading;
  if (print) {
    heading = wrap("QUET MA DE CHUYEN KHOAN", max_chars);
    add(bank_name);
    add("STK: " + caption(link.account));
    if (!link.account_name.empty()) add("CHU TK: " + caption(link.account_name));
    if (link.amount_vnd) add("SO TIEN: " + amount_caption(*link.amount_vnd));
    if (!encoded.value->purpose.empty()) add("ND: " + caption(encoded.value->purpose));
  } else {
    add(bank_name + " " + caption(link.account));
    if (link.amount_vnd) add(amount_caption(*link.amount_vnd));
  }
  const int heading_height = heading.empty() ? 0 : int(heading.size()) * line_height + 2 * font;
  const int caption_height = int(lines.size()) * line_height + 2 * font;
  const int height = frame + heading_height + qr_side + caption_height + frame;

  Canvas canvas(width, height);
  if (frame > 0) {
    canvas.fill(0, 0, width, height, kFrame);
    canvas.fill(frame, frame, qr_side, height - 2 * frame, kWhite);
  }
  int y = frame + 2 * font;
  for (const auto& line : heading) {
    const int text_width = int(line.size()) * 6 * font - font;
    canvas.text((width - text_width) / 2, y, line, font, kFrame);
    y += line_height;
  }
  const int qr_top = frame + heading_height;
  draw_qr(canvas, *matrix, frame + quiet, qr_top + quiet, scale);
  // The caption starts inside the bottom quiet zone's lower half: the QR's own quiet zone above
  // it stays at least two modules (scanners need about that much in practice).
  y = qr_top + qr_side - quiet / 2;
  for (const auto& line : lines) {
    const int text_width = int(line.size()) * 6 * font - font;
    canvas.text((width - text_width) / 2, y, line, font, kBlack);
    y += line_height;
  }
  return canvas.png();
}

}  // namespace chophien::storefront
