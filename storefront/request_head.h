#pragma once
// The head of an HTTP/1.1 request (request line and header fields, RFC 9112), parsed strictly and
// without copying, for the front door (front_door.h). Anything it calls malformed goes to httplib,
// which gives its own answer; so this parser only has to be sure of what it accepts.

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace chophien::storefront {

// A request line and its headers, as views into the bytes they were parsed from.
struct RequestHead {
  std::string_view method;
  std::string_view target;                                             // as sent: path and query
  std::string_view version;                                            // "HTTP/1.1"
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // values trimmed
  size_t size = 0;          // bytes of the head, blank line included
  size_t longest_line = 0;  // bytes of its longest line (request line or header), CRLF included

  // The first header named `name` (case-insensitive); nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // True when some Connection header lists `close`.
  bool wants_close() const;
};

enum class HeadStatus { complete, incomplete, malformed };

// Parses the head at the start of `bytes`. `complete` fills `head` (views into `bytes`);
// `incomplete` when the blank line has not arrived yet; `malformed` for anything HTTP/1.1 does not
// allow (bad request line, control characters, obsolete line folding, a header without a colon,
// spaces before the colon). Never reads past `bytes`.
HeadStatus parse_request_head(std::string_view bytes, RequestHead& head);

}  // namespace chophien::storefront
