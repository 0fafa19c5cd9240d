#pragma once
// A change of a producer's receiving account (issue 17, point 3): the one rule for every place
// that changes it (the API's PATCH /api/v1/producers/{id}, the producer's stall QR page, the
// officers' register).
//
// - The account (bank BIN + number) belongs to at most one producer: core::ProducerStore refuses
//   another producer's with conflict, field "bank.account".
// - The producer changing its own account confirms it with its password (confirm_password); an
//   officer or administrator editing the register needs none (they are not the producer), but the
//   change is logged the same way.
// - Every change is written to the action log (action kAccountChangeAction) with the old and new
//   account masked but recognisable ("Vietcombank ···4567 → BIDV ···8901"), in the transaction of
//   the change. The officers' register lists the recent ones.
// - It applies to orders placed after it: a pending order keeps the account its QR shows
//   (core::Order::receiving), and its transfer is still accepted on that account
//   (core::PaymentStore::receives_into).
//
// Thread-safety: free functions over one connection.

#include <string>
#include <string_view>

#include "core/audit.h"
#include "core/clock.h"
#include "core/database.h"
#include "core/producers.h"
#include "core/result.h"
#include "core/users.h"
#include "storefront/config.h"

namespace chophien::storefront {

inline constexpr const char* kAccountChangeAction = "producer.bank_account";
// What the pages say when another producer holds the account.
inline constexpr const char* kAccountTakenMessage =
    "Tài khoản ngân hàng này đã là tài khoản nhận tiền của một chủ thể khác. Mỗi tài khoản chỉ "
    "nhận tiền cho một chủ thể.";

// "Vietcombank ···4567" (the bank's short name, or its BIN when unknown, and the last four
// characters of the number); "không có" for no account.
std::string masked_account(const core::BankAccount& account);

// Checks `password` against `user`'s, through the sign-in path (so its throttling applies: a
// stolen session cannot guess the password faster than a sign-in form). Errors: invalid_input
// (field "password") when empty, forbidden (field "password") when wrong, rate_limited when
// throttled; storage errors pass through. Leaves no session behind. Call it outside a
// transaction: a wrong password must stay counted although the change is refused.
// `client_addr` as storefront/client_address.h gives it; the throttling is the installation's
// sign-in settings (sign_in_options). Slow (scrypt): never call it under the writer lock.
Result<void> confirm_password(core::Database& db, const core::Clock& clock, const Config& config,
                              const core::User& user, std::string_view password,
                              std::string_view client_addr);

// Appends the action-log entry for a change from `before` to `after`, when the account (bank or
// number) changed; nothing otherwise. `record` carries who acted and for which producer.
Result<void> record_account_change(core::Database& db, const core::Clock& clock,
                                   core::AuditRecord record, const core::BankAccount& before,
                                   const core::BankAccount& after);

}  // namespace chophien::storefront
