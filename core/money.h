#pragma once
// Money is whole Vietnamese đồng: VND has no minor unit in use, so an amount is an int64_t and
// never a floating-point number. Vnd keeps amounts from mixing with counts and ids.
// Arithmetic that would overflow int64_t is a bug (no real amount comes near 9.2e18 ₫) and throws
// std::logic_error.

#include <compare>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/text.h"

namespace chophien::core {

class Vnd {
 public:
  constexpr Vnd() = default;
  constexpr explicit Vnd(int64_t amount) : amount_(amount) {}

  constexpr int64_t value() const { return amount_; }
  constexpr bool is_negative() const { return amount_ < 0; }
  constexpr bool is_zero() const { return amount_ == 0; }

  friend constexpr auto operator<=>(Vnd, Vnd) = default;

  friend Vnd operator+(Vnd a, Vnd b) {
    int64_t out = 0;
    if (__builtin_add_overflow(a.amount_, b.amount_, &out)) throw std::logic_error("Vnd overflow");
    return Vnd(out);
  }
  friend Vnd operator-(Vnd a, Vnd b) {
    int64_t out = 0;
    if (__builtin_sub_overflow(a.amount_, b.amount_, &out)) throw std::logic_error("Vnd overflow");
    return Vnd(out);
  }
  friend Vnd operator-(Vnd a) { return Vnd(0) - a; }
  // Price times quantity.
  friend Vnd operator*(Vnd a, int64_t times) {
    int64_t out = 0;
    if (__builtin_mul_overflow(a.amount_, times, &out)) throw std::logic_error("Vnd overflow");
    return Vnd(out);
  }
  friend Vnd operator*(int64_t times, Vnd a) { return a * times; }
  Vnd& operator+=(Vnd other) { return *this = *this + other; }
  Vnd& operator-=(Vnd other) { return *this = *this - other; }

  // "120.000 ₫" (see format_vnd).
  std::string format() const { return format_vnd(amount_); }

 private:
  int64_t amount_ = 0;
};

}  // namespace chophien::core
