#include "storefront/cart.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>

namespace chophien::storefront {
namespace {

constexpr size_t kTagBytes = 16;

std::string cart_tag(std::string_view text, std::string_view key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  // "cart/1|" binds the tag to this use of the key.
  const std::string message = "cart/1|" + std::string(text);
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(kTagBytes * 2);
  for (size_t i = 0; i < kTagBytes && i < mac_len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0xF]);
  }
  return out;
}

// A positive decimal without sign or leading zero, at most 18 digits.
bool parse_positive(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

}  // namespace

int64_t Cart::quantity_of(int64_t product_id) const {
  for (const auto& line : lines_) {
    if (line.product_id == product_id) return line.quantity;
  }
  return 0;
}

Result<void> Cart::add(int64_t product_id, int64_t quantity) {
  if (product_id < 1) return invalid_input("product_id must be a product id", "product_id");
  if (quantity < 1 || quantity > kMaxCartQuantity) {
    return invalid_input("quantity must be 1.." + std::to_string(kMaxCartQuantity), "quantity");
  }
  for (auto& line : lines_) {
    if (line.product_id != product_id) continue;
    if (line.quantity + quantity > kMaxCartQuantity) {
      return invalid_input("at most " + std::to_string(kMaxCartQuantity) + " of one product",
                           "quantity");
    }
    line.quantity += quantity;
    return {};
  }
  if (lines_.size() >= kMaxCartCookieLines) {
    return invalid_input("at most " + std::to_string(kMaxCartCookieLines) + " products in a cart",
                         "product_id");
  }
  lines_.push_back({product_id, quantity});
  return {};
}

Result<void> Cart::set(int64_t product_id, int64_t quantity) {
  if (quantity < 0 || quantity > kMaxCartQuantity) {
    return invalid_input("quantity must be 0.." + std::to_string(kMaxCartQuantity), "quantity");
  }
  auto it = std::find_if(lines_.begin(), lines_.end(),
                         [&](const core::CartLine& l) { return l.product_id == product_id; });
  if (it == lines_.end()) return not_found("the product is not in the cart");
  if (quantity == 0) {
    lines_.erase(it);
  } else {
    it->quantity = quantity;
  }
  return {};
}

void Cart::remove(int64_t product_id) {
  std::erase_if(lines_, [&](const core::CartLine& l) { return l.product_id == product_id; });
}

std::string Cart::encode() const {
  std::string out;
  for (const auto& line : lines_) {
    if (!out.empty()) out.push_back(',');
    out += std::to_string(line.product_id) + ":" + std::to_string(line.quantity);
  }
  return out;
}

Result<Cart> Cart::decode(std::string_view text) {
  Cart cart;
  if (text.empty()) return cart;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const size_t colon = item.find(':');
    int64_t id = 0;
    int64_t qty = 0;
    if (colon == std::string_view::npos || !parse_positive(item.substr(0, colon), id) ||
        !parse_positive(item.substr(colon + 1), qty) || qty > kMaxCartQuantity ||
        cart.quantity_of(id) != 0 || cart.lines_.size() >= kMaxCartCookieLines) {
      return invalid_input("not a cart", "cart");
    }
    cart.lines_.push_back({id, qty});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return cart;
}

std::string seal_cart(const Cart& cart, std::string_view key) {
  const std::string text = cart.encode();
  return text + "." + cart_tag(text, key);
}

Cart open_cart(std::string_view cookie_value, std::string_view key) {
  const size_t dot = cookie_value.rfind('.');
  if (dot == std::string_view::npos) return {};
  const std::string_view text = cookie_value.substr(0, dot);
  const std::string_view tag = cookie_value.substr(dot + 1);
  const std::string expected = cart_tag(text, key);
  if (tag.size() != expected.size() ||
      CRYPTO_memcmp(tag.data(), expected.data(), expected.size()) != 0) {
    return {};
  }
  auto cart = Cart::decode(text);
  return cart ? *cart : Cart{};
}

}  // namespace chophien::storefront
