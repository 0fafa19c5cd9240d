#pragma once
// The payment block of an order: where and how much the customer transfers, as api.md shows it
// ("payment": {bin, bank, account, holder, amount_vnd, description, vietqr}) and as the order page
// prints it for typing by hand. The amount is what is still due (the total when nothing or more
// than the total was paid); the description is the order's payment code, which is also the
// purpose (62.08) of a dynamic VietQR payload.
//
// Pure function of its inputs; thread-safe.

#include <cstdint>
#include <string>

#include "core/orders.h"
#include "core/producers.h"
#include "core/result.h"

namespace chophien::storefront {

struct PaymentInfo {
  std::string bin;          // "970436"
  std::string bank;         // short name from the bank directory ("Vietcombank"); "" if unknown
  std::string account;      // "0011001234567"
  std::string holder;       // "HTX NONG SAN BAO LAM"
  int64_t amount_vnd = 0;   // still due
  std::string description;  // = the order's payment code
  std::string vietqr;       // the payload (dynamic, amount and purpose set)
};

// Fails with not_found when the producer has no receiving account (the order can still be paid
// in cash), and with invalid_input (field "bank.bin", "bank.account", ...) when the account
// cannot be written into a VietQR payload.
Result<PaymentInfo> payment_info(const core::Order& order, const core::Producer& producer);

}  // namespace chophien::storefront
