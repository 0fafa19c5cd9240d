#include "storefront/payment_info.h"

#include "qr/banks.h"
#include "qr/payload.h"

namespace chophien::storefront {

Result<PaymentInfo> payment_info(const core::Order& order, const core::Producer& producer) {
  const core::BankAccount& account = producer.fields.bank;
  if (account.bin.empty() || account.account.empty()) {
    return not_found("the producer has no receiving account");
  }
  PaymentInfo info;
  info.bin = account.bin;
  if (const qr::Bank* bank = qr::find_bank_by_bin(account.bin)) info.bank = bank->short_name;
  info.account = account.account;
  info.holder = account.holder;
  const int64_t due = order.total_vnd - order.paid_vnd;
  info.amount_vnd = due > 0 ? due : order.total_vnd;
  info.description = order.code;

  qr::EncodeRequest request;
  request.bank = account.bin;
  request.account = account.account;
  request.amount_vnd = info.amount_vnd;
  request.additional.purpose = order.code;
  auto encoded = qr::encode(request);
  if (!encoded.has_value()) {
    const std::string field = encoded.error->field == "purpose" ? "code" : encoded.error->field;
    return invalid_input(encoded.error->message, field == "bank" ? "bank.bin" : "bank." + field);
  }
  info.vietqr = encoded.value->payload;
  return info;
}

}  // namespace chophien::storefront
