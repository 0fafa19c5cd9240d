#include "storefront/front_answer.h"

#include <httplib.h>

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
  const std::string etag = page->etag_for(token);
  const auto if_none_match = head.header("If-None-Match");
  const bool not_modified = if_none_match && PageCache::etag_listed(*if_none_match, etag);
  const int status = not_modified ? 304 : 200;
  const std::string request_id = new_request_id();

  std::vector<std::pair<std::string_view, std::string_view>> headers;
  headers.reserve(16);
  headers.emplace_back("Cache-Control", page->form ? "private, no-cache" : "no-cache");
  headers.emplace_back("ETag", etag);
  headers.emplace_back(kRequestIdHeader, request_id);
  if (!set_cookie.empty()) headers.emplace_back("Set-Cookie", set_cookie);
  if (!not_modified) headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  write(status, std::move(headers), page->html, close, out);
  if (!not_modified && !token.empty()) {
    const size_t html_at = out.size() - page->html.size();
    for (size_t at : page->token_at) {
      // The placeholder and a token have the same length (PageCache::Page::with_token).
      std::copy(token.begin(), token.end(),
                out.begin() + static_cast<std::ptrdiff_t>(html_at + at));
    }
  }

  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  metrics_.record_request(page->route, "GET", status, seconds);
  hits_.add();
  log_access(config_, "GET", path_of(head.target), status, seconds,
             not_modified ? 0 : page->html.size(), request_id);
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
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    for (const auto& [name, value] : res.headers) {
      if (iequals(name, "Content-Length") || iequals(name, "Connection") ||
          iequals(name, "Keep-Alive")) {
        continue;
      }
      headers.emplace_back(name, value);
    }
    std::string out;
    write(res.status, std::move(headers), res.body, close, out);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    metrics_.record_request(std::string(current_route()), "GET", res.status, seconds);
    log_access(config_, "GET", path_of(head.target), res.status, seconds,
               res.status == 304 ? 0 : res.body.size(), request_id);
    return out;
  }
  return std::nullopt;
}

}  // namespace chophien::storefront
