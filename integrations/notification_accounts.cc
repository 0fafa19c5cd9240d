#include "integrations/notification_accounts.h"

#include "core/statement_cache.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

constexpr const char* kUpsert = R"sql(
INSERT INTO notification_connections (producer_id, provider, mode, client_id, secrets_sealed,
                                      hints, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
ON CONFLICT (producer_id, provider) DO UPDATE SET
  mode = excluded.mode, client_id = excluded.client_id, secrets_sealed = excluded.secrets_sealed,
  hints = excluded.hints, updated_at = excluded.updated_at)sql";

constexpr const char* kColumns =
    "c.producer_id, c.provider, c.mode, c.client_id, c.hints, c.updated_at, c.secrets_sealed, "
    "p.bank_account";

std::string context(int64_t producer_id, std::string_view provider) {
  return "notification:" + std::to_string(producer_id) + ":" + std::string(provider);
}

Result<std::string> secret_field(const json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return invalid_input(std::string(key) + " is required", key);
    return std::string();
  }
  if (!it->is_string()) return invalid_input(std::string(key) + " must be a string", key);
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() < 8 || s.size() > 256) {
    return invalid_input(std::string(key) + " must be 8 to 256 characters", key);
  }
  for (unsigned char c : s) {
    if (c < 0x21 || c > 0x7e) {
      return invalid_input(std::string(key) + " must be printable ASCII without spaces", key);
    }
  }
  return s;
}

ConnectionSummary summary_of(core::Statement& row) {
  ConnectionSummary s;
  s.producer_id = row.column_int(0);
  s.provider = row.column_text(1);
  s.mode = row.column_text(2);
  s.client_id = row.column_text(3);
  json hints = json::parse(row.column_text(4), nullptr, false);
  if (hints.is_object()) {
    for (auto it = hints.begin(); it != hints.end(); ++it) {
      if (it->is_string()) s.hints[it.key()] = it->get<std::string>();
    }
  }
  s.updated_at = row.column_int(5);
  return s;
}

}  // namespace

bool is_notification_provider(std::string_view provider) {
  return provider == "sepay" || provider == "casso" || provider == "payos";
}

Result<ConnectionSummary> NotificationAccounts::connect(int64_t producer_id,
                                                        std::string_view provider,
                                                        const json& body) {
  if (!is_notification_provider(provider)) {
    return Error{ErrorCode::not_found, "unknown notification service", "provider"};
  }
  if (!body.is_object()) return invalid_input("the body must be a JSON object", "body");
  std::string mode, client_id;
  std::map<std::string, std::string> secrets;
  auto take = [&](const char* key, bool required) -> Result<void> {
    auto v = secret_field(body, key, required);
    if (!v) return v.error();
    if (!v->empty()) secrets[key] = *v;
    return {};
  };
  Result<void> ok;
  if (provider == "sepay") {
    auto m = body.find("mode");
    mode = m != body.end() && m->is_string() ? m->get<std::string>() : "";
    if (mode != "apikey" && mode != "hmac") {
      return invalid_input("mode must be apikey or hmac", "mode");
    }
    ok = take(mode == "apikey" ? "api_key" : "secret", true);
    if (ok) ok = take("api_token", false);
  } else if (provider == "casso") {
    ok = take("secret", true);
    if (ok) ok = take("api_key", false);
  } else {
    auto c = body.find("client_id");
    if (c == body.end() || !c->is_string() || c->get_ref<const std::string&>().empty() ||
        c->get_ref<const std::string&>().size() > 100) {
      return invalid_input("client_id is required (1 to 100 characters)", "client_id");
    }
    client_id = c->get<std::string>();
    ok = take("api_key", true);
    if (ok) ok = take("checksum_key", true);
  }
  if (!ok) return ok.error();
  if (box_ == nullptr) {
    return Error{ErrorCode::unavailable,
                 "no encryption key is configured (CHOPHIEN_SECRET_KEY): secrets cannot be stored",
                 ""};
  }
  {
    auto p = db_.prepare("SELECT 1 FROM producers WHERE id = ?1");
    if (!p) return p.error();
    p->bind(1, producer_id);
    auto found = p->step();
    if (!found) return found.error();
    if (!*found) return Error{ErrorCode::not_found, "no such producer", "id"};
  }
  json secret_json = json::object(), hints = json::object();
  ConnectionSummary summary{producer_id, std::string(provider), mode, client_id, {}, clock_.now()};
  for (const auto& [k, v] : secrets) {
    secret_json[k] = v;
    hints[k] = secret_hint(v);
    summary.hints[k] = secret_hint(v);
  }
  std::string sealed = box_->seal(secret_json.dump(), context(producer_id, provider));
  auto s = db_.prepare(kUpsert);
  if (!s) return s.error();
  s->bind(1, producer_id)
      .bind(2, provider)
      .bind(3, mode)
      .bind(4, client_id)
      .bind(5, sealed)
      .bind(6, hints.dump())
      .bind(7, summary.updated_at);
  auto run = s->run();
  if (!run) return run.error();
  return summary;
}

Result<std::vector<ConnectionSummary>> NotificationAccounts::list(int64_t producer_id) {
  auto s = db_.prepare(std::string("SELECT ") + kColumns +
                       " FROM notification_connections c JOIN producers p ON p.id = c.producer_id"
                       " WHERE c.producer_id = ?1 ORDER BY c.provider");
  if (!s) return s.error();
  s->bind(1, producer_id);
  std::vector<ConnectionSummary> out;
  while (true) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    ConnectionSummary summary = summary_of(*s);
    if (box_ != nullptr) {
      auto opened = box_->open(s->column_text(6), context(summary.producer_id, summary.provider));
      summary.needs_reconnect = !opened && opened.error().code == ErrorCode::forbidden;
    }
    out.push_back(std::move(summary));
  }
  return out;
}

Result<Connection> NotificationAccounts::open_row(core::Statement& row) {
  Connection c;
  c.summary = summary_of(row);
  c.account_number = row.column_text(7);
  if (box_ == nullptr) {
    return Error{ErrorCode::unavailable, "no encryption key is configured (CHOPHIEN_SECRET_KEY)",
                 ""};
  }
  auto opened = box_->open(row.column_text(6), context(c.summary.producer_id, c.summary.provider));
  if (!opened) return opened.error();
  json secrets = json::parse(*opened, nullptr, false);
  if (!secrets.is_object()) {
    return Error{ErrorCode::internal, "a stored connection is not readable", ""};
  }
  for (auto it = secrets.begin(); it != secrets.end(); ++it) {
    if (it->is_string()) c.secrets[it.key()] = it->get<std::string>();
  }
  return c;
}

Result<Connection> NotificationAccounts::find(int64_t producer_id, std::string_view provider) {
  // Every webhook runs this: the statement stays prepared on the connection.
  core::StatementCache statements(db_);
  auto lease =
      statements.get(std::string("SELECT ") + kColumns +
                     " FROM notification_connections c JOIN producers p ON p.id = c.producer_id"
                     " WHERE c.producer_id = ?1 AND c.provider = ?2");
  if (!lease) return lease.error();
  core::Statement& s = lease->get();
  s.bind(1, producer_id).bind(2, provider);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return Error{ErrorCode::not_found, "no such connection", "provider"};
  return open_row(s);
}

Result<std::vector<Connection>> NotificationAccounts::all(int* unreadable) {
  auto s = db_.prepare(std::string("SELECT ") + kColumns +
                       " FROM notification_connections c JOIN producers p ON p.id = c.producer_id"
                       " ORDER BY c.producer_id, c.provider");
  if (!s) return s.error();
  std::vector<Connection> out;
  if (unreadable != nullptr) *unreadable = 0;
  while (true) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    auto c = open_row(*s);
    if (c) {
      out.push_back(std::move(*c));
    } else if (unreadable != nullptr) {
      ++*unreadable;
    }
  }
  return out;
}

}  // namespace chophien::integrations
