#include "storefront/page_cache.h"

#include <zlib.h>

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

// Raw deflate of `parts` with `hole` (the placeholder) between consecutive parts, each hole as a
// stored block of its own after a full flush (byte-aligned, and nothing later refers back into
// it), wrapped as gzip. Fills the hole offsets and the parts' CRCs; the trailer's CRC-32 is that
// of the placeholder page.
void compress_with_holes(PageCache::Page& page, std::string_view hole,
                         const std::vector<std::string_view>& parts) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string& out = page.gzip;
  // Header: magic, deflate, no flags, no time, no extra flags, OS unknown.
  out.assign("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  uLong crc = crc32(0L, Z_NULL, 0);
  const uLong hole_crc =
      crc32(0L, reinterpret_cast<const Bytef*>(hole.data()), static_cast<uInt>(hole.size()));
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    const bool last = i + 1 == parts.size();
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.data()));
    z.avail_in = static_cast<uInt>(part.size());
    int rc = Z_OK;
    do {
      char buf[16384];
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = deflate(&z, last ? Z_FINISH : Z_FULL_FLUSH);
      if (rc == Z_STREAM_ERROR) throw std::logic_error("zlib: deflate state broken");
      out.append(buf, sizeof buf - z.avail_out);
    } while (z.avail_out == 0 || (last && rc != Z_STREAM_END));
    const uLong part_crc =
        crc32(0L, reinterpret_cast<const Bytef*>(part.data()), static_cast<uInt>(part.size()));
    page.gzip_parts.emplace_back(static_cast<uint32_t>(part_crc), part.size());
    crc = crc32_combine(crc, part_crc, static_cast<z_off_t>(part.size()));
    if (last) break;
    // A stored block, not the last: header bits 000, then LEN and its complement.
    const auto len = static_cast<uint16_t>(hole.size());
    const auto nlen = static_cast<uint16_t>(~len);
    const char stored[5] = {0, static_cast<char>(len & 0xff), static_cast<char>(len >> 8),
                            static_cast<char>(nlen & 0xff), static_cast<char>(nlen >> 8)};
    out.append(stored, sizeof stored);
    page.gzip_token_at.push_back(out.size());
    out.append(hole);
    crc = crc32_combine(crc, hole_crc, static_cast<z_off_t>(hole.size()));
  }
  deflateEnd(&z);
  const auto size = static_cast<uint32_t>(page.html.size());
  const auto sum = static_cast<uint32_t>(crc);
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(sum >> shift));
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(size >> shift));
}

}  // namespace

uint32_t PageCache::Page::gzip_crc(std::string_view token) const {
  const uLong token_crc =
      crc32(0L, reinterpret_cast<const Bytef*>(token.data()), static_cast<uInt>(token.size()));
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t i = 0; i < gzip_parts.size(); ++i) {
    crc = crc32_combine(crc, gzip_parts[i].first, static_cast<z_off_t>(gzip_parts[i].second));
    if (i < gzip_token_at.size()) {
      crc = crc32_combine(crc, token_crc, static_cast<z_off_t>(token.size()));
    }
  }
  return static_cast<uint32_t>(crc);
}

std::string PageCache::Page::with_token_gzip(std::string_view token) const {
  std::string out = gzip;
  // No token: the placeholder stays, with the CRC-32 stored for it.
  if (token.empty() || gzip_token_at.empty()) return out;
  for (size_t at : gzip_token_at) {
    // Same length as the placeholder, inside the stored blocks: a programming error otherwise.
    if (at + token.size() + 8 > out.size()) throw std::logic_error("PageCache: token out of range");
    std::memcpy(out.data() + at, token.data(), token.size());
  }
  const uint32_t sum = gzip_crc(token);
  for (int i = 0; i < 4; ++i) out[out.size() - 8 + i] = static_cast<char>(sum >> (8 * i));
  return out;
}

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
  std::vector<std::string_view> parts;
  size_t from = 0;
  for (size_t at : page->token_at) {
    parts.push_back(std::string_view(page->html).substr(from, at - from));
    from = at + placeholder_.size();
  }
  parts.push_back(std::string_view(page->html).substr(from));
  compress_with_holes(*page, placeholder_, parts);
  const size_t bytes = key.size() + page->html.size() + page->gzip.size() + kEntryOverhead;

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
