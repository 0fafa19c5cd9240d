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

// Where a request's head ends, found one piece at a time and within limits: the worker threads'
// check (guarded_server.h) before httplib reads a head. It only counts lines (each ended by LF)
// up to the first line that is CR LF alone after the request line, where httplib's reader ends a
// head too (a line ended by a bare LF is one more line, never the end), so it agrees with
// parse_request_head on every head that parser accepts, and decides the others by size alone.
// One per request; not thread-safe.
class HeadScanner {
 public:
  enum class State { incomplete, complete, too_large };
  // `max_header_lines` lines after the request line, `max_head_bytes` bytes with the blank line.
  HeadScanner(size_t max_header_lines, size_t max_head_bytes)
      : max_lines_(max_header_lines), max_bytes_(max_head_bytes) {}

  // `bytes`: everything received of this request so far; each call's bytes start with the
  // previous call's. Once complete or too_large, the answer stays.
  State scan(std::string_view bytes);
  // The head's bytes, blank line included, once complete.
  size_t size() const { return size_; }

 private:
  size_t max_lines_, max_bytes_;
  size_t scanned_ = 0, line_start_ = 0, lines_ = 0, size_ = 0;
  State state_ = State::incomplete;
};

}  // namespace chophien::storefront
