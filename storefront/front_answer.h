#pragma once
// What the front door (front_door.h) answers: GET requests for the public pages served through the
// page cache (page_cache.h; home, product and producer pages, the routes added with
// Router::page()).
//   - answer(), on an event thread: a page in the cache, written as its handler and httplib would
//     write it (status, ETag and 304, Cache-Control, Vary, the visitor's form token and its cookie,
//     the security headers, X-Request-Id, keep-alive headers). A page not in the cache whose path
//     is a page route is left to render(); anything else (other routes, HEAD) to httplib.
//   - Compression: httplib compresses text for clients that accept it (br or gzip). The front
//     door answers gzip to clients that accept gzip, from the page cache's compressed form, with
//     the ETag made weak (W/), and identity to the others.
//   - render(), on a render thread: runs the route's handler as httplib would (path decoded, query
//     parsed into params, regex matches), which renders the page and stores it in the cache.
// Each answer is counted in /metrics under its route (and as a page-cache hit when it is one) and
// gets its access-log line.
//
// Thread-safe: the front door calls both from its threads at once.

#include <optional>
#include <string>
#include <vector>

#include "storefront/config.h"
#include "storefront/db_pool.h"
#include "storefront/front_door.h"
#include "storefront/metrics.h"
#include "storefront/page_cache.h"
#include "storefront/server.h"

namespace chophien::storefront {

// The /metrics counter of public pages served from the cache (`hit`) or rendered.
Counter& page_cache_requests(Metrics& metrics, bool hit);

class FrontPages {
 public:
  // `routes` (the router's page routes) must outlive this.
  FrontPages(const Config& config, DbPool& db, PageCache& pages, Metrics& metrics,
             const std::vector<Router::PageRoute>& routes);

  FrontDoor::Decision answer(const RequestHead& head, bool close, std::string& out) const;
  std::optional<std::string> render(const RequestHead& head, bool close) const;

 private:
  // Appends status line, headers (with the security headers, keep-alive or close, and
  // Content-Length unless 304) and body.
  void write(int status, std::vector<std::pair<std::string_view, std::string_view>> headers,
             std::string_view body, bool close, std::string& out) const;

  const Config& config_;
  DbPool& db_;
  PageCache& pages_;
  Metrics& metrics_;
  const std::vector<Router::PageRoute>& routes_;
  Counter& hits_;
  std::string keep_alive_;  // the Keep-Alive header's value, as httplib writes it
};

}  // namespace chophien::storefront
