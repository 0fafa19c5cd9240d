#pragma once
// The producer register (chủ thể OCOP), table `producers` of migration 0002.
//
// Validation: every failure is invalid_input with `field` set to the API field name at fault
// ("name", "entity_type", "area_code", "phone", "address", "bank.bin", "bank.account",
// "bank.holder", "social.zalo", "social.facebook", "social.tiktok", "social.source",
// "registration_no", "representative", "ocop_registered_year", "notes", "status"). `message` is
// English; pages translate by field. Text is trimmed of surrounding ASCII white space, must be
// valid UTF-8 without control characters, is stored NFC, and SQL metacharacters are stored
// verbatim. Core does not know the bank directory (that is qr/): a BIN is checked for its form (6
// digits); pass a BinCheck to also check it against the directory.
//
// Not thread-safe: one ProducerStore per Database (per thread). Other errors: not_found (unknown
// id), unavailable (database busy).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/areas.h"
#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"

namespace chophien::core {

enum class EntityType { enterprise, cooperative, cooperative_group, household_business };
enum class ProducerStatus { active, inactive };
enum class DeclaredBy { self_declared, officer };

std::string_view entity_type_name(EntityType type);  // "cooperative_group"
std::optional<EntityType> parse_entity_type(std::string_view name);
std::string_view producer_status_name(ProducerStatus status);  // "active"
std::optional<ProducerStatus> parse_producer_status(std::string_view name);
std::string_view declared_by_name(DeclaredBy source);  // "self_declared"
std::optional<DeclaredBy> parse_declared_by(std::string_view name);

// The account that receives payments. All three empty means "no account yet".
struct BankAccount {
  std::string bin;      // 6 digits
  std::string account;  // 1-19 letters or digits
  std::string holder;   // as the bank shows it, e.g. "HTX NONG SAN BAO LAM"; stored as given (NFC)
  bool empty() const { return bin.empty() && account.empty() && holder.empty(); }
};
// The same account (bank and number; the holder's spelling aside).
inline bool same_account(const BankAccount& a, const BankAccount& b) {
  return a.bin == b.bin && a.account == b.account;
}

// Channels the producer sells through on social networks, as declared (not verified).
struct SocialChannels {
  std::string zalo;      // phone or link
  std::string facebook;  // page link or name
  std::string tiktok;    // handle or link
  DeclaredBy source = DeclaredBy::self_declared;
};

// What a caller provides to create or replace a producer.
struct ProducerFields {
  std::string name;
  EntityType entity_type = EntityType::household_business;
  std::string area_code;
  // The version of the area; empty: the unit with area_code valid on the registration date.
  std::string area_valid_from;
  std::string phone;  // stored in national form "0912345678"; "+84 912 345 678" is accepted
  std::string address;
  BankAccount bank;
  SocialChannels social;
  // The register an officer keeps.
  std::string registration_no;  // tax code or business registration number
  std::string representative;
  std::optional<int> ocop_registered_year;
  std::string notes;
  ProducerStatus status = ProducerStatus::active;
  std::optional<int64_t> registered_at;  // unix seconds; default: now
};

struct Producer {
  int64_t id = 0;
  ProducerFields fields;  // normalised; area_valid_from and registered_at always set
  std::optional<int64_t> inactive_since;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct ProducerFilter {
  std::optional<std::string> area_code;  // any version of this code
  std::optional<AreaKey> area;           // exactly this unit
  std::optional<EntityType> entity_type;
  std::optional<ProducerStatus> status;
  int limit = 100;  // 1..1000
  int offset = 0;
};

// Answers whether a BIN is in the bank directory.
using BinCheck = std::function<bool(std::string_view bin)>;

inline constexpr size_t kMaxProducerName = 200;
inline constexpr size_t kMaxAddress = 300;
inline constexpr size_t kMaxNotes = 2000;

class ProducerStore {
 public:
  ProducerStore(Database& db, const Clock& clock, BinCheck bin_check = {})
      : db_(db), clock_(clock), bin_check_(std::move(bin_check)) {}

  // Checks and normalises without writing (also used by importers). Resolves an empty
  // area_valid_from against the areas table.
  Result<ProducerFields> validate(ProducerFields fields);

  // A receiving account (bank BIN + account number) belongs to at most one producer: create, and
  // an update that changes the account, fail with conflict (field "bank.account") when another
  // producer holds it. (Duplicates stored before this rule are left as they are until one of
  // them changes its account.) Both join the caller's transaction when one is open.
  Result<Producer> create(ProducerFields fields);
  Result<Producer> get(int64_t id);
  // Replaces every field (a PATCH is get, change, update). Keeps created_at; a change to
  // inactive records inactive_since, back to active clears it.
  Result<Producer> update(int64_t id, ProducerFields fields);
  Result<Producer> set_status(int64_t id, ProducerStatus status);
  // Ordered by name then id.
  Result<std::vector<Producer>> list(const ProducerFilter& filter = {});

 private:
  Result<void> check_account_is_free(const BankAccount& bank, std::optional<int64_t> producer_id);
  Database& db_;
  const Clock& clock_;
  BinCheck bin_check_;
};

}  // namespace chophien::core
