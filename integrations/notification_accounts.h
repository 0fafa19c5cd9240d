#pragma once
// Each producer's connection to the service that watches their bank account (SePay, Casso or
// payOS): which mode, the public client id, and the secrets sealed with SecretBox (never stored
// or shown in clear; answers show only the last four characters).
//
// Accepted settings (api.md, PUT /api/v1/producers/{id}/notifications/{provider}):
//   sepay  {mode: "apikey", api_key} or {mode: "hmac", secret}; optional api_token (SePay's user
//          API token, used by reconciliation; in apikey mode the api_key is tried when absent)
//   casso  {secret}; optional api_key (Casso's API key, used by reconciliation)
//   payos  {client_id, api_key, checksum_key}
// Secrets are 8 to 256 printable ASCII characters.
//
// Errors: invalid_input (field named), not_found (no such producer or connection), unavailable
// (no encryption key configured: nothing is stored; or the database is busy), forbidden (a stored
// secret does not open: the installation key changed).
//
// Thread-safety: one Database connection, one thread at a time.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "integrations/secret_box.h"

namespace chophien::integrations {

// "sepay", "casso" and "payos" are the providers.
bool is_notification_provider(std::string_view provider);

struct ConnectionSummary {
  int64_t producer_id = 0;
  std::string provider;
  std::string mode;                          // sepay: apikey | hmac; "" otherwise
  std::string client_id;                     // payos
  std::map<std::string, std::string> hints;  // secret name -> "…Ab12"
  int64_t updated_at = 0;
  // The stored secrets do not open with this server's key (CHOPHIEN_SECRET_KEY changed): the
  // service must be connected again; its webhooks are answered 503 until then. Set by list().
  bool needs_reconnect = false;
};

// A connection with its secrets opened, for authenticating a webhook or calling the service.
struct Connection {
  ConnectionSummary summary;
  std::map<std::string, std::string> secrets;  // api_key, secret, checksum_key, api_token
  std::string account_number;                  // the producer's receiving bank account
  std::string secret(const std::string& name) const {
    auto it = secrets.find(name);
    return it == secrets.end() ? std::string() : it->second;
  }
};

class NotificationAccounts {
 public:
  // `box` may be null when no key is configured: reads of summaries still work, connect() and
  // find() fail with unavailable. Everything must outlive this object.
  NotificationAccounts(core::Database& db, const core::Clock& clock, const SecretBox* box)
      : db_(db), clock_(clock), box_(box) {}

  // Replaces the producer's connection to `provider` with the settings in `body`.
  Result<ConnectionSummary> connect(int64_t producer_id, std::string_view provider,
                                    const nlohmann::json& body);
  Result<std::vector<ConnectionSummary>> list(int64_t producer_id);
  Result<Connection> find(int64_t producer_id, std::string_view provider);
  // Every connection, opened (reconciliation). One that does not open is skipped and counted.
  Result<std::vector<Connection>> all(int* unreadable = nullptr);

 private:
  Result<Connection> open_row(core::Statement& row);
  core::Database& db_;
  const core::Clock& clock_;
  const SecretBox* box_;
};

}  // namespace chophien::integrations
