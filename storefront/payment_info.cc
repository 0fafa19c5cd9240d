#include "storefront/payment_info.h"

#include <openssl/evp.h>

#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "core/log.h"
#include "integrations/notification_accounts.h"
#include "integrations/payos.h"
#include "integrations/payos_link.h"
#include "integrations/secret_box.h"
#include "qr/banks.h"
#include "qr/image.h"
#include "qr/payload.h"

namespace chophien::storefront {

Result<PaymentInfo> payment_info(const core::Order& order, const core::Producer& producer) {
  // The account the order was placed with; an order placed while the producer had none is paid
  // into the account it has now.
  const core::BankAccount& account =
      order.receiving.account.empty() ? producer.fields.bank : order.receiving;
  if (account.bin.empty() || account.account.empty()) {
    return not_found("the producer has no receiving account");
  }
  PaymentInfo info;
  info.bin = account.bin;
  if (const qr::Bank* bank = qr::find_bank_by_bin(account.bin)) info.bank = bank->short_name;
  info.account = account.account;
  info.holder = account.holder;
  const int64_t due = order.total_vnd - order.paid_vnd;
  info.amount_vnd = due > 0 ? due : order.total_vnd;
  info.description = order.code;

  qr::EncodeRequest request;
  request.bank = account.bin;
  request.account = account.account;
  request.amount_vnd = info.amount_vnd;
  request.additional.purpose = order.code;
  auto encoded = qr::encode(request);
  if (!encoded.has_value()) {
    const std::string field = encoded.error->field == "purpose" ? "code" : encoded.error->field;
    return invalid_input(encoded.error->message, field == "bank" ? "bank.bin" : "bank." + field);
  }
  info.vietqr = encoded.value->payload;
  return info;
}

namespace {

// What payos_offer remembers between calls, for the whole process: links being created now,
// and when an unreachable payOS (by base URL) or a refused order may be asked again.
struct PayosAttempts {
  std::mutex mutex;
  std::set<std::pair<std::string, int64_t>> in_flight;
  std::map<std::pair<std::string, int64_t>, int64_t> retry_order_at;
  std::map<std::string, int64_t> retry_service_at;
};

PayosAttempts& payos_attempts() {
  static PayosAttempts attempts;
  return attempts;
}

constexpr int64_t kServiceRetrySeconds = 60;
constexpr int64_t kOrderRetrySeconds = 600;

void log_failure(const core::Order& order, const std::string& reason) {
  core::log("payos.link_failed", {{"order", order.code}, {"reason", reason}});
}

std::string png_data_uri(std::string_view payload) {
  if (payload.empty()) return {};
  qr::ImageOptions options;
  options.scale = 6;
  auto png = qr::render_png(payload, options);
  if (!png.has_value()) return {};
  const std::string& bytes = *png.value;
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return "data:image/png;base64," + out;
}

// payOS pays into the account its channel is tied to: a link into another account than the one
// this order shows (keys of somebody else's channel pasted into the producer's connection) is
// neither kept nor offered. (Links fetched again after a 231 carry no account.)
bool pays_into_the_orders_account(const integrations::PaymentLink& link, const core::Order& order) {
  return (link.account_number.empty() || link.account_number == order.receiving.account) &&
         (link.bin.empty() || link.bin == order.receiving.bin);
}

std::optional<PayosOffer> offer_from(const integrations::PaymentLink& link,
                                     const core::Order& order) {
  if (link.checkout_url.empty() || link.amount != order.total_vnd) return std::nullopt;
  if (!pays_into_the_orders_account(link, order)) return std::nullopt;
  if (!link.status.empty() && link.status != "PENDING") return std::nullopt;
  return PayosOffer{link.checkout_url, link.qr_code, png_data_uri(link.qr_code), link.amount};
}

}  // namespace

std::optional<PayosOffer> payos_offer(const Config& config, DbPool& db, const core::Clock& clock,
                                      const core::Order& order, const std::string& order_url) {
  if (order.status != core::OrderStatus::pending_payment || order.paid_vnd != 0 ||
      order.total_vnd <= 0 || order.code.size() > integrations::kPayosMaxDescription) {
    return std::nullopt;
  }
  integrations::PayosCredentials credentials;
  {
    auto lease = db.acquire();
    if (!lease) return std::nullopt;
    auto stored = integrations::PayosLinkStore(*lease, clock).find(order.id);
    if (!stored) {
      log_failure(order, stored.error().message);
      return std::nullopt;
    }
    if (*stored) return offer_from(**stored, order);
    if (config.secret_key.empty()) return std::nullopt;  // no payOS connection can exist
    auto box = integrations::SecretBox::from_key(config.secret_key);
    if (!box) return std::nullopt;
    auto connection =
        integrations::NotificationAccounts(*lease, clock, &*box).find(order.producer_id, "payos");
    if (!connection) {
      if (connection.error().code != ErrorCode::not_found) {
        log_failure(order, connection.error().message);
      }
      return std::nullopt;
    }
    credentials = {connection->summary.client_id, connection->secret("api_key"),
                   connection->secret("checksum_key")};
  }
  if (credentials.client_id.empty() || credentials.api_key.empty() ||
      credentials.checksum_key.empty()) {
    return std::nullopt;
  }

  PayosAttempts& attempts = payos_attempts();
  const auto key = std::make_pair(config.payos_api_url, order.id);
  const int64_t now = clock.now();
  {
    std::lock_guard lock(attempts.mutex);
    auto down = attempts.retry_service_at.find(config.payos_api_url);
    if (down != attempts.retry_service_at.end() && now < down->second) return std::nullopt;
    auto refused = attempts.retry_order_at.find(key);
    if (refused != attempts.retry_order_at.end() && now < refused->second) return std::nullopt;
    if (!attempts.in_flight.insert(key).second) return std::nullopt;  // another request creates it
  }
  // This function holds no database connection while payOS answers.
  integrations::PayosCallOptions options;
  options.attempts = 1;
  options.timeouts = {2000, 4000};
  integrations::PayosClient client(config.payos_api_url, credentials, options);
  integrations::PaymentLinkRequest request;
  request.order_code = order.id;
  request.amount = order.total_vnd;
  request.description = order.code;
  request.cancel_url = order_url;
  request.return_url = order_url;
  if (order.expires_at > now) request.expired_at = order.expires_at;
  auto link = client.create_link(request);

  std::optional<PayosOffer> offer;
  if (link) {
    if (!pays_into_the_orders_account(*link, order)) {
      log_failure(order, "payOS's link pays into another account than the order shows");
    } else if (auto lease = db.acquire(); lease) {
      auto saved = integrations::PayosLinkStore(*lease, clock).save(order.id, *link);
      if (!saved) log_failure(order, saved.error().message);
    }
    offer = offer_from(*link, order);
    if (!offer) log_failure(order, "the link payOS holds for this order code is not usable");
    core::log("payos.link",
              {{"order", order.code}, {"link", link->payment_link_id}, {"existed", link->existed}});
  } else {
    log_failure(order, link.error().message);
  }
  std::lock_guard lock(attempts.mutex);
  attempts.in_flight.erase(key);
  if (attempts.retry_order_at.size() > 10000) {
    std::erase_if(attempts.retry_order_at,
                  [now](const auto& entry) { return entry.second <= now; });
  }
  if (!link) {
    if (link.error().code == ErrorCode::unavailable) {
      attempts.retry_service_at[config.payos_api_url] = now + kServiceRetrySeconds;
    } else {
      attempts.retry_order_at[key] = now + kOrderRetrySeconds;
    }
  }
  return offer;
}

}  // namespace chophien::storefront
