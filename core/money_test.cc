#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

namespace chophien::core {
namespace {

TEST(Vnd, AddsSubtractsAndMultipliesWholeDong) {
  Vnd price(45000);
  EXPECT_EQ((price * 3).value(), 135000);
  EXPECT_EQ((price + Vnd(5000)).value(), 50000);
  EXPECT_EQ((price - Vnd(50000)).value(), -5000);
  EXPECT_TRUE((price - Vnd(50000)).is_negative());
  EXPECT_EQ((-price).value(), -45000);
  Vnd total;
  EXPECT_TRUE(total.is_zero());
  total += price;
  total += price;
  total -= Vnd(10000);
  EXPECT_EQ(total, Vnd(80000));
  EXPECT_LT(Vnd(1), Vnd(2));
}

TEST(Vnd, FormatsForPeople) { EXPECT_EQ(Vnd(120000).format(), "120.000\u00a0₫"); }

TEST(Vnd, OverflowIsABug) {
  EXPECT_THROW(Vnd(INT64_MAX) + Vnd(1), std::logic_error);
  EXPECT_THROW(Vnd(INT64_MIN) - Vnd(1), std::logic_error);
  EXPECT_THROW(Vnd(INT64_MAX / 2 + 1) * 2, std::logic_error);
  EXPECT_THROW(-Vnd(INT64_MIN), std::logic_error);
}

}  // namespace
}  // namespace chophien::core
