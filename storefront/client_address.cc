#include "storefront/client_address.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <algorithm>
#include <cstring>

namespace chophien::storefront {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f on each comma-separated item, trimmed, left to right.
template <typename F>
void for_each_item(std::string_view list, F&& f) {
  while (true) {
    const size_t comma = list.find(',');
    f(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

std::optional<std::string> canonical_address(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  if (text.front() == '[') {  // [v6] or [v6]:port
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {  // v4:port
    text = text.substr(0, text.find(':'));
  }
  const std::string copy(text);
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, copy.c_str(), bytes) == 1) {
    if (!inet_ntop(AF_INET, bytes, out, sizeof out)) return std::nullopt;
    return std::string(out);
  }
  if (inet_pton(AF_INET6, copy.c_str(), bytes) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, kMapped, sizeof kMapped) == 0) {
      if (!inet_ntop(AF_INET, bytes + 12, out, sizeof out)) return std::nullopt;
      return std::string(out);
    }
    if (!inet_ntop(AF_INET6, bytes, out, sizeof out)) return std::nullopt;
    return std::string(out);
  }
  return std::nullopt;
}

Result<TrustedProxies> TrustedProxies::parse(std::string_view list, std::string_view field) {
  TrustedProxies proxies;
  if (trim(list).empty()) return proxies;
  std::optional<std::string> bad;
  for_each_item(list, [&](std::string_view item) {
    if (bad) return;
    // A port or brackets mean the operator wrote something else than an address: refuse.
    auto canonical = item.find_first_of("[]") == std::string_view::npos &&
                             std::count(item.begin(), item.end(), ':') != 1
                         ? canonical_address(item)
                         : std::nullopt;
    if (!canonical) {
      bad = std::string(item);
      return;
    }
    if (std::find(proxies.addresses_.begin(), proxies.addresses_.end(), *canonical) ==
        proxies.addresses_.end())
      proxies.addresses_.push_back(*canonical);
  });
  if (bad) {
    return invalid_input(std::string(field) +
                             " must be IP addresses separated by commas (e.g. 127.0.0.1,::1), "
                             "got '" +
                             *bad + "'",
                         std::string(field));
  }
  return proxies;
}

bool TrustedProxies::contains(std::string_view address) const {
  if (addresses_.empty()) return false;
  auto canonical = canonical_address(address);
  return canonical &&
         std::find(addresses_.begin(), addresses_.end(), *canonical) != addresses_.end();
}

std::string client_address(const httplib::Request& req, const TrustedProxies& proxies) {
  const std::string peer = canonical_address(req.remote_addr).value_or(req.remote_addr);
  if (!proxies.contains(peer)) return peer;
  std::vector<std::string_view> hops;
  auto [begin, end] = req.headers.equal_range("X-Forwarded-For");
  for (auto it = begin; it != end; ++it) {
    for_each_item(it->second, [&](std::string_view item) {
      if (!item.empty()) hops.push_back(item);
    });
  }
  std::string last_trusted = peer;
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    auto canonical = canonical_address(*hop);
    if (!canonical) return last_trusted;  // written by the client: not believed
    if (!proxies.contains(*canonical)) return *canonical;
    last_trusted = *canonical;
  }
  return last_trusted;  // every hop a trusted proxy: the request began at one of them
}

std::string limited_address(const httplib::Request& req, const TrustedProxies& proxies) {
  std::string address = client_address(req, proxies);
  unsigned char bytes[16];
  if (address.find(':') == std::string::npos || address == "::1" ||
      inet_pton(AF_INET6, address.c_str(), bytes) != 1) {
    return address;
  }
  std::memset(bytes + 8, 0, 8);
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET6, bytes, text, sizeof text) == nullptr) return address;
  return std::string(text) + "/64";
}

}  // namespace chophien::storefront
