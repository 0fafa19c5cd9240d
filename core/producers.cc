#include "core/producers.h"

#include <algorithm>
#include <utility>

#include "core/text.h"

namespace chophien::core {

namespace {

constexpr size_t kMaxShortText = 200;
constexpr size_t kMaxRegistrationNo = 32;
constexpr size_t kMaxAccount = 19;

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Trimmed, valid UTF-8, no control characters (newlines allowed only where `multiline`), NFC,
// at most `max_bytes`. `required` rejects empty.
Result<std::string> clean_text(std::string_view raw, const char* field, size_t max_bytes,
                               bool required, bool multiline = false) {
  std::string_view s = trim(raw);
  if (!is_valid_utf8(s)) return invalid_input(std::string(field) + " is not valid UTF-8", field);
  for (unsigned char c : s) {
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f) {
      return invalid_input(std::string(field) + " contains control characters", field);
    }
  }
  auto normalised = nfc(s);
  if (!normalised) return invalid_input(std::string(field) + " is not valid UTF-8", field);
  if (normalised->size() > max_bytes) {
    return invalid_input(
        std::string(field) + " is longer than " + std::to_string(max_bytes) + " bytes", field);
  }
  if (required && normalised->empty()) {
    return invalid_input(std::string(field) + " is required", field);
  }
  return normalised;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Vietnamese numbers: mobiles 0 + 9 digits, landlines 0 + 10 digits; "+84" / "84" prefixes
// become "0". Spaces, dots, dashes and parentheses are dropped.
Result<std::string> clean_phone(std::string_view raw) {
  std::string digits;
  std::string_view s = trim(raw);
  if (s.empty()) return std::string();
  bool plus = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
      return invalid_input("phone must be a Vietnamese phone number", "phone");
    }
  }
  if (plus || (digits.size() >= 11 && digits.rfind("84", 0) == 0 && digits[2] != '0')) {
    if (digits.rfind("84", 0) != 0) {
      return invalid_input("phone must be a Vietnamese number (+84)", "phone");
    }
    digits = "0" + digits.substr(2);
  }
  if (digits.size() < 10 || digits.size() > 11 || digits[0] != '0' || digits[1] == '0') {
    return invalid_input("phone must be a Vietnamese phone number", "phone");
  }
  return digits;
}

constexpr std::string_view kColumns =
    "id, name, entity_type, area_code, area_valid_from, phone, address, bank_bin, bank_account, "
    "bank_holder, social_zalo, social_facebook, social_tiktok, social_source, registration_no, "
    "representative, ocop_registered_year, notes, status, registered_at, inactive_since, "
    "created_at, updated_at";

Producer read_producer(const Statement& s) {
  Producer p;
  p.id = s.column_int(0);
  auto& f = p.fields;
  f.name = s.column_text(1);
  f.entity_type = parse_entity_type(s.column_text(2)).value_or(EntityType::household_business);
  f.area_code = s.column_text(3);
  f.area_valid_from = s.column_text(4);
  f.phone = s.column_text(5);
  f.address = s.column_text(6);
  f.bank = BankAccount{s.column_text(7), s.column_text(8), s.column_text(9)};
  f.social.zalo = s.column_text(10);
  f.social.facebook = s.column_text(11);
  f.social.tiktok = s.column_text(12);
  f.social.source = parse_declared_by(s.column_text(13)).value_or(DeclaredBy::self_declared);
  f.registration_no = s.column_text(14);
  f.representative = s.column_text(15);
  if (auto year = s.column_optional_int(16)) f.ocop_registered_year = static_cast<int>(*year);
  f.notes = s.column_text(17);
  f.status = parse_producer_status(s.column_text(18)).value_or(ProducerStatus::active);
  f.registered_at = s.column_int(19);
  p.inactive_since = s.column_optional_int(20);
  p.created_at = s.column_int(21);
  p.updated_at = s.column_int(22);
  return p;
}

// Binds ?2..?20 in the order of kColumns after id, up to and including registered_at and
// inactive_since.
void bind_fields(Statement& s, const ProducerFields& f, std::optional<int64_t> inactive_since) {
  s.bind(2, f.name)
      .bind(3, entity_type_name(f.entity_type))
      .bind(4, f.area_code)
      .bind(5, f.area_valid_from)
      .bind(6, f.phone)
      .bind(7, f.address)
      .bind(8, f.bank.bin)
      .bind(9, f.bank.account)
      .bind(10, f.bank.holder)
      .bind(11, f.social.zalo)
      .bind(12, f.social.facebook)
      .bind(13, f.social.tiktok)
      .bind(14, declared_by_name(f.social.source))
      .bind(15, f.registration_no)
      .bind(16, f.representative)
      .bind(17, f.ocop_registered_year)
      .bind(18, f.notes)
      .bind(19, producer_status_name(f.status))
      .bind(20, *f.registered_at)
      .bind(21, inactive_since);
}

}  // namespace

std::string_view entity_type_name(EntityType type) {
  switch (type) {
    case EntityType::enterprise:
      return "enterprise";
    case EntityType::cooperative:
      return "cooperative";
    case EntityType::cooperative_group:
      return "cooperative_group";
    case EntityType::household_business:
      return "household_business";
  }
  return "household_business";
}

std::optional<EntityType> parse_entity_type(std::string_view name) {
  for (auto t : {EntityType::enterprise, EntityType::cooperative, EntityType::cooperative_group,
                 EntityType::household_business}) {
    if (entity_type_name(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view producer_status_name(ProducerStatus status) {
  return status == ProducerStatus::active ? "active" : "inactive";
}

std::optional<ProducerStatus> parse_producer_status(std::string_view name) {
  if (name == "active") return ProducerStatus::active;
  if (name == "inactive") return ProducerStatus::inactive;
  return std::nullopt;
}

std::string_view declared_by_name(DeclaredBy source) {
  return source == DeclaredBy::officer ? "officer" : "self_declared";
}

std::optional<DeclaredBy> parse_declared_by(std::string_view name) {
  if (name == "self_declared") return DeclaredBy::self_declared;
  if (name == "officer") return DeclaredBy::officer;
  return std::nullopt;
}

Result<ProducerFields> ProducerStore::validate(ProducerFields f) {
  auto text = [](std::string& value, const char* field, size_t max, bool required,
                 bool multiline = false) -> Result<void> {
    auto cleaned = clean_text(value, field, max, required, multiline);
    if (!cleaned) return cleaned.error();
    value = std::move(*cleaned);
    return {};
  };
  if (auto ok = text(f.name, "name", kMaxProducerName, true); !ok) return ok.error();
  if (auto ok = text(f.address, "address", kMaxAddress, false); !ok) return ok.error();
  if (auto ok = text(f.representative, "representative", kMaxShortText, false); !ok) {
    return ok.error();
  }
  if (auto ok = text(f.notes, "notes", kMaxNotes, false, true); !ok) return ok.error();
  if (auto ok = text(f.social.zalo, "social.zalo", kMaxShortText, false); !ok) return ok.error();
  if (auto ok = text(f.social.facebook, "social.facebook", kMaxShortText, false); !ok) {
    return ok.error();
  }
  if (auto ok = text(f.social.tiktok, "social.tiktok", kMaxShortText, false); !ok) {
    return ok.error();
  }

  auto phone = clean_phone(f.phone);
  if (!phone) return phone.error();
  f.phone = std::move(*phone);

  // Registration numbers: tax codes are 10 or 13 digits ("0123456789-001"); business registration
  // numbers of cooperatives and household businesses vary, so only the characters are checked.
  f.registration_no = std::string(trim(f.registration_no));
  if (f.registration_no.size() > kMaxRegistrationNo ||
      !std::all_of(f.registration_no.begin(), f.registration_no.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
               c == '-' || c == '/' || c == '.';
      })) {
    return invalid_input("registration_no must be up to 32 letters, digits, '-', '/' or '.'",
                         "registration_no");
  }

  // OCOP started in 2018 (Decision 490/QĐ-TTg).
  if (f.ocop_registered_year &&
      (*f.ocop_registered_year < 2018 || *f.ocop_registered_year > 2100)) {
    return invalid_input("ocop_registered_year must be between 2018 and 2100",
                         "ocop_registered_year");
  }

  // Bank account: all or nothing.
  f.bank.bin = std::string(trim(f.bank.bin));
  f.bank.account = std::string(trim(f.bank.account));
  if (auto ok = text(f.bank.holder, "bank.holder", kMaxShortText, false); !ok) return ok.error();
  if (!f.bank.empty()) {
    if (f.bank.bin.size() != 6 || !all_digits(f.bank.bin)) {
      return invalid_input("bank.bin must be 6 digits", "bank.bin");
    }
    if (bin_check_ && !bin_check_(f.bank.bin)) {
      return invalid_input("bank.bin is not a known bank", "bank.bin");
    }
    if (f.bank.account.empty() || f.bank.account.size() > kMaxAccount ||
        !std::all_of(f.bank.account.begin(), f.bank.account.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        })) {
      return invalid_input("bank.account must be 1 to 19 letters or digits", "bank.account");
    }
    if (f.bank.holder.empty()) return invalid_input("bank.holder is required", "bank.holder");
  }

  if (!f.registered_at) f.registered_at = clock_.now();

  // Area: the unit itself, or the one with that code valid on the registration date.
  f.area_code = std::string(trim(f.area_code));
  f.area_valid_from = std::string(trim(f.area_valid_from));
  if (f.area_code.empty()) return invalid_input("area_code is required", "area_code");
  if (f.area_code.size() > 16 || !is_valid_utf8(f.area_code)) {
    return invalid_input("area_code is not a known area", "area_code");
  }
  AreaStore areas(db_);
  if (f.area_valid_from.empty()) {
    auto area = areas.resolve(f.area_code, vietnam_date(*f.registered_at));
    if (!area) {
      if (area.error().code != ErrorCode::not_found) return area.error();
      return invalid_input("area_code is not an area valid on the registration date", "area_code");
    }
    f.area_valid_from = area->key.valid_from;
  } else {
    auto area = areas.find(AreaKey{f.area_code, f.area_valid_from});
    if (!area) {
      if (area.error().code != ErrorCode::not_found) return area.error();
      return invalid_input("area_code is not a known area", "area_code");
    }
  }
  return f;
}

Result<void> ProducerStore::check_account_is_free(const BankAccount& bank,
                                                  std::optional<int64_t> producer_id) {
  if (bank.account.empty()) return {};
  auto stmt = db_.prepare(
      "SELECT 1 FROM producers WHERE bank_bin = ?1 AND bank_account = ?2 AND (?3 IS NULL OR id <> "
      "?3) LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, bank.bin).bind(2, bank.account).bind(3, producer_id);
  auto taken = stmt->step();
  if (!taken) return taken.error();
  if (*taken) {
    return Error{ErrorCode::conflict, "bank.account is the receiving account of another producer",
                 "bank.account"};
  }
  return {};
}

Result<Producer> ProducerStore::create(ProducerFields fields) {
  auto valid = validate(std::move(fields));
  if (!valid) return valid.error();
  // The check and the write in one write transaction, so two producers cannot both take it.
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  if (auto free = check_account_is_free(valid->bank, std::nullopt); !free) return free.error();
  const int64_t now = clock_.now();
  auto stmt = db_.prepare(
      "INSERT INTO producers (name, entity_type, area_code, area_valid_from, phone, address, "
      "bank_bin, bank_account, bank_holder, social_zalo, social_facebook, social_tiktok, "
      "social_source, registration_no, representative, ocop_registered_year, notes, status, "
      "registered_at, inactive_since, created_at, updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?1, ?1)");
  if (!stmt) return stmt.error();
  stmt->bind(1, now);
  std::optional<int64_t> inactive_since;
  if (valid->status == ProducerStatus::inactive) inactive_since = now;
  bind_fields(*stmt, *valid, inactive_since);
  if (auto ok = stmt->run(); !ok) return ok.error();
  auto created = get(db_.last_insert_id());
  if (!created) return created.error();
  if (auto ok = tx->commit(); !ok) return ok.error();
  return created;
}

Result<Producer> ProducerStore::get(int64_t id) {
  auto stmt = db_.prepare("SELECT " + std::string(kColumns) + " FROM producers WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return not_found("no producer " + std::to_string(id));
  return read_producer(*stmt);
}

Result<Producer> ProducerStore::update(int64_t id, ProducerFields fields) {
  auto tx = db_.begin_or_join();
  if (!tx) return tx.error();
  auto current = get(id);
  if (!current) return current.error();
  if (!fields.registered_at) fields.registered_at = current->fields.registered_at;
  auto valid = validate(std::move(fields));
  if (!valid) return valid.error();
  if (!same_account(valid->bank, current->fields.bank)) {
    if (auto free = check_account_is_free(valid->bank, id); !free) return free.error();
  }
  const int64_t now = clock_.now();
  std::optional<int64_t> inactive_since;
  if (valid->status == ProducerStatus::inactive) {
    inactive_since = current->fields.status == ProducerStatus::inactive && current->inactive_since
                         ? *current->inactive_since
                         : now;
  }
  auto stmt = db_.prepare(
      "UPDATE producers SET name = ?2, entity_type = ?3, area_code = ?4, area_valid_from = ?5, "
      "phone = ?6, address = ?7, bank_bin = ?8, bank_account = ?9, bank_holder = ?10, "
      "social_zalo = ?11, social_facebook = ?12, social_tiktok = ?13, social_source = ?14, "
      "registration_no = ?15, representative = ?16, ocop_registered_year = ?17, notes = ?18, "
      "status = ?19, registered_at = ?20, inactive_since = ?21, updated_at = ?22 WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, id).bind(22, now);
  bind_fields(*stmt, *valid, inactive_since);
  if (auto ok = stmt->run(); !ok) return ok.error();
  if (db_.changes() == 0) return not_found("no producer " + std::to_string(id));
  auto updated = get(id);
  if (!updated) return updated.error();
  if (auto ok = tx->commit(); !ok) return ok.error();
  return updated;
}

Result<Producer> ProducerStore::set_status(int64_t id, ProducerStatus status) {
  auto current = get(id);
  if (!current) return current.error();
  ProducerFields fields = current->fields;
  fields.status = status;
  return update(id, std::move(fields));
}

Result<std::vector<Producer>> ProducerStore::list(const ProducerFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) {
    return invalid_input("limit must be between 1 and 1000", "limit");
  }
  if (filter.offset < 0) return invalid_input("offset must not be negative", "offset");
  auto stmt = db_.prepare("SELECT " + std::string(kColumns) +
                          " FROM producers WHERE (?1 IS NULL OR area_code = ?1)"
                          " AND (?2 IS NULL OR (area_code = ?2 AND area_valid_from = ?3))"
                          " AND (?4 IS NULL OR entity_type = ?4) AND (?5 IS NULL OR status = ?5)"
                          " ORDER BY name, id LIMIT ?6 OFFSET ?7");
  if (!stmt) return stmt.error();
  stmt->bind(1, filter.area_code);
  if (filter.area) {
    stmt->bind(2, filter.area->code).bind(3, filter.area->valid_from);
  } else {
    stmt->bind_null(2).bind_null(3);
  }
  if (filter.entity_type) {
    stmt->bind(4, entity_type_name(*filter.entity_type));
  } else {
    stmt->bind_null(4);
  }
  if (filter.status) {
    stmt->bind(5, producer_status_name(*filter.status));
  } else {
    stmt->bind_null(5);
  }
  stmt->bind(6, filter.limit).bind(7, filter.offset);
  std::vector<Producer> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_producer(*stmt));
  }
  return out;
}

}  // namespace chophien::core
