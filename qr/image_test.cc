#include "qr/image.h"

#include <gtest/gtest.h>
#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "qr/banks.h"
#include "qr/payload.h"

namespace chophien::qr {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "chophien-image-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct CommandOutput {
  std::string out;
  int status = -1;
};

// Runs a shell command and captures its standard output.
CommandOutput run(const std::string& command) {
  CommandOutput result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// Decodes every image with one zbarimg run (an independent decoder). zbarimg reads the files in
// order and prints one line per symbol, so line i belongs to file i when every file holds one.
std::vector<std::string> zbar_decode(const std::vector<fs::path>& files) {
  std::string command = "zbarimg --raw -q";
  for (const auto& f : files) command += " '" + f.string() + "'";
  command += " 2>/dev/null";
  return lines_of(run(command).out);
}

// Realistic payloads from the real encoder: random banks of the directory, accounts, amounts,
// purposes with Vietnamese text that the encoder folds.
std::vector<std::string> generated_payloads(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto all_banks = banks();
  const char kAlnum[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const char* kWords[] = {"thanh toan", "Chè Tân Cương", "mật ong",  "don hang",
                          "Miến dong",  "cà phê",        "gạo ST25", "tra sen"};
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<std::string> payloads;
  while (payloads.size() < count) {
    EncodeRequest request;
    request.bank =
        all_banks[static_cast<size_t>(pick(0, static_cast<int>(all_banks.size()) - 1))].bin;
    const int account_digits = pick(6, 19);
    for (int i = 0; i < account_digits; ++i) request.account += static_cast<char>('0' + pick(0, 9));
    if (pick(0, 3) != 0) {
      request.amount_vnd = std::uniform_int_distribution<int64_t>(1, 9'999'999'999)(rng);
    }
    if (pick(0, 4) != 0) {
      std::string code = "CP";
      for (int i = 0; i < 7; ++i) code += kAlnum[pick(0, sizeof kAlnum - 2)];
      request.additional.purpose = code + " " + kWords[pick(0, 7)];
    }
    if (pick(0, 5) == 0) request.additional.bill_number = "HD" + std::to_string(pick(1, 99999));
    const auto encoded = encode(request);
    if (!encoded.has_value()) {
      ADD_FAILURE() << "encode refused a valid request: " << encoded.error->message;
      break;
    }
    payloads.push_back(encoded.value->payload);
  }
  return payloads;
}

std::string sample_payload() {
  EncodeRequest request;
  request.bank = "970436";
  request.account = "0011001234567";
  request.amount_vnd = 150000;
  request.additional.purpose = "CPK7Q2M9X thanh toan";
  const auto encoded = encode(request);
  if (!encoded.has_value()) throw std::logic_error("sample payload refused");
  return encoded.value->payload;
}

using Matrix = std::vector<std::vector<bool>>;  // [y][x], true = dark

// Writes a module matrix as a plain PBM (1 = black), each module `scale` pixels square.
std::string to_pbm(const Matrix& m, int scale) {
  const size_t height = m.size(), width = m.empty() ? 0 : m[0].size();
  std::string out = "P1\n" + std::to_string(width * static_cast<size_t>(scale)) + " " +
                    std::to_string(height * static_cast<size_t>(scale)) + "\n";
  for (const auto& row : m) {
    std::string line;
    for (bool dark : row) {
      for (int i = 0; i < scale; ++i) line += dark ? "1 " : "0 ";
    }
    line += '\n';
    for (int i = 0; i < scale; ++i) out += line;
  }
  return out;
}

// Rebuilds the module matrix from the SVG's one path ("M x y h n v1h-n z" per run).
Matrix svg_modules(const std::string& svg, int size) {
  Matrix m(static_cast<size_t>(size), std::vector<bool>(static_cast<size_t>(size), false));
  const auto d_at = svg.find(" d=\"");
  if (d_at == std::string::npos) return {};
  const auto end = svg.find('"', d_at + 4);
  std::string d = svg.substr(d_at + 4, end - d_at - 4);
  size_t pos = 0;
  while (pos < d.size()) {
    int x = 0, y = 0, run = 0, back = 0;
    int consumed = 0;
    if (std::sscanf(d.c_str() + pos, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &back, &consumed) != 4 ||
        run != back || x < 0 || y < 0 || y >= size || x + run > size) {
      ADD_FAILURE() << "unexpected path data at " << pos << ": " << d.substr(pos, 30);
      return {};
    }
    for (int i = 0; i < run; ++i) m[static_cast<size_t>(y)][static_cast<size_t>(x + i)] = true;
    pos += static_cast<size_t>(consumed);
  }
  return m;
}

// Rebuilds the module matrix from terminal art. `ink_dark`: blocks are dark modules.
Matrix terminal_modules(const std::string& text, bool ink_dark) {
  Matrix m;
  for (const auto& line : lines_of(text)) {
    std::vector<bool> top, bottom;
    for (size_t i = 0; i < line.size();) {
      bool t = false, b = false;
      if (line[i] == ' ') {
        i += 1;
      } else if (line.compare(i, 3, "\u2580") == 0) {
        t = true;
        i += 3;
      } else if (line.compare(i, 3, "\u2584") == 0) {
        b = true;
        i += 3;
      } else if (line.compare(i, 3, "\u2588") == 0) {
        t = b = true;
        i += 3;
      } else {
        ADD_FAILURE() << "unexpected byte in terminal art";
        return {};
      }
      top.push_back(t == ink_dark);
      bottom.push_back(b == ink_dark);
    }
    m.push_back(top);
    m.push_back(bottom);
  }
  return m;
}

int svg_view_size(const std::string& svg) {
  int a = 0, b = 0, w = 0, h = 0;
  const auto at = svg.find("viewBox=\"");
  if (at == std::string::npos) return -1;
  if (std::sscanf(svg.c_str() + at, "viewBox=\"%d %d %d %d\"", &a, &b, &w, &h) != 4) return -1;
  return w == h && a == 0 && b == 0 ? w : -1;
}

bool is_qr_size(int modules) { return modules >= 21 && modules <= 177 && (modules - 17) % 4 == 0; }

TEST(RenderPng, EveryImageDecodesBackToItsPayloadAtAllLevelsScalesAndMargins) {
  const auto payloads = generated_payloads(240, 20261128);
  ASSERT_EQ(payloads.size(), 240u);
  const Ecc levels[] = {Ecc::L, Ecc::M, Ecc::Q, Ecc::H};
  const int scales[] = {2, 3, 4, 8};
  const int margins[] = {1, 2, 4, 6};
  TempDir dir;
  std::vector<fs::path> files;
  for (size_t i = 0; i < payloads.size(); ++i) {
    ImageOptions options;
    options.ecc = levels[i % 4];
    options.scale = scales[(i / 4) % 4];
    options.margin = margins[(i / 16) % 4];
    const auto png = render_png(payloads[i], options);
    ASSERT_TRUE(png.has_value()) << png.error->message;
    files.push_back(dir.path() / ("p" + std::to_string(i) + ".png"));
    write_file(files.back(), *png.value);
  }
  const auto decoded = zbar_decode(files);
  ASSERT_EQ(decoded.size(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) EXPECT_EQ(decoded[i], payloads[i]) << files[i];
}

TEST(RenderPng, IsOneBitGreyscaleSizedByModulesScaleAndMargin) {
  ImageOptions options;
  options.scale = 5;
  options.margin = 3;
  const auto png = render_png(sample_payload(), options);
  ASSERT_TRUE(png.has_value());
  const std::string& bytes = *png.value;
  ASSERT_GT(bytes.size(), 33u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  auto be32 = [&](size_t at) {
    return (uint32_t{static_cast<uint8_t>(bytes[at])} << 24) |
           (uint32_t{static_cast<uint8_t>(bytes[at + 1])} << 16) |
           (uint32_t{static_cast<uint8_t>(bytes[at + 2])} << 8) |
           uint32_t{static_cast<uint8_t>(bytes[at + 3])};
  };
  const uint32_t width = be32(16), height = be32(20);
  EXPECT_EQ(width, height);
  ASSERT_EQ(width % 5, 0u);
  EXPECT_TRUE(is_qr_size(static_cast<int>(width / 5) - 6)) << width;
  EXPECT_EQ(bytes[24], 1) << "bit depth";
  EXPECT_EQ(bytes[25], 0) << "colour type grey";
  // The same payload as SVG has the same module count.
  const auto svg = render_svg(sample_payload(), options);
  ASSERT_TRUE(svg.has_value());
  EXPECT_EQ(static_cast<int>(width / 5), svg_view_size(*svg.value));
}

// The symbol straight from libqrencode with the same parameters, quiet zone added: what every
// renderer must draw module for module (an error in one module would still scan, thanks to the
// error correction, so scanning alone does not prove the drawing exact).
Matrix expected_modules(const std::string& text, Ecc ecc, int margin) {
  const QRecLevel levels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H};
  QRcode* code = QRcode_encodeString(text.c_str(), 0, levels[static_cast<int>(ecc)], QR_MODE_8, 1);
  if (code == nullptr) return {};
  const int size = code->width + 2 * margin;
  Matrix m(static_cast<size_t>(size), std::vector<bool>(static_cast<size_t>(size), false));
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      m[static_cast<size_t>(y + margin)][static_cast<size_t>(x + margin)] =
          (code->data[y * code->width + x] & 1) != 0;
    }
  }
  QRcode_free(code);
  return m;
}

// Reads a PNG back (libpng's simplified API) and samples the centre of each module.
Matrix png_modules(const std::string& bytes, int scale) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return {};
  image.format = PNG_FORMAT_GRAY;
  std::vector<uint8_t> pixels(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) return {};
  const int size = static_cast<int>(image.width) / scale;
  Matrix m(static_cast<size_t>(size), std::vector<bool>(static_cast<size_t>(size), false));
  for (int y = 0; y < static_cast<int>(image.height); ++y) {
    for (int x = 0; x < static_cast<int>(image.width); ++x) {
      const bool dark = pixels[static_cast<size_t>(y) * image.width + static_cast<size_t>(x)] < 128;
      // Every pixel of a module must agree with the module's first pixel.
      const size_t my = static_cast<size_t>(y / scale), mx = static_cast<size_t>(x / scale);
      if (y % scale == 0 && x % scale == 0) {
        m[my][mx] = dark;
      } else if (m[my][mx] != dark) {
        ADD_FAILURE() << "pixel " << x << "," << y << " differs from its module";
        return {};
      }
    }
  }
  return m;
}

TEST(RenderImage, PngSvgAndTerminalDrawExactlyTheSymbolLibqrencodeComputes) {
  const auto payloads = generated_payloads(12, 4242);
  for (size_t i = 0; i < payloads.size(); ++i) {
    ImageOptions options;
    options.ecc = static_cast<Ecc>(i % 4);
    options.margin = static_cast<int>(i % 5);
    options.scale = 1 + static_cast<int>(i % 4);
    const Matrix expected = expected_modules(payloads[i], options.ecc, options.margin);
    ASSERT_FALSE(expected.empty());
    const int size = static_cast<int>(expected.size());
    EXPECT_EQ(png_modules(*render_png(payloads[i], options).value, options.scale), expected) << i;
    EXPECT_EQ(svg_modules(*render_svg(payloads[i], options).value, size), expected) << i;
    for (TerminalInk ink : {TerminalInk::light, TerminalInk::dark}) {
      options.ink = ink;
      Matrix from_term =
          terminal_modules(*render_terminal(payloads[i], options).value, ink == TerminalInk::dark);
      ASSERT_GE(from_term.size(), expected.size());
      // An odd size leaves a half line below the symbol, drawn as terminal background.
      if (from_term.size() > expected.size()) {
        for (bool dark : from_term.back()) EXPECT_EQ(dark, ink == TerminalInk::light);
      }
      from_term.resize(expected.size());
      EXPECT_EQ(from_term, expected) << i;
    }
  }
}

TEST(RenderSvg, IsWellFormedXmlWithOnePathAndItsGeometryDecodesBack) {
  const auto payloads = generated_payloads(40, 7);
  ASSERT_EQ(payloads.size(), 40u);
  TempDir dir;
  std::vector<fs::path> svgs, rasters;
  for (size_t i = 0; i < payloads.size(); ++i) {
    ImageOptions options;
    options.ecc = static_cast<Ecc>(i % 4);
    options.margin = 2 + static_cast<int>(i % 3);
    const auto svg = render_svg(payloads[i], options);
    ASSERT_TRUE(svg.has_value()) << svg.error->message;
    const std::string& text = *svg.value;
    EXPECT_NE(text.find("shape-rendering=\"crispEdges\""), std::string::npos);
    EXPECT_EQ(text.find("<path"), text.rfind("<path")) << "exactly one path";
    EXPECT_LT(text.size(), 12000u) << "small";
    const int size = svg_view_size(text);
    ASSERT_TRUE(is_qr_size(size - 2 * options.margin)) << size;
    svgs.push_back(dir.path() / ("s" + std::to_string(i) + ".svg"));
    write_file(svgs.back(), text);
    const auto modules = svg_modules(text, size);
    ASSERT_EQ(modules.size(), static_cast<size_t>(size));
    // The quiet zone is empty.
    for (int x = 0; x < size; ++x) {
      EXPECT_FALSE(modules[0][static_cast<size_t>(x)]);
      EXPECT_FALSE(modules[static_cast<size_t>(size - 1)][static_cast<size_t>(x)]);
    }
    rasters.push_back(dir.path() / ("s" + std::to_string(i) + ".pbm"));
    write_file(rasters.back(), to_pbm(modules, 3));
  }
  std::string command = "xmllint --noout";
  for (const auto& f : svgs) command += " '" + f.string() + "'";
  EXPECT_EQ(run(command).status, 0);
  const auto decoded = zbar_decode(rasters);
  ASSERT_EQ(decoded.size(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) EXPECT_EQ(decoded[i], payloads[i]);
}

TEST(RenderTerminal, HasOneLinePerTwoModuleRowsAndOneColumnPerModule) {
  const std::string payload = sample_payload();
  for (int margin : {0, 1, 2, 4}) {
    ImageOptions options;
    options.margin = margin;
    const auto svg = render_svg(payload, options);
    const auto term = render_terminal(payload, options);
    ASSERT_TRUE(svg.has_value() && term.has_value());
    const int size = svg_view_size(*svg.value);
    const auto lines = lines_of(*term.value);
    EXPECT_EQ(lines.size(), static_cast<size_t>((size + 1) / 2)) << margin;
    EXPECT_EQ(term.value->back(), '\n');
    for (const auto& line : lines) {
      size_t chars = 0;
      for (unsigned char c : line) chars += (c & 0xC0) != 0x80 ? 1 : 0;  // code points
      EXPECT_EQ(chars, static_cast<size_t>(size));
    }
    // Same modules as the SVG, with either ink.
    const Matrix from_svg = svg_modules(*svg.value, size);
    for (TerminalInk ink : {TerminalInk::light, TerminalInk::dark}) {
      options.ink = ink;
      Matrix from_term =
          terminal_modules(*render_terminal(payload, options).value, ink == TerminalInk::dark);
      ASSERT_GE(from_term.size(), static_cast<size_t>(size));
      from_term.resize(static_cast<size_t>(size));
      EXPECT_EQ(from_term, from_svg) << "margin " << margin;
    }
  }
}

TEST(RenderTerminal, LightInkDrawsTheQuietZoneAsFullBlocks) {
  ImageOptions options;  // default ink: light modules are blocks
  const auto term = render_terminal(sample_payload(), options);
  ASSERT_TRUE(term.has_value());
  const auto first = lines_of(*term.value).front();
  EXPECT_EQ(first.find(' '), std::string::npos);
  EXPECT_EQ(first.substr(0, 3), "\u2588");
}

TEST(RenderTerminal, ArtDecodesBackWhenDrawnAsPixels) {
  const auto payloads = generated_payloads(8, 99);
  TempDir dir;
  std::vector<fs::path> files;
  for (size_t i = 0; i < payloads.size(); ++i) {
    ImageOptions options;
    options.ink = i % 2 == 0 ? TerminalInk::light : TerminalInk::dark;
    const auto term = render_terminal(payloads[i], options);
    ASSERT_TRUE(term.has_value());
    files.push_back(dir.path() / ("t" + std::to_string(i) + ".pbm"));
    write_file(files.back(),
               to_pbm(terminal_modules(*term.value, options.ink == TerminalInk::dark), 4));
  }
  const auto decoded = zbar_decode(files);
  ASSERT_EQ(decoded.size(), payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) EXPECT_EQ(decoded[i], payloads[i]);
}

TEST(RenderImage, RefusesTextTooLongForAQrCode) {
  const std::string long_text(3000, 'x');  // H holds at most 1273 bytes
  for (auto render : {render_png, render_svg, render_terminal}) {
    ImageOptions options;
    options.ecc = Ecc::H;
    const auto result = render(long_text, options);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error->message.find("too long"), std::string::npos) << result.error->message;
  }
  // At L the same length of digits fits (numeric mode holds 7089).
  EXPECT_TRUE(render_svg(std::string(3000, '7'), ImageOptions{.ecc = Ecc::L}).has_value());
}

TEST(RenderImage, RefusesOutOfRangeOptionsAndEmptyText) {
  EXPECT_FALSE(render_png("abc", ImageOptions{.scale = 0}).has_value());
  EXPECT_FALSE(render_png("abc", ImageOptions{.scale = kMaxScale + 1}).has_value());
  EXPECT_FALSE(render_svg("abc", ImageOptions{.margin = -1}).has_value());
  EXPECT_FALSE(render_terminal("abc", ImageOptions{.margin = kMaxMargin + 1}).has_value());
  const auto empty = render_png("", {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error->message.find("empty"), std::string::npos);
  EXPECT_TRUE(
      render_png("abc", ImageOptions{.scale = kMaxScale, .margin = kMaxMargin}).has_value());
}

TEST(RenderImage, EncodesTextWithNulBytes) {
  const std::string with_nul("ab\0cd", 5);
  EXPECT_TRUE(render_png(with_nul, {}).has_value());
}

TEST(ParseEcc, AcceptsTheFourLevelsInEitherCase) {
  EXPECT_EQ(parse_ecc("L"), Ecc::L);
  EXPECT_EQ(parse_ecc("m"), Ecc::M);
  EXPECT_EQ(parse_ecc("Q"), Ecc::Q);
  EXPECT_EQ(parse_ecc("h"), Ecc::H);
  EXPECT_FALSE(parse_ecc("").has_value());
  EXPECT_FALSE(parse_ecc("X").has_value());
  EXPECT_FALSE(parse_ecc("MM").has_value());
}

}  // namespace
}  // namespace chophien::qr
