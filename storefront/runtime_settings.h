#pragma once
// The settings an administrator may change while the server runs (/quan-ly/cai-dat), stored in
// the database (core/settings.h) and read at each use, so a change takes effect at the next
// request without a restart. A setting never changed keeps the value of the configuration.
//
// Only settings that are safe to change at run time are here: the payment window of new orders.
// Listen address, TLS files, the database file, the secret key, thread counts and timeouts are
// fixed for the life of the process (see docs/configuration.md).

#include <string>
#include <string_view>

#include "core/database.h"
#include "core/result.h"
#include "storefront/config.h"

namespace chophien::storefront {

inline constexpr const char* kOrderTtlSetting = "order_ttl_minutes";
inline constexpr int kOrderTtlMin = 1;
inline constexpr int kOrderTtlMax = 7 * 24 * 60;

// Minutes an unpaid order keeps its stock: the stored setting, else config.order_ttl_minutes.
// A database that cannot be read (busy) or a stored value out of range falls back to the
// configuration rather than refuse a checkout.
int order_ttl_minutes(const Config& config, core::Database& db);

// Parses a submitted payment window ("30"): invalid_input (field order_ttl_minutes, Vietnamese
// message) unless a whole number of minutes within [kOrderTtlMin, kOrderTtlMax].
Result<int> parse_order_ttl_minutes(std::string_view text);

}  // namespace chophien::storefront
