// libFuzzer target for storefront::parse_request_head (the front door's parser of what clients
// send): any bytes in, never a crash, never a read outside the input, and every complete head
// keeps the parser's promises (views inside the input, a head that ends with the blank line, a
// method and header names of token characters, no CR or LF inside any part).
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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chophien::storefront;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  RequestHead head;
  const HeadStatus status = parse_request_head(bytes, head);
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
