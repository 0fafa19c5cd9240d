#include "storefront/receiving_account.h"

#include "qr/banks.h"
#include "storefront/auth.h"

namespace chophien::storefront {

std::string masked_account(const core::BankAccount& account) {
  if (account.account.empty()) return "không có";
  const qr::Bank* bank = qr::find_bank_by_bin(account.bin);
  const std::string name = bank ? std::string(bank->short_name) : account.bin;
  const std::string& number = account.account;
  return name + " ···" + (number.size() > 4 ? number.substr(number.size() - 4) : number);
}

Result<void> confirm_password(core::Database& db, const core::Clock& clock, const Config& config,
                              const core::User& user, std::string_view password,
                              std::string_view client_addr) {
  if (password.empty()) {
    return invalid_input("the password is required to confirm this change", "password");
  }
  core::Users users(db, clock, sign_in_options(config));
  auto session = users.authenticate(user.login, password, client_addr);
  if (!session) {
    if (session.error().code == ErrorCode::unauthenticated) {
      return Error{ErrorCode::forbidden, "the password is not right", "password"};
    }
    return session.error();
  }
  // Only the check was wanted: the session it opened goes at once.
  return users.logout(session->token);
}

Result<void> record_account_change(core::Database& db, const core::Clock& clock,
                                   core::AuditRecord record, const core::BankAccount& before,
                                   const core::BankAccount& after) {
  if (core::same_account(before, after)) return {};
  record.action = kAccountChangeAction;
  record.subject = masked_account(before) + " → " + masked_account(after);
  auto entry = core::AuditLog(db, clock).record(record);
  if (!entry) return entry.error();
  return {};
}

}  // namespace chophien::storefront
