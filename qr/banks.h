#pragma once
// The bank directory, compiled into the binary from data/banks.json. Immutable; thread-safe (parsed
// once, on first use). Never throws: a directory that fails to parse is empty, which the tests
// catch.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chophien::qr {

struct Bank {
  std::string bin;         // 6 digits, tag 38.01.00
  std::string code;        // e.g. "VCB"
  std::string short_name;  // e.g. "Vietcombank"
  std::string name;        // full legal name, Vietnamese
  std::string swift;       // empty when unknown
  bool napas_transfer = false;
  bool account_lookup = false;
  bool vietqr_listed = false;
  std::string sbv_code;                   // code in the SBV BIN list, empty when the same/unknown
  std::vector<std::string> former_names;  // earlier names of the same BIN, as the data writes them
};

// All banks, ordered by BIN.
std::span<const Bank> banks();

// Finds a bank by BIN (exact 6 digits). Null when the BIN is not in the directory.
const Bank* find_bank_by_bin(std::string_view bin);

// Resolves a BIN, a code, a short name, an SBV code, a former name or the full legal name. The
// match ignores case, Vietnamese diacritics (đ = d), spaces and punctuation, so "vietcombank",
// "Vietcom Bank", "VCB" and "970436" all give Vietcombank, and "Ngân hàng" may be left out.
// When two BINs share a code (CIMB, MAFC), the one VietQR lists and that takes NAPAS transfers
// wins. Null when nothing matches.
const Bank* resolve_bank(std::string_view query);

}  // namespace chophien::qr
