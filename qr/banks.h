#pragma once
// The bank directory, compiled into the binary from data/banks.json. Immutable; thread-safe.

#include <optional>
#include <span>
#include <string>
#include <string_view>

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
};

// All banks, ordered by BIN.
std::span<const Bank> banks();

// Finds a bank by BIN.
const Bank* find_bank_by_bin(std::string_view bin);

// Resolves a BIN, a code or a short name (case- and diacritic-insensitive; "vietcombank", "VCB",
// "970436" all give Vietcombank). Null when nothing matches.
const Bank* resolve_bank(std::string_view query);

}  // namespace chophien::qr
