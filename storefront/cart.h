#pragma once
// The visitor's cart, kept in a cookie: "id:qty,id:qty" followed by "." and an HMAC-SHA256 tag
// (first 16 bytes, hex) under the server's secret key, so a cookie the server did not write is
// ignored rather than turned into an order. At most kMaxCartCookieLines lines, each product once,
// quantities 1..kMaxCartQuantity. Anything that does not read back exactly (bad tag, bad number,
// duplicate, too many lines) gives an empty cart: a garbage cookie never fails a page.
//
// A Cart is a plain value; not thread-safe. seal_cart/open_cart are pure and thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/orders.h"
#include "core/result.h"

namespace chophien::storefront {

inline constexpr size_t kMaxCartCookieLines = 50;
inline constexpr int64_t kMaxCartQuantity = 1000;
inline constexpr const char* kCartCookie = "cart";

class Cart {
 public:
  const std::vector<core::CartLine>& lines() const { return lines_; }
  bool empty() const { return lines_.empty(); }
  // The quantity of `product_id`, 0 when absent.
  int64_t quantity_of(int64_t product_id) const;

  // Adds to the line of the product (or appends one). invalid_input (field "quantity") unless
  // 1 <= quantity and the sum stays <= kMaxCartQuantity; invalid_input (field "product_id") for
  // an id < 1 or a new line beyond kMaxCartCookieLines. The cart is unchanged on error.
  Result<void> add(int64_t product_id, int64_t quantity);
  // Sets the quantity of a line already in the cart; 0 removes it. invalid_input
  // (field "quantity") outside 0..kMaxCartQuantity; not_found when the product is not in the cart.
  Result<void> set(int64_t product_id, int64_t quantity);
  // Removes the line if present.
  void remove(int64_t product_id);
  void clear() { lines_.clear(); }

  // "12:2,5:1" in line order; "" for an empty cart.
  std::string encode() const;
  // The strict inverse of encode(); invalid_input on anything else.
  static Result<Cart> decode(std::string_view text);

 private:
  std::vector<core::CartLine> lines_;
};

// The cookie value for `cart` under `key` (any length; an empty key still signs).
std::string seal_cart(const Cart& cart, std::string_view key);
// The cart in a cookie value written by seal_cart with the same key; an empty cart otherwise.
Cart open_cart(std::string_view cookie_value, std::string_view key);

}  // namespace chophien::storefront
