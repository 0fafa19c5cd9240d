#include "storefront/front_answer.h"

#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <regex>
#include <utility>

#include "storefront/form_token.h"
#include "storefront/http_errors.h"

namespace chophien::storefront {
namespace {

using Clock = std::chrono::steady_clock;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iless(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return nullptr;
  }
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when an Accept-Encoding value accepts gzip (RFC 9110 12.5.3): "gzip" or "x-gzip" with a
// weight above 0, or "*" above 0 when gzip is not listed.
bool accepts_gzip(std::string_view header) {
  std::optional<bool> gzip;
  bool any = false;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
    const size_t semi = item.find(';');
    const std::string_view coding = trim(item.substr(0, semi));
    bool zero = false;
    if (semi != std::string_view::npos) {
      std::string_view param = trim(item.substr(semi + 1));
      if (param.size() >= 2 && lower(param[0]) == 'q' && param[1] == '=') {
        param.remove_prefix(2);
        // q=0, q=0.0, q=0.00, q=0.000
        zero = !param.empty() && param[0] == '0' &&
               param.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip = gzip.value_or(false) || !zero;
    } else if (coding == "*") {
      any = any || !zero;
    }
  }
  return gzip.value_or(any);
}

bool client_accepts_gzip(const RequestHead& head) {
  // Several header lines are one list (RFC 9110 5.3).
  std::string list;
  for (const auto& [name, value] : head.headers) {
    if (!iequals(name, "Accept-Encoding")) continue;
    if (!list.empty()) list += ',';
    list += value;
  }
  return accepts_gzip(list);
}

// `body` gzip-compressed (RFC 1952), for answers that are not in the page cache.
std::string gzip(std::string_view body) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(body.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::logic_error("zlib: deflate did not finish within its bound");
  out.resize(z.total_out);
  return out;
}

// The ETag of a compressed answer: weak, since its bytes are not the identity page's.
std::string weak(std::string_view etag) {
  return etag.starts_with("W/") ? std::string(etag) : "W/" + std::string(etag);
}

}  // namespace

Counter& page_cache_requests(Metrics& metrics, bool hit) {
  return metrics.counter("chophien_page_cache_requests_total",
                         "Public pages served from the page cache or rendered",
                         hit ? "result=\"hit\"" : "result=\"miss\"");
}

FrontPages::FrontPages(const Config& config, DbPool& db, PageCache& pages, Metrics& metrics,
                       const std::vector<Router::PageRoute>& routes)
    : config_(config),
      db_(db),
      pages_(pages),
      metrics_(metrics),
      routes_(routes),
      hits_(page_cache_requests(metrics, true)),
      keep_alive_("timeout=" + std::to_string(config.keep_alive_timeout_seconds) +
                  ", max=" + std::to_string(config.keep_alive_max_requests)) {}

void FrontPages::write(int status,
                       std::vector<std::pair<std::string_view, std::string_view>> headers,
                       std::string_view body, bool close, std::string& out) const {
  for (const auto& [name, value] : security_headers()) {
    const bool present = std::any_of(headers.begin(), headers.end(),
                                     [&](const auto& h) { return iequals(h.first, name); });
    if (!present) headers.emplace_back(name, value);
  }
  if (close) {
    headers.emplace_back("Connection", "close");
  } else {
    headers.emplace_back("Keep-Alive", keep_alive_);
  }
  const std::string length = std::to_string(body.size());
  if (status != 304) headers.emplace_back("Content-Length", length);
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return iless(a.first, b.first); });
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reason(status));
  out += "\r\n";
  for (const auto& [name, value] : headers) {
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out += "\r\n";
  if (status != 304) out += body;
}

FrontDoor::Decision FrontPages::answer(const RequestHead& head, bool close,
                                       std::string& out) const {
  const auto start = Clock::now();
  if (head.method != "GET") return FrontDoor::Decision::hand_over;
  auto page = pages_.find(std::string(head.target), db_.generation(), start, false);
  if (!page) {
    // A page route renders on a render thread; anything else is httplib's.
    const std::string path = httplib::detail::decode_url(std::string(path_of(head.target)), false);
    for (const auto& route : routes_) {
      if (std::regex_match(path, route.pattern)) return FrontDoor::Decision::render;
    }
    return FrontDoor::Decision::hand_over;
  }

  // The visitor's token, as form_token_for() picks it: the first form_token cookie when it is
  // well-formed, otherwise a new one that is then set.
  std::string token;
  std::string set_cookie;
  if (page->form) {
    std::optional<std::string> cookie;
    for (const auto& [name, value] : head.headers) {
      if (!cookie && iequals(name, "Cookie")) cookie = cookie_in(value, kFormTokenCookie);
    }
    if (cookie && well_formed_form_token(*cookie)) {
      token = std::move(*cookie);
    } else {
      token = new_form_token();
      set_cookie = form_token_cookie(token, config_.tls());
    }
  }
  const bool gzipped = client_accepts_gzip(head);
  const std::string strong = page->etag_for(token);
  const std::string etag = gzipped ? weak(strong) : strong;
  const auto if_none_match = head.header("If-None-Match");
  // Weak comparison (RFC 9110 13.1.2): W/ is dropped from the listed tags.
  const bool not_modified = if_none_match && PageCache::etag_listed(*if_none_match, strong);
  const int status = not_modified ? 304 : 200;
  const std::string request_id = new_request_id();

  std::vector<std::pair<std::string_view, std::string_view>> headers;
  headers.reserve(16);
  headers.emplace_back("Cache-Control", page->form ? "private, no-cache" : "no-cache");
  headers.emplace_back("ETag", etag);
  headers.emplace_back("Vary", "Accept-Encoding");
  headers.emplace_back(kRequestIdHeader, request_id);
  if (!set_cookie.empty()) headers.emplace_back("Set-Cookie", set_cookie);
  if (!not_modified) {
    headers.emplace_back("Content-Type", "text/html; charset=utf-8");
    if (gzipped) headers.emplace_back("Content-Encoding", "gzip");
  }
  const std::string& stored = gzipped ? page->gzip : page->html;
  write(status, std::move(headers), stored, close, out);
  if (!not_modified && !token.empty()) {
    // The placeholder and a token have the same length (PageCache::Page::with_token).
    const size_t body_at = out.size() - stored.size();
    const auto& places = gzipped ? page->gzip_token_at : page->token_at;
    for (size_t at : places) {
      std::copy(token.begin(), token.end(),
                out.begin() + static_cast<std::ptrdiff_t>(body_at + at));
    }
    if (gzipped) {
      // The trailer's CRC-32 is the visitor's page's.
      const uint32_t sum = page->gzip_crc(token);
      for (int i = 0; i < 4; ++i) {
        out[out.size() - 8 + static_cast<size_t>(i)] = static_cast<char>(sum >> (8 * i));
      }
    }
  }

  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  metrics_.record_request(page->route, "GET", status, seconds);
  hits_.add();
  log_access(config_, "GET", path_of(head.target), status, seconds,
             not_modified ? 0 : stored.size(), request_id);
  return FrontDoor::Decision::answered;
}

std::optional<std::string> FrontPages::render(const RequestHead& head, bool close) const {
  const auto start = Clock::now();
  httplib::Request req;
  req.method = std::string(head.method);
  req.version = std::string(head.version);
  req.target = std::string(head.target);
  const size_t query = head.target.find('?');
  req.path = httplib::detail::decode_url(std::string(path_of(head.target)), false);
  if (query != std::string_view::npos) {
    httplib::detail::parse_query_text(std::string(head.target.substr(query + 1)), req.params);
  }
  for (const auto& [name, value] : head.headers) {
    req.headers.emplace(std::string(name), std::string(value));
  }
  for (const auto& route : routes_) {
    if (!std::regex_match(req.path, req.matches, route.pattern)) continue;
    httplib::Response res;
    const std::string request_id = new_request_id();
    res.set_header(kRequestIdHeader, request_id);
    try {
      route.handler(req, res);
    } catch (const std::exception&) {
      return std::nullopt;  // httplib runs it again and answers with its exception handler
    }
    if (res.status == -1) res.status = 200;
    // What only httplib writes: streamed bodies, error statuses without a body, odd statuses.
    if (res.content_provider_ || reason(res.status) == nullptr ||
        (res.status >= 400 && res.body.empty())) {
      return std::nullopt;
    }
    // Compressed as httplib would (it compresses text for clients that accept it), in gzip.
    const bool gzipped = res.status != 304 && !res.body.empty() && client_accepts_gzip(head) &&
                         res.get_header_value("Content-Type").starts_with("text/") &&
                         !res.has_header("Content-Encoding");
    std::string body;
    std::string etag;
    // A 304 names the representation a 200 would have: the compressed one's weak tag.
    if (gzipped || (res.status == 304 && client_accepts_gzip(head))) {
      if (res.has_header("ETag")) etag = weak(res.get_header_value("ETag"));
    }
    if (gzipped) body = gzip(res.body);
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    for (const auto& [name, value] : res.headers) {
      if (iequals(name, "Content-Length") || iequals(name, "Connection") ||
          iequals(name, "Keep-Alive") || (!etag.empty() && iequals(name, "ETag"))) {
        continue;
      }
      headers.emplace_back(name, value);
    }
    if (!etag.empty()) headers.emplace_back("ETag", etag);
    if (gzipped) {
      headers.emplace_back("Content-Encoding", "gzip");
      if (!res.has_header("Vary")) headers.emplace_back("Vary", "Accept-Encoding");
    }
    std::string out;
    write(res.status, std::move(headers), gzipped ? body : res.body, close, out);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    metrics_.record_request(std::string(current_route()), "GET", res.status, seconds);
    log_access(config_, "GET", path_of(head.target), res.status, seconds,
               res.status == 304 ? 0 : (gzipped ? body.size() : res.body.size()), request_id);
    return out;
  }
  return std::nullopt;
}

}  // namespace chophien::storefront
