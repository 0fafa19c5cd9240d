// The cart and its cookie: limits, strict reading, and the signature that keeps tampered
// cookies out.
#include "storefront/cart.h"

#include <gtest/gtest.h>

namespace chophien::storefront {
namespace {

constexpr std::string_view kKey = "a test key that is long enough for hmac";

TEST(Cart, AddingTheSameProductTwiceSumsTheQuantities) {
  Cart cart;
  ASSERT_TRUE(cart.add(12, 2).has_value());
  ASSERT_TRUE(cart.add(5, 1).has_value());
  ASSERT_TRUE(cart.add(12, 3).has_value());
  EXPECT_EQ(cart.encode(), "12:5,5:1");
}

TEST(Cart, RejectsQuantitiesOutsideOneToAThousandAndLeavesTheCartUnchanged) {
  Cart cart;
  ASSERT_TRUE(cart.add(1, 999).has_value());
  EXPECT_EQ(cart.add(1, 2).error().field, "quantity");
  EXPECT_EQ(cart.add(2, 0).error().field, "quantity");
  EXPECT_EQ(cart.add(2, 1001).error().field, "quantity");
  EXPECT_EQ(cart.add(0, 1).error().field, "product_id");
  EXPECT_EQ(cart.encode(), "1:999");
}

TEST(Cart, HoldsAtMostFiftyLines) {
  Cart cart;
  for (int64_t id = 1; id <= 50; ++id) ASSERT_TRUE(cart.add(id, 1).has_value());
  EXPECT_FALSE(cart.add(51, 1).has_value());
  EXPECT_TRUE(cart.add(50, 1).has_value());  // an existing line may still grow
  EXPECT_EQ(cart.lines().size(), 50u);
}

TEST(Cart, SetToZeroRemovesTheLineAndUnknownLinesAreNotFound) {
  Cart cart;
  ASSERT_TRUE(cart.add(3, 2).has_value());
  ASSERT_TRUE(cart.add(4, 2).has_value());
  ASSERT_TRUE(cart.set(3, 7).has_value());
  ASSERT_TRUE(cart.set(4, 0).has_value());
  EXPECT_EQ(cart.encode(), "3:7");
  EXPECT_EQ(cart.set(9, 1).error().code, ErrorCode::not_found);
  EXPECT_EQ(cart.set(3, 1001).error().code, ErrorCode::invalid_input);
  cart.remove(3);
  EXPECT_TRUE(cart.empty());
}

TEST(Cart, DecodeIsTheStrictInverseOfEncode) {
  auto cart = Cart::decode("12:2,5:1");
  ASSERT_TRUE(cart.has_value());
  EXPECT_EQ(cart->encode(), "12:2,5:1");
  for (const char* bad :
       {"12", "12:", ":2", "12:0", "012:1", "12:1001", "12:1,12:1", "12:1,", ",12:1", "a:1",
        "12:-1", "12:+1", "12:1;5:1", "99999999999999999999:1", "12:1 "}) {
    EXPECT_FALSE(Cart::decode(bad).has_value()) << bad;
  }
}

TEST(Cart, SealedCookieOpensWithTheSameKeyOnly) {
  Cart cart;
  ASSERT_TRUE(cart.add(7, 3).has_value());
  const std::string sealed = seal_cart(cart, kKey);
  EXPECT_EQ(open_cart(sealed, kKey).encode(), "7:3");
  EXPECT_TRUE(open_cart(sealed, "another key").empty());
}

TEST(Cart, TamperedOrGarbageCookiesGiveAnEmptyCart) {
  Cart cart;
  ASSERT_TRUE(cart.add(7, 3).has_value());
  std::string sealed = seal_cart(cart, kKey);
  std::string more = sealed;
  more[2] = '9';  // 7:9 with the tag of 7:3
  EXPECT_TRUE(open_cart(more, kKey).empty());
  EXPECT_TRUE(open_cart("", kKey).empty());
  EXPECT_TRUE(open_cart("7:3", kKey).empty());
  EXPECT_TRUE(open_cart("7:3.", kKey).empty());
  EXPECT_TRUE(open_cart(std::string(5000, 'x'), kKey).empty());
  EXPECT_TRUE(open_cart(sealed.substr(0, sealed.size() - 1), kKey).empty());
}

TEST(Cart, ACartOverTheLimitsIsRefusedEvenWhenSigned) {
  std::string text;
  for (int id = 1; id <= 51; ++id) text += (id > 1 ? "," : "") + std::to_string(id) + ":1";
  EXPECT_FALSE(Cart::decode(text).has_value());
}

}  // namespace
}  // namespace chophien::storefront
