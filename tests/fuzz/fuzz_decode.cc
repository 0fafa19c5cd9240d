// libFuzzer target for qr::decode: any bytes in, never a crash, and every accepted payload keeps
// the decoder's promises (CRC, limits, stable ids, determinism, re-encoding round trip).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "qr/payload.h"

namespace {

using namespace chophien::qr;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

bool listed(std::span<const std::string_view> ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

void check_error(std::string_view input, const DecodeResult& result) {
  check(result.error.has_value(), "no value and no error");
  check(listed(decode_error_codes(), result.error->code), "error id not in the table");
  check(!result.error->message.empty(), "empty error message");
  check(result.error->at <= input.size(), "error offset past the input");
}

void check_value(std::string_view input, const Decoded& d) {
  check(d.payload == input, "payload not kept as written");
  check(input.size() >= 8 && input.size() <= 512, "length limits");
  for (char c : input) check(c >= 0x20 && c <= 0x7E, "non-printable byte accepted");
  check(input.substr(0, 6) == "000201", "format indicator");
  check(input.substr(input.size() - 8, 4) == "6304", "CRC not last");
  check(d.crc == input.substr(input.size() - 4), "CRC not as written");
  check(upper(d.crc) == crc16_hex(input.substr(0, input.size() - 4)), "CRC does not match");
  for (const auto& w : d.warnings) check(listed(decode_warning_codes(), w), "unknown warning id");
  check(d.scheme == "vietqr" || d.scheme == "vnpayqr", "scheme");
  check(d.currency == "704" && d.country == "VN", "currency/country");
  if (d.amount) check(*d.amount >= 1 && *d.amount <= 9'999'999'999'999, "amount range");
  if (d.scheme != "vietqr") return;
  check(d.bin.size() == 6, "BIN length");
  check(!d.account.empty() && d.account.size() <= 19, "account length");

  // Re-encode what was read. The encoder may refuse (it is stricter), but whatever it writes
  // must decode to the same values.
  EncodeRequest r;
  r.bank = d.bin;
  r.account = d.account;
  if (d.service == "QRIBFTTC") r.service = Service::card;
  if (d.service == "QRPUSH") r.service = Service::merchant_push;
  if (d.service == "QRCASH") r.service = Service::cash;
  r.amount_vnd = d.amount;
  r.force_static = d.initiation == "static";
  r.mcc = d.mcc.value_or("");
  r.merchant_name = d.merchant_name.value_or("");
  r.merchant_city = d.merchant_city.value_or("");
  r.postal_code = d.postal_code.value_or("");
  AdditionalData& a = r.additional;
  a.bill_number = d.bill_number.value_or("");
  a.mobile = d.mobile.value_or("");
  a.store = d.store.value_or("");
  a.loyalty = d.loyalty.value_or("");
  a.reference = d.reference.value_or("");
  a.customer = d.customer.value_or("");
  a.terminal = d.terminal.value_or("");
  a.purpose = d.purpose.value_or("");
  a.data_request = d.data_request.value_or("");
  auto again = encode(r);
  if (!again.has_value()) {
    check(again.error.has_value() && !again.error->field.empty(), "refusal without a field");
    return;
  }
  auto back = decode(again.value->payload);
  check(back.has_value(), "encoder output rejected by decoder");
  const Decoded& e = *back.value;
  check(e.bin == d.bin && e.account == d.account && e.amount == d.amount, "round trip: 38/54");
  check(e.service == std::string(service_code(r.service)), "round trip: service");
  check(e.mcc == d.mcc && e.merchant_name == d.merchant_name, "round trip: 52/59");
  check(e.merchant_city == d.merchant_city && e.postal_code == d.postal_code, "round trip: 60/61");
  check(e.reference == d.reference && e.terminal == d.terminal, "round trip: 62");
  check(e.purpose.value_or("") == fold_description(a.purpose), "round trip: purpose");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  DecodeResult first = decode(input);
  DecodeResult second = decode(input);
  check(first.has_value() != first.error.has_value(), "exactly one of value and error");
  check(first.has_value() == second.has_value(), "decode is not deterministic");
  if (first.has_value()) {
    check(first.value->warnings == second.value->warnings, "warnings not deterministic");
    check_value(input, *first.value);
  } else {
    check(first.error->code == second.error->code && first.error->at == second.error->at,
          "error not deterministic");
    check_error(input, first);
  }
  return 0;
}
