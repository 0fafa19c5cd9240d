#pragma once
// VietQR payload codec: builds and reads the EMVCo merchant-presented-mode text that a VietQR image
// holds, following docs/vietqr.md (sections 11 and 12 of the project's standard summary).
// Pure functions over strings; thread-safe; no allocation beyond the returned values.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chophien::qr {

enum class Service { account, card, merchant_push, cash };  // QRIBFTTA, QRIBFTTC, QRPUSH, QRCASH
std::string_view service_code(Service s);

// The optional sub-fields of tag 62. Empty means absent.
struct AdditionalData {
  std::string bill_number;   // 62.01
  std::string mobile;        // 62.02
  std::string store;         // 62.03
  std::string loyalty;       // 62.04
  std::string reference;     // 62.05
  std::string customer;      // 62.06
  std::string terminal;      // 62.07
  std::string purpose;       // 62.08: the transfer description bank apps pre-fill
  std::string data_request;  // 62.09: letters A, M, E
};

// What the encoder is asked for. `bank` is a BIN, or a bank code or short name that the bank
// directory resolves (case- and diacritic-insensitive).
struct EncodeRequest {
  std::string bank;
  std::string account;  // account, card number or merchant id (38.01.01)
  Service service = Service::account;
  std::optional<int64_t> amount_vnd;  // dynamic code when set; static otherwise
  bool force_static = false;          // --static: write 01=11 even with an amount
  std::string mcc;                    // merchant only (52)
  std::string merchant_name;          // merchant only (59)
  std::string merchant_city;          // merchant only (60)
  std::string postal_code;            // 61
  AdditionalData additional;          // purpose is folded to ASCII before checks
};

struct EncodeError {
  std::string field;    // the request field at fault, e.g. "account", "purpose"
  std::string message;  // human-readable, names the field and the rule
};

struct Encoded {
  std::string payload;  // exact text for the QR image, CRC included
  std::string bin;      // resolved BIN
  std::string purpose;  // the purpose as written into 62.08 after folding (may be empty)
};

// Builds the payload in the canonical order of vietqr.md section 12. Never truncates or guesses:
// anything a bank would refuse is an EncodeError naming the field.
struct EncodeResult {
  std::optional<Encoded> value;
  std::optional<EncodeError> error;
  bool has_value() const { return value.has_value(); }
};
EncodeResult encode(const EncodeRequest& request);

// A decoded, validated payload.
struct Decoded {
  std::string payload;
  std::string scheme;      // "vietqr" or "vnpayqr"
  std::string initiation;  // "static", "dynamic", or "" when tag 01 is absent
  std::string guid;        // 38.00 or 26.00
  std::string bin;         // vietqr only
  std::string bank;        // directory code for the BIN, empty when unknown
  std::string account;     // 38.01.01, or 26.01 merchant id for vnpayqr
  std::string service;     // 38.02 as written, empty when absent
  std::optional<int64_t> amount;
  std::string currency;
  std::string country;
  std::optional<std::string> mcc, merchant_name, merchant_city, postal_code;
  std::optional<std::string> bill_number, mobile, store, loyalty, reference, customer, terminal,
      purpose, data_request;
  std::optional<std::string> merchant_id;  // vnpayqr 26.01
  std::string crc;                         // as written
  std::vector<std::string> warnings;       // stable ids, e.g. "W-CRC-LOWERCASE"
  std::map<std::string, std::string>
      unknown;  // unreserved/unknown objects, keyed by path ("80", "62.50")
};

struct DecodeError {
  std::string code;     // stable id from vietqr.md section 11, e.g. "E-CRC-MISMATCH"
  std::string message;  // human-readable
  size_t at = 0;        // byte offset in the payload where the failing object starts
};

struct DecodeResult {
  std::optional<Decoded> value;
  std::optional<DecodeError> error;
  bool has_value() const { return value.has_value(); }
};

// Validates with the rules of section 11 in order; the first failing rule is the error. Never
// repairs a payload.
DecodeResult decode(std::string_view payload);

// CRC-16/CCITT-FALSE over `data`, as 4 upper-case hex digits.
std::string crc16_hex(std::string_view data);

// Folds Vietnamese to ASCII and filters as section 2 says: diacritics removed (đ -> d, Đ -> D),
// then only A-Z a-z 0-9 space - . _ kept, any whitespace counted as a space, runs of spaces
// collapsed, trimmed. It does NOT cut to 25 characters: encode() refuses a purpose that is still
// longer than 25 after folding (field "purpose"), so a caller never gets a silently shortened text.
// Invalid UTF-8 bytes and characters with no ASCII form are dropped.
std::string fold_description(std::string_view text);

// The stable ids decode() can report, in the order of vietqr.md section 11, and its warning ids.
std::span<const std::string_view> decode_error_codes();
std::span<const std::string_view> decode_warning_codes();

}  // namespace chophien::qr
