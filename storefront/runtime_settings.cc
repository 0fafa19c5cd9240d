#include "storefront/runtime_settings.h"

#include <charconv>

#include "core/clock.h"
#include "core/settings.h"

namespace chophien::storefront {

Result<int> parse_order_ttl_minutes(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      value < kOrderTtlMin || value > kOrderTtlMax) {
    return Error{ErrorCode::invalid_input,
                 "Thời hạn thanh toán là số phút nguyên, từ " + std::to_string(kOrderTtlMin) +
                     " đến " + std::to_string(kOrderTtlMax) + " (7 ngày).",
                 kOrderTtlSetting};
  }
  return value;
}

int order_ttl_minutes(const Config& config, core::Database& db) {
  core::SettingsStore settings(db, core::system_clock());
  auto stored = settings.get(kOrderTtlSetting);
  if (!stored || !*stored) return config.order_ttl_minutes;
  auto value = parse_order_ttl_minutes(**stored);
  return value ? *value : config.order_ttl_minutes;
}

}  // namespace chophien::storefront
