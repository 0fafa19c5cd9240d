#pragma once
// Rendered public pages (home and its query variants, product pages, producer pages) kept in
// memory, so that a page is rendered once per change of the catalogue instead of once per request.
//
//   const uint64_t generation = app.db.generation();  // read BEFORE reading the database
//   if (auto page = cache.find(key, generation, now)) return serve(*page);
//   ... render `html` with PageCache::token_placeholder() as the CSRF token ...
//   cache.store(key, generation, html, now);
//
// Freshness: an entry is served only while its generation equals the current one (DbPool's
// catalogue generation grows after every commit in this process) and it is younger than max_age
// (which bounds staleness after writes by other processes, e.g. `chophien import`, and after a
// change of day). Reading the generation before the database makes the race safe: a commit that
// lands during rendering bumps the generation past the one the entry is stored under.
//
// Per-visitor bytes: only the CSRF token of forms differs between visitors. Pages are rendered
// with token_placeholder() (random per process, same length as a real token) in its place; the
// entry remembers where it occurs and with_token() writes the visitor's token there. Nothing else
// that depends on the visitor may be rendered into a cached page.
//
// Compressed form: each page is also kept gzip-compressed, with the token's places as stored
// (uncompressed) deflate blocks and the history reset after each, so that a visitor's gzip page is
// the stored bytes with the token copied in and the CRC-32 recomputed from the parts' CRCs:
// no compression per request. with_token_gzip() gives it.
//
// Bounded by max_bytes (keys, pages in both forms and a fixed overhead per entry), least recently
// used first out; a page larger than a quarter of the budget is not kept.
//
// Thread-safety: every member may be called from any thread (one mutex; entries are immutable and
// shared, so a page being served survives its eviction).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chophien::storefront {

class PageCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Options {
    size_t max_bytes = 4 * 1024 * 1024;
    std::chrono::milliseconds max_age{5000};
  };

  struct Page {
    std::string html;              // with the placeholder where the token goes
    std::vector<size_t> token_at;  // offsets of the placeholder in html
    std::string etag;              // strong validator of html, quoted: "\"c3ab8ff13720e8ad\""
    uint64_t generation = 0;
    TimePoint stored_at;
    std::string route;  // the pattern of the route that rendered it (the /metrics label)
    bool form = false;  // has a form: the visitor's CSRF token goes where the placeholder is
    std::string gzip;   // html gzip-compressed, the placeholder stored uncompressed (see above)
    std::vector<size_t> gzip_token_at;  // offsets of the placeholder in gzip
    // CRC-32 and length of the html between placeholders (token_at.size() + 1 parts).
    std::vector<std::pair<uint32_t, size_t>> gzip_parts;

    // The page as one visitor sees it: the placeholder replaced by `token` (which must have the
    // placeholder's length; an empty token is only allowed when the page has no form).
    std::string with_token(std::string_view token) const;
    // The same page gzip-compressed (RFC 1952): what gunzip turns into with_token(token). It is
    // `gzip` with the token at gzip_token_at and gzip_crc(token) as the trailer's CRC-32.
    std::string with_token_gzip(std::string_view token) const;
    uint32_t gzip_crc(std::string_view token) const;
    // The ETag for the page as one visitor sees it (depends on the token when there is a form).
    std::string etag_for(std::string_view token) const;
  };

  struct Stats {
    size_t entries = 0;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;  // absent, stale or expired
    uint64_t evictions = 0;
  };

  explicit PageCache(Options options);
  PageCache() : PageCache(Options{}) {}

  // The string to render in place of the visitor's CSRF token: 32 lower-case hex digits drawn at
  // construction, like a form token.
  const std::string& token_placeholder() const { return placeholder_; }

  // The entry for `key` when it was stored under `generation` and is younger than max_age at
  // `now`; null otherwise (a stale entry is dropped). `count_miss` false: a miss is not counted
  // in stats() (the front door asks first, and the handler asks again).
  std::shared_ptr<const Page> find(const std::string& key, uint64_t generation, TimePoint now,
                                   bool count_miss = true);

  // Keeps `html` (rendered with token_placeholder()) under `key`, replacing any older entry.
  // Returns the stored page, or a page that was not kept when it is too large for the budget.
  // `route` and `form` are kept with it (see Page).
  std::shared_ptr<const Page> store(const std::string& key, uint64_t generation, std::string html,
                                    TimePoint now, std::string route = {}, bool form = false);

  // True when an If-None-Match header value names `etag` (or is "*"). Weak forms match too
  // (RFC 9110 compares them weakly for GET).
  static bool etag_listed(std::string_view if_none_match, std::string_view etag);

  // Drops everything.
  void clear();

  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Page> page;
    size_t bytes = 0;
  };
  using List = std::list<Entry>;
  void erase(List::iterator it);  // needs mutex_

  const Options options_;
  const std::string placeholder_;
  mutable std::mutex mutex_;
  List lru_;                                                    // most recently used first
  std::unordered_map<std::string_view, List::iterator> index_;  // views into Entry::key
  Stats stats_;
};

}  // namespace chophien::storefront
