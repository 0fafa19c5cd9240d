#include "storefront/page_cache.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "storefront/form_token.h"

namespace chophien::storefront {
namespace {

// Rough cost of an entry beyond its key and page: list node, map slot, Page and shared_ptr blocks.
constexpr size_t kEntryOverhead = 256;

// FNV-1a, 64 bits: a validator, not a security measure.
uint64_t fnv1a(std::string_view bytes, uint64_t hash = 14695981039346656037ull) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string quoted_hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace

std::string PageCache::Page::with_token(std::string_view token) const {
  std::string out = html;
  if (token_at.empty()) return out;
  for (size_t at : token_at) {
    // Same length as the placeholder: a programming error otherwise, and the page would break.
    if (at + token.size() > out.size()) throw std::logic_error("PageCache: token out of range");
    std::memcpy(out.data() + at, token.data(), token.size());
  }
  return out;
}

std::string PageCache::Page::etag_for(std::string_view token) const {
  if (token_at.empty()) return etag;
  return quoted_hex(fnv1a(token, fnv1a(etag)));
}

PageCache::PageCache(Options options) : options_(options), placeholder_(new_form_token()) {}

std::shared_ptr<const PageCache::Page> PageCache::find(const std::string& key, uint64_t generation,
                                                       TimePoint now, bool count_miss) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    if (count_miss) ++stats_.misses;
    return nullptr;
  }
  const Page& page = *it->second->page;
  if (page.generation != generation || now - page.stored_at >= options_.max_age) {
    erase(it->second);
    if (count_miss) ++stats_.misses;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++stats_.hits;
  return lru_.front().page;
}

std::shared_ptr<const PageCache::Page> PageCache::store(const std::string& key, uint64_t generation,
                                                        std::string html, TimePoint now,
                                                        std::string route, bool form) {
  auto page = std::make_shared<Page>();
  page->html = std::move(html);
  page->route = std::move(route);
  page->form = form;
  for (size_t at = page->html.find(placeholder_); at != std::string::npos;
       at = page->html.find(placeholder_, at + placeholder_.size())) {
    page->token_at.push_back(at);
  }
  page->etag = quoted_hex(fnv1a(page->html));
  page->generation = generation;
  page->stored_at = now;
  const size_t bytes = key.size() + page->html.size() + kEntryOverhead;

  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) erase(it->second);
  if (bytes > options_.max_bytes / 4) return page;
  while (!lru_.empty() && stats_.bytes + bytes > options_.max_bytes) {
    erase(std::prev(lru_.end()));
    ++stats_.evictions;
  }
  lru_.push_front(Entry{key, page, bytes});
  index_.emplace(lru_.front().key, lru_.begin());
  stats_.bytes += bytes;
  stats_.entries = lru_.size();
  return page;
}

bool PageCache::etag_listed(std::string_view if_none_match, std::string_view etag) {
  size_t at = 0;
  while (at < if_none_match.size()) {
    size_t end = if_none_match.find(',', at);
    if (end == std::string_view::npos) end = if_none_match.size();
    std::string_view tag = if_none_match.substr(at, end - at);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    at = end + 1;
  }
  return false;
}

void PageCache::erase(List::iterator it) {
  stats_.bytes -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
  stats_.entries = lru_.size();
}

void PageCache::clear() {
  std::lock_guard lock(mutex_);
  index_.clear();
  lru_.clear();
  stats_.bytes = 0;
  stats_.entries = 0;
}

PageCache::Stats PageCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace chophien::storefront
