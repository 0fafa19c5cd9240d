#pragma once
// Who is on the other end of a request: the one rule for the client address that sign-in
// throttling, the checkout caps and the webhook limiter count by.
//
// The connection's peer is the client, unless the peer is a trusted proxy
// (CHOPHIEN_TRUSTED_PROXIES, usually the reverse proxy on the same machine): then the client is the
// right-most address of X-Forwarded-For (all its lines, in order) that is not itself a trusted
// proxy. Everything left of that is what the client wrote and is never believed. An X-Forwarded-For
// from an untrusted peer is ignored. Addresses are compared in their canonical text (inet_ntop), so
// "::ffff:127.0.0.1" and "127.0.0.1" are one address and "0:0::1" is "::1".
//
// Thread-safety: TrustedProxies is immutable after parse(); client_address() is a pure function.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace httplib {
struct Request;
}  // namespace httplib

namespace chophien::storefront {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // none: X-Forwarded-For is never read
  // Comma-separated IPv4 or IPv6 addresses (spaces allowed; "" for none). invalid_input naming
  // `field` for anything else (a host name, a range, a port).
  static Result<TrustedProxies> parse(std::string_view list, std::string_view field);

  bool empty() const { return addresses_.empty(); }
  // `address` in any textual form; false for text that is not an IP address.
  bool contains(std::string_view address) const;
  const std::vector<std::string>& addresses() const { return addresses_; }  // canonical

 private:
  std::vector<std::string> addresses_;
};

// The canonical text of an IP address (an IPv4-mapped IPv6 address as IPv4; brackets and a port
// after an IPv4 address or a bracketed IPv6 address are dropped), or nullopt when `text` is not
// one.
std::optional<std::string> canonical_address(std::string_view text);

// See the header comment. Falls back to the peer's address when the forwarded entry to use is not
// an IP address (a proxy never writes one: only a client could).
std::string client_address(const httplib::Request& req, const TrustedProxies& proxies);

// The client as the per-address limits count it (sign-in throttling, the checkout caps): an IPv6
// address by its /64 ("2001:db8:1:2::/64"), since one line or household gets a whole /64 and may
// take any address in it; IPv4, loopback and anything else as client_address() gives it.
std::string limited_address(const httplib::Request& req, const TrustedProxies& proxies);

}  // namespace chophien::storefront
