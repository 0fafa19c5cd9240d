#pragma once
// Settings of `chophien serve`: command-line options override environment variables, which
// override the defaults. Every setting, its variable and its default is listed in
// docs/configuration.md; keep the two in step.
//
// Loading never exits: a bad value is an Error (invalid_input, `field` names the option or the
// variable, `message` says what is accepted), and the command turns it into exit status 2.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/users.h"
#include "integrations/sync.h"
#include "storefront/client_address.h"

namespace chophien::storefront {

// Which requests get an access-log line.
enum class AccessLog { all, errors, off };

struct Config {
  std::string db_file = "chophien.db";  // --db, CHOPHIEN_DB
  std::string host = "127.0.0.1";       // --listen HOST:PORT, CHOPHIEN_LISTEN
  int port = 8080;                      // 0 picks a free port (tests)
  bool demo = false;                    // --demo: load demo data and demo users
  std::string tls_cert;                 // --tls-cert, CHOPHIEN_TLS_CERT (PEM file)
  std::string tls_key;                  // --tls-key, CHOPHIEN_TLS_KEY (PEM file)
  int threads = 64;                     // CHOPHIEN_THREADS: worker threads = keep-alive connections
  int front_threads = 2;  // CHOPHIEN_FRONT_THREADS: front door threads (front_door.h); 0: none
  size_t max_body_bytes = 8 * 1024 * 1024;  // CHOPHIEN_MAX_BODY: larger bodies get 413
  int order_ttl_minutes = 120;              // CHOPHIEN_ORDER_TTL_MINUTES
  std::string public_url;                   // CHOPHIEN_PUBLIC_URL; empty: http(s)://host:port
  std::string secret_key;  // CHOPHIEN_SECRET_KEY: >= 32 bytes when set; never logged
  std::string timezone = "Asia/Ho_Chi_Minh";  // CHOPHIEN_TIMEZONE
  AccessLog access_log = AccessLog::all;      // CHOPHIEN_LOG: all | errors | off
  int keep_alive_timeout_seconds = 5;         // CHOPHIEN_KEEPALIVE_TIMEOUT
  int keep_alive_max_requests = 10000;        // CHOPHIEN_KEEPALIVE_MAX
  int read_timeout_seconds = 10;              // CHOPHIEN_READ_TIMEOUT
  int write_timeout_seconds = 10;             // CHOPHIEN_WRITE_TIMEOUT
  int listen_backlog = 1024;                  // CHOPHIEN_BACKLOG
  // What one request may send (guarded_server.h): more header lines or head bytes get 431, a
  // request, head and body, not in after the deadline gets 408.
  int max_header_lines = 100;         // CHOPHIEN_MAX_HEADER_LINES
  int max_head_bytes = 16384;         // CHOPHIEN_MAX_HEAD_BYTES
  int request_deadline_seconds = 60;  // CHOPHIEN_REQUEST_DEADLINE
  // The services' APIs (docs/configuration.md); tests point them at local fakes.
  std::string payos_api_url = "https://api-merchant.payos.vn";  // CHOPHIEN_PAYOS_API_URL
  std::string sepay_api_url = "https://my.sepay.vn";            // CHOPHIEN_SEPAY_API_URL
  std::string casso_api_url = "https://oauth.casso.vn";         // CHOPHIEN_CASSO_API_URL
  // Seconds between two reconciliation passes inside `chophien serve`; 0 turns them off.
  int reconcile_interval_seconds = 600;  // CHOPHIEN_RECONCILE_INTERVAL
  // Seconds between two marketplace worker passes inside `chophien serve`; 0 turns them off.
  int sync_interval_seconds = 60;  // CHOPHIEN_SYNC_INTERVAL
  // The marketplace apps this installation is registered with: CHOPHIEN_{SHOPEE,LAZADA,TIKTOK}_
  // APP_KEY, _APP_SECRET, _API_URL, _AUTH_URL (integrations/sync.h). Producers can connect shops
  // only on these platforms. Never logged.
  integrations::MarketplaceApps marketplace_apps;
  // Abuse limits (docs/configuration.md, "Abuse limits").
  TrustedProxies trusted_proxies;  // CHOPHIEN_TRUSTED_PROXIES: "127.0.0.1,::1"
  // The defaults are core::UsersOptions' own.
  int signin_max_failures =
      core::UsersOptions{}.max_failures_per_pair;  // CHOPHIEN_SIGNIN_MAX_FAILURES
  int signin_max_failures_per_address =
      core::UsersOptions{}.max_failures_per_address;  // CHOPHIEN_SIGNIN_MAX_FAILURES_PER_ADDRESS
  int signin_window_seconds =
      static_cast<int>(core::UsersOptions{}.failure_window_seconds);  // CHOPHIEN_SIGNIN_WINDOW
  int checkout_max_per_phone = 5;      // CHOPHIEN_CHECKOUT_MAX_PER_PHONE (0: no cap)
  int checkout_max_per_address = 20;   // CHOPHIEN_CHECKOUT_MAX_PER_ADDRESS (0: no cap)
  int checkout_window_seconds = 3600;  // CHOPHIEN_CHECKOUT_WINDOW

  bool tls() const { return !tls_cert.empty(); }
  // The address people use: public_url when set, else scheme://host:port.
  std::string base_url() const;

  // Reads the environment through `getenv` (std::getenv in production), then `args` (the words
  // after `serve`). `--help` is not handled here.
  static Result<Config> load(std::span<const std::string_view> args,
                             const std::function<const char*(const char*)>& getenv);
};

// The usage text of `chophien serve`.
std::string_view serve_usage();

}  // namespace chophien::storefront
