#pragma once
// The payment block of an order: where and how much the customer transfers, as api.md shows it
// ("payment": {bin, bank, account, holder, amount_vnd, description, vietqr}) and as the order page
// prints it for typing by hand. The amount is what is still due (the total when nothing or more
// than the total was paid); the description is the order's payment code, which is also the
// purpose (62.08) of a dynamic VietQR payload.
//
// payment_info is a pure function of its inputs; thread-safe.
//
// payos_offer: the payOS payment link offered beside our own VietQR when the producer connected
// payOS (integrations.md 5.3). The link is created once per order with the signed request
// (order code = the order's id; payOS's 231 fetches the existing one), stored, and read back on
// later calls. Offered only while the order is pending and nothing has been paid, for the whole
// total. Never fails the page: when payOS is unreachable or refuses, the reason is logged
// (event payos.link_failed, no secret) and nullopt is returned; an unreachable payOS is not asked
// again for a minute, a refused order for ten. One short attempt (2 s to connect, 4 s to answer).
// Thread-safety: any thread; concurrent calls for the same order create at most one link here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/orders.h"
#include "core/producers.h"
#include "core/result.h"
#include "storefront/config.h"
#include "storefront/db_pool.h"

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

// The account is the one the order was placed with (core::Order::receiving), so a pending order
// keeps the QR it first showed after the producer changes accounts; the producer's current one
// when the order was placed without one. Fails with not_found when there is no receiving account
// (the order can still be paid in cash), and with invalid_input (field "bank.bin", "bank.account",
// ...) when the account cannot be written into a VietQR payload.
Result<PaymentInfo> payment_info(const core::Order& order, const core::Producer& producer);

struct PayosOffer {
  std::string checkout_url;  // payOS's checkout page
  std::string qr_code;       // payOS's VietQR payload text
  std::string qr_image;      // that payload as a PNG data: URI; "" when none or not renderable
  int64_t amount_vnd = 0;
};

// `order_url` is the customer's order page (with its token): payOS's return and cancel URL.
// Needs config.secret_key to open the producer's stored payOS keys.
std::optional<PayosOffer> payos_offer(const Config& config, DbPool& db, const core::Clock& clock,
                                      const core::Order& order, const std::string& order_url);

}  // namespace chophien::storefront
