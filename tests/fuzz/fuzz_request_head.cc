// libFuzzer target for storefront::parse_request_head (the front door's parser of what clients
// send): any bytes in, never a crash, never a read outside the input, and every complete head
// keeps the parser's promises (views inside the input, a head that ends with the blank line, a
// method and header names of token characters, no CR or LF inside any part); and the worker
// threads' HeadScanner, on the same bytes, agrees with itself and with the parser.
// Seeds: tests/fuzz/corpus/request_head.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "storefront/request_head.h"

namespace {

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

// The worker threads' HeadScanner on the same bytes: the same answer whether they come in one
// piece or in two, and the parser's size for every head the parser accepts within the limits.
void check_scanner(std::string_view bytes, const chophien::storefront::RequestHead* parsed) {
  using chophien::storefront::HeadScanner;
  constexpr size_t kLines = 20, kBytes = 512;
  HeadScanner whole(kLines, kBytes);
  const HeadScanner::State once = whole.scan(bytes);
  HeadScanner pieces(kLines, kBytes);
  const size_t cut = bytes.empty() ? 0 : static_cast<unsigned char>(bytes[0]) % bytes.size();
  HeadScanner::State twice = pieces.scan(bytes.substr(0, cut));
  twice = pieces.scan(bytes);
  check(once == twice, "scanner: same state in one piece and in two");
  if (once == HeadScanner::State::complete) {
    check(whole.size() == pieces.size(), "scanner: same size in one piece and in two");
    check(whole.size() <= kBytes && whole.size() <= bytes.size(), "scanner: size within limits");
  }
  if (once == HeadScanner::State::incomplete) check(bytes.size() <= kBytes, "scanner: bounded");
  if (parsed != nullptr && parsed->headers.size() <= kLines && parsed->size <= kBytes) {
    check(once == HeadScanner::State::complete && whole.size() == parsed->size,
          "scanner agrees with the parser");
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chophien::storefront;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  RequestHead head;
  const HeadStatus status = parse_request_head(bytes, head);
  check_scanner(bytes, status == HeadStatus::complete ? &head : nullptr);
  if (status != HeadStatus::complete) return 0;
  check(head.size >= 4 && head.size <= bytes.size(), "head size within the input");
  check(bytes.substr(head.size - 4, 4) == "\r\n\r\n", "head ends with the blank line");
  check(!head.method.empty() && !head.target.empty(), "method and target present");
  check(head.version == "HTTP/1.1" || head.version == "HTTP/1.0", "version");
  for (std::string_view part : {head.method, head.target, head.version}) {
    check(inside(part, bytes.substr(0, head.size)), "request line inside the head");
    check(!has_line_break(part), "no line break in the request line");
  }
  for (const auto& [name, value] : head.headers) {
    check(!name.empty() && inside(name, bytes) && inside(value, bytes), "header inside the head");
    check(!has_line_break(name) && !has_line_break(value), "no line break in a header");
    check(name.find(':') == std::string_view::npos && name.find(' ') == std::string_view::npos,
          "header name is a token");
    check(value.empty() || (value.front() != ' ' && value.back() != ' '), "value trimmed");
  }
  (void)head.wants_close();
  (void)head.header("Content-Length");
  return 0;
}
