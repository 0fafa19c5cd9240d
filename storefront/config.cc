#include "storefront/config.h"

#include <charconv>
#include <string>

namespace chophien::storefront {
namespace {

Result<int64_t> parse_int(std::string_view text, std::string_view field, int64_t min, int64_t max) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return invalid_input(std::string(field) + " must be a whole number from " +
                             std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                             std::string(text) + "'",
                         std::string(field));
  }
  return value;
}

Result<void> set_listen(Config& config, std::string_view text, std::string_view field) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return invalid_input(std::string(field) + " must be HOST:PORT, e.g. 127.0.0.1:8080, got '" +
                             std::string(text) + "'",
                         std::string(field));
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:8080
  }
  auto port = parse_int(text.substr(colon + 1), field, 0, 65535);
  if (!port) return port.error();
  config.host = std::string(host);
  config.port = static_cast<int>(*port);
  return {};
}

// Applies one setting by its option name (without "--"); `field` is what an error names.
Result<void> apply(Config& config, std::string_view name, std::string_view value,
                   std::string_view field) {
  auto number = [&](int64_t min, int64_t max, auto& target) -> Result<void> {
    auto parsed = parse_int(value, field, min, max);
    if (!parsed) return parsed.error();
    target = static_cast<std::remove_reference_t<decltype(target)>>(*parsed);
    return {};
  };
  if (name == "db") {
    if (value.empty())
      return invalid_input(std::string(field) + " must not be empty", std::string(field));
    config.db_file = std::string(value);
  } else if (name == "listen") {
    return set_listen(config, value, field);
  } else if (name == "tls-cert") {
    config.tls_cert = std::string(value);
  } else if (name == "tls-key") {
    config.tls_key = std::string(value);
  } else if (name == "threads") {
    return number(1, 1024, config.threads);
  } else if (name == "front-threads") {
    return number(0, 64, config.front_threads);
  } else if (name == "max-body") {
    return number(1024, int64_t{1} << 30, config.max_body_bytes);
  } else if (name == "order-ttl-minutes") {
    return number(1, 7 * 24 * 60, config.order_ttl_minutes);
  } else if (name == "keepalive-timeout") {
    return number(1, 300, config.keep_alive_timeout_seconds);
  } else if (name == "keepalive-max") {
    return number(1, 1000000, config.keep_alive_max_requests);
  } else if (name == "read-timeout") {
    return number(1, 300, config.read_timeout_seconds);
  } else if (name == "write-timeout") {
    return number(1, 300, config.write_timeout_seconds);
  } else if (name == "backlog") {
    return number(1, 65535, config.listen_backlog);
  } else if (name == "max-header-lines") {
    return number(10, 10000, config.max_header_lines);
  } else if (name == "max-head-bytes") {
    return number(1024, 1 << 20, config.max_head_bytes);
  } else if (name == "request-deadline") {
    return number(1, 3600, config.request_deadline_seconds);
  } else if (name == "reconcile-interval") {
    return number(0, 7 * 24 * 3600, config.reconcile_interval_seconds);
  } else if (name == "sync-interval") {
    return number(0, 7 * 24 * 3600, config.sync_interval_seconds);
  } else if (name == "payos-api-url" || name == "sepay-api-url" || name == "casso-api-url") {
    if (!value.starts_with("http://") && !value.starts_with("https://")) {
      return invalid_input(std::string(field) + " must start with http:// or https://",
                           std::string(field));
    }
    std::string url(value);
    while (url.ends_with('/')) url.pop_back();
    (name == "payos-api-url"   ? config.payos_api_url
     : name == "sepay-api-url" ? config.sepay_api_url
                               : config.casso_api_url) = url;
  } else if (name == "public-url") {
    if (!value.empty() && !value.starts_with("http://") && !value.starts_with("https://")) {
      return invalid_input(std::string(field) + " must start with http:// or https://",
                           std::string(field));
    }
    config.public_url = std::string(value);
    while (config.public_url.ends_with('/')) config.public_url.pop_back();
  } else if (name == "secret-key") {
    if (!value.empty() && value.size() < 32) {
      return invalid_input(std::string(field) + " must be at least 32 characters long",
                           std::string(field));
    }
    config.secret_key = std::string(value);
  } else if (name == "timezone") {
    // The date and time helpers of core/text.h know UTC+07:00 only (no daylight saving since
    // 1975), so any other zone is refused rather than silently ignored.
    if (value != "Asia/Ho_Chi_Minh" && value != "Asia/Saigon" && value != "+07:00") {
      return invalid_input(std::string(field) + " supports only Asia/Ho_Chi_Minh (UTC+07:00)",
                           std::string(field));
    }
    config.timezone = "Asia/Ho_Chi_Minh";
  } else if (name == "log") {
    if (value == "all") {
      config.access_log = AccessLog::all;
    } else if (value == "errors") {
      config.access_log = AccessLog::errors;
    } else if (value == "off") {
      config.access_log = AccessLog::off;
    } else {
      return invalid_input(std::string(field) + " must be all, errors or off", std::string(field));
    }
  } else if (name == "trusted-proxies") {
    auto proxies = TrustedProxies::parse(value, field);
    if (!proxies) return proxies.error();
    config.trusted_proxies = std::move(*proxies);
  } else if (name == "signin-max-failures") {
    return number(1, 1000, config.signin_max_failures);
  } else if (name == "signin-max-failures-per-address") {
    return number(1, 100000, config.signin_max_failures_per_address);
  } else if (name == "signin-window") {
    return number(1, 24 * 3600, config.signin_window_seconds);
  } else if (name == "checkout-max-per-phone") {
    return number(0, 10000, config.checkout_max_per_phone);
  } else if (name == "checkout-max-per-address") {
    return number(0, 100000, config.checkout_max_per_address);
  } else if (name == "checkout-window") {
    return number(60, 7 * 24 * 3600, config.checkout_window_seconds);
  } else {
    return invalid_input("unknown option --" + std::string(name), std::string(field));
  }
  return {};
}

struct EnvSetting {
  const char* variable;
  std::string_view option;
};

constexpr EnvSetting kEnv[] = {
    {"CHOPHIEN_DB", "db"},
    {"CHOPHIEN_LISTEN", "listen"},
    {"CHOPHIEN_TLS_CERT", "tls-cert"},
    {"CHOPHIEN_TLS_KEY", "tls-key"},
    {"CHOPHIEN_THREADS", "threads"},
    {"CHOPHIEN_FRONT_THREADS", "front-threads"},
    {"CHOPHIEN_MAX_BODY", "max-body"},
    {"CHOPHIEN_ORDER_TTL_MINUTES", "order-ttl-minutes"},
    {"CHOPHIEN_PUBLIC_URL", "public-url"},
    {"CHOPHIEN_SECRET_KEY", "secret-key"},
    {"CHOPHIEN_TIMEZONE", "timezone"},
    {"CHOPHIEN_LOG", "log"},
    {"CHOPHIEN_KEEPALIVE_TIMEOUT", "keepalive-timeout"},
    {"CHOPHIEN_KEEPALIVE_MAX", "keepalive-max"},
    {"CHOPHIEN_READ_TIMEOUT", "read-timeout"},
    {"CHOPHIEN_WRITE_TIMEOUT", "write-timeout"},
    {"CHOPHIEN_BACKLOG", "backlog"},
    {"CHOPHIEN_MAX_HEADER_LINES", "max-header-lines"},
    {"CHOPHIEN_MAX_HEAD_BYTES", "max-head-bytes"},
    {"CHOPHIEN_REQUEST_DEADLINE", "request-deadline"},
    {"CHOPHIEN_PAYOS_API_URL", "payos-api-url"},
    {"CHOPHIEN_SEPAY_API_URL", "sepay-api-url"},
    {"CHOPHIEN_CASSO_API_URL", "casso-api-url"},
    {"CHOPHIEN_RECONCILE_INTERVAL", "reconcile-interval"},
    {"CHOPHIEN_SYNC_INTERVAL", "sync-interval"},
    {"CHOPHIEN_TRUSTED_PROXIES", "trusted-proxies"},
    {"CHOPHIEN_SIGNIN_MAX_FAILURES", "signin-max-failures"},
    {"CHOPHIEN_SIGNIN_MAX_FAILURES_PER_ADDRESS", "signin-max-failures-per-address"},
    {"CHOPHIEN_SIGNIN_WINDOW", "signin-window"},
    {"CHOPHIEN_CHECKOUT_MAX_PER_PHONE", "checkout-max-per-phone"},
    {"CHOPHIEN_CHECKOUT_MAX_PER_ADDRESS", "checkout-max-per-address"},
    {"CHOPHIEN_CHECKOUT_WINDOW", "checkout-window"},
};

}  // namespace

std::string Config::base_url() const {
  if (!public_url.empty()) return public_url;
  bool v6 = host.find(':') != std::string::npos;
  return std::string(tls() ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

Result<Config> Config::load(std::span<const std::string_view> args,
                            const std::function<const char*(const char*)>& getenv) {
  Config config;
  for (const auto& setting : kEnv) {
    const char* value = getenv(setting.variable);
    if (value == nullptr) continue;
    auto applied = apply(config, setting.option, value, setting.variable);
    if (!applied) return applied.error();
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--demo") {
      config.demo = true;
      continue;
    }
    if (!arg.starts_with("--") || arg.size() == 2) {
      return invalid_input("unexpected argument '" + std::string(arg) + "'", std::string(arg));
    }
    std::string_view name = arg.substr(2);
    std::string_view value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) {
        return invalid_input("--" + std::string(name) + " needs a value", "--" + std::string(name));
      }
      value = args[++i];
    }
    auto applied = apply(config, name, value, "--" + std::string(name));
    if (!applied) return applied.error();
  }
  auto apps = integrations::marketplace_apps_from_env(getenv);
  if (!apps) return apps.error();
  config.marketplace_apps = std::move(*apps);
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return invalid_input("--tls-cert and --tls-key must be given together", "--tls-cert");
  }
  return config;
}

std::string_view serve_usage() {
  return "usage: chophien serve [--db FILE] [--listen HOST:PORT] [--demo]\n"
         "                      [--tls-cert FILE --tls-key FILE] [--threads N] [--front-threads "
         "N]\n"
         "                      [--max-body BYTES]\n"
         "                      [--order-ttl-minutes N] [--public-url URL] [--log all|errors|off]\n"
         "                      [--reconcile-interval SECONDS] [--sync-interval SECONDS]\n"
         "                      [--payos-api-url URL]\n"
         "\n"
         "Every option also has an environment variable (CHOPHIEN_DB, CHOPHIEN_LISTEN, ...);\n"
         "options override variables. See docs/configuration.md.\n";
}

}  // namespace chophien::storefront
