// Speed of the qr library against references measured in the same run (docs/BENCHMARKS.md):
// - encode/decode vs a bare loop over the same bytes (CRC-16 + memcpy: the least any codec does);
// - PNG vs a bare libqrencode + libpng loop written here with the same settings;
// - SVG vs the bare QR step alone (QRcode_encodeString).
#include <benchmark/benchmark.h>
#include <png.h>
#include <qrencode.h>

#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "qr/image.h"
#include "qr/payload.h"

namespace {

using namespace chophien;

qr::EncodeRequest typical_request() {
  qr::EncodeRequest request;
  request.bank = "970436";
  request.account = "0011001234567";
  request.amount_vnd = 150000;
  request.additional.purpose = "CPK7Q2M9X thanh toan";
  return request;
}

const std::string& typical_payload() {
  static const std::string payload = qr::encode(typical_request()).value->payload;
  return payload;
}

// CRC-16/CCITT-FALSE, table-driven: one lookup per byte, the fastest plain C form.
struct CrcTable {
  uint16_t entry[256];
  CrcTable() {
    for (int i = 0; i < 256; ++i) {
      uint16_t crc = static_cast<uint16_t>(i << 8);
      for (int bit = 0; bit < 8; ++bit) {
        crc = static_cast<uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
      }
      entry[i] = crc;
    }
  }
};
const CrcTable kCrcTable;

uint16_t crc16(const char* data, size_t size) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < size; ++i) {
    crc = static_cast<uint16_t>(
        (crc << 8) ^ kCrcTable.entry[((crc >> 8) ^ static_cast<uint8_t>(data[i])) & 0xFF]);
  }
  return crc;
}

void BM_Reference_CrcAndCopy(benchmark::State& state) {
  const std::string& payload = typical_payload();
  char buffer[512];
  for (auto _ : state) {
    std::memcpy(buffer, payload.data(), payload.size());
    benchmark::ClobberMemory();
    uint16_t crc = crc16(buffer, payload.size());
    benchmark::DoNotOptimize(crc);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(payload.size()) + " bytes");
}
BENCHMARK(BM_Reference_CrcAndCopy);

void BM_Encode(benchmark::State& state) {
  const auto request = typical_request();
  for (auto _ : state) {
    auto result = qr::encode(request);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Encode);

void BM_Decode(benchmark::State& state) {
  const std::string& payload = typical_payload();
  for (auto _ : state) {
    auto result = qr::decode(payload);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode);

// --- The bare loop: libqrencode, then libpng 1-bit grey into memory, written plainly. ---

void append(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))
      ->append(reinterpret_cast<const char*>(data), length);
}
void no_flush(png_structp) {}

// level: zlib level; filters: PNG_FILTER_NONE or PNG_ALL_FILTERS.
struct ZlibSettings {
  int level;
  int filters;      // PNG_FILTER_NONE or PNG_ALL_FILTERS
  int window_bits;  // 15 is zlib's default
  int mem_level;    // 8 is zlib's default
};

bool bare_png(const char* text, int scale, int margin, const ZlibSettings& z, std::string* out,
              std::vector<uint8_t>* row) {
  QRcode* code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == nullptr) return false;
  const int size = code->width + 2 * margin;
  const uint32_t pixels = static_cast<uint32_t>(size * scale);
  row->assign((pixels + 7) / 8, 0);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    QRcode_free(code);
    return false;
  }
  png_set_write_fn(png, out, append, no_flush);
  png_set_IHDR(png, info, pixels, pixels, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, z.filters);
  png_set_compression_level(png, z.level);
  png_set_compression_window_bits(png, z.window_bits);
  png_set_compression_mem_level(png, z.mem_level);
  png_write_info(png, info);
  for (int y = 0; y < size; ++y) {
    std::fill(row->begin(), row->end(), 0xFF);
    for (int x = 0; x < size; ++x) {
      const int mx = x - margin, my = y - margin;
      if (mx < 0 || my < 0 || mx >= code->width || my >= code->width) continue;
      if ((code->data[my * code->width + mx] & 1) == 0) continue;
      for (int p = x * scale; p < (x + 1) * scale; ++p) {
        (*row)[static_cast<size_t>(p >> 3)] &= static_cast<uint8_t>(~(0x80u >> (p & 7)));
      }
    }
    for (int i = 0; i < scale; ++i) png_write_row(png, row->data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  QRcode_free(code);
  return true;
}

// Arguments: zlib level, filters (0 none, 1 all), window bits, memory level. The library uses
// 1, 0, 9, 1 (the first row below: the reference PNG is compared with).
void BM_Reference_BarePng(benchmark::State& state) {
  const std::string& payload = typical_payload();
  const ZlibSettings z{static_cast<int>(state.range(0)),
                       state.range(1) != 0 ? PNG_ALL_FILTERS : PNG_FILTER_NONE,
                       static_cast<int>(state.range(2)), static_cast<int>(state.range(3))};
  std::string out;
  std::vector<uint8_t> row;
  for (auto _ : state) {
    out.clear();
    if (!bare_png(payload.c_str(), 8, 4, z, &out, &row)) state.SkipWithError("png");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["png_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Reference_BarePng)
    ->ArgNames({"zlib", "filters", "window", "mem"})
    ->Args({1, 0, 9, 1})
    ->Args({1, 0, 15, 8})
    ->Args({6, 0, 15, 8})
    ->Args({9, 0, 15, 8})
    ->Args({6, 1, 15, 8})
    ->Args({6, 0, 9, 1})
    ->Args({9, 0, 9, 1});

void BM_Png(benchmark::State& state) {
  const std::string& payload = typical_payload();
  qr::ImageOptions options;  // ECC M, 8 px modules, margin 4
  size_t bytes = 0;
  for (auto _ : state) {
    auto png = qr::render_png(payload, options);
    bytes = png.value->size();
    benchmark::DoNotOptimize(png);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["png_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Png);

void BM_Reference_BareQrEncode(benchmark::State& state) {
  const std::string& payload = typical_payload();
  for (auto _ : state) {
    QRcode* code = QRcode_encodeString(payload.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    benchmark::DoNotOptimize(code);
    QRcode_free(code);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reference_BareQrEncode);

void BM_Svg(benchmark::State& state) {
  const std::string& payload = typical_payload();
  size_t bytes = 0;
  for (auto _ : state) {
    auto svg = qr::render_svg(payload, {});
    bytes = svg.value->size();
    benchmark::DoNotOptimize(svg);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["svg_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Svg);

void BM_Terminal(benchmark::State& state) {
  const std::string& payload = typical_payload();
  for (auto _ : state) {
    auto text = qr::render_terminal(payload, {});
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Terminal);

}  // namespace

BENCHMARK_MAIN();
