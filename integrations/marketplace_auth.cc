#include "integrations/marketplace_auth.h"

#include "integrations/crypto.h"

namespace chophien::integrations {
namespace {

std::string state_hash(const std::string& state) { return to_hex(sha256(state)); }

}  // namespace

Result<std::string> MarketplaceAuthStates::issue(int64_t producer_id, Platform platform,
                                                 int64_t user_id) {
  const std::string state = to_hex(random_bytes(32));
  const int64_t now = clock_.now();
  // Old states of anyone are of no use past their expiry; dropping them keeps the table small.
  auto sweep = db_.prepare("DELETE FROM marketplace_auth_states WHERE expires_at < ?1");
  if (!sweep) return sweep.error();
  sweep->bind(1, now - 86400);
  if (auto ok = sweep->run(); !ok) return ok.error();
  auto s = db_.prepare(R"sql(
    INSERT INTO marketplace_auth_states (state_hash, producer_id, platform, user_id, created_at,
        expires_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6))sql");
  if (!s) return s.error();
  s->bind(1, state_hash(state))
      .bind(2, producer_id)
      .bind(3, platform_name(platform))
      .bind(4, user_id)
      .bind(5, now)
      .bind(6, now + kAuthStateSeconds);
  if (auto ok = s->run(); !ok) return ok.error();
  return state;
}

Result<int64_t> MarketplaceAuthStates::consume(const std::string& state, Platform platform,
                                               int64_t user_id) {
  if (state.size() != 64 || !from_hex(state)) {
    return invalid_input("thiếu hoặc sai mã xác nhận (state) của lần kết nối", "state");
  }
  const int64_t now = clock_.now();
  auto s = db_.prepare(R"sql(
    UPDATE marketplace_auth_states SET used_at = ?4
    WHERE state_hash = ?1 AND platform = ?2 AND user_id = ?3 AND used_at = 0 AND expires_at > ?4
    RETURNING producer_id)sql");
  if (!s) return s.error();
  s->bind(1, state_hash(state)).bind(2, platform_name(platform)).bind(3, user_id).bind(4, now);
  auto row = s->step();
  if (!row) return row.error();
  if (*row) {
    const int64_t producer = s->column_int(0);
    while (true) {  // let the statement finish so the UPDATE is complete
      auto more = s->step();
      if (!more) return more.error();
      if (!*more) break;
    }
    return producer;
  }
  auto why = db_.prepare(
      "SELECT used_at, expires_at, platform, user_id FROM marketplace_auth_states "
      "WHERE state_hash = ?1");
  if (!why) return why.error();
  why->bind(1, state_hash(state));
  auto found = why->step();
  if (!found) return found.error();
  if (!*found) return invalid_input("mã xác nhận (state) không phải do trang này cấp", "state");
  if (why->column_int(0) != 0) {
    return invalid_input("mã xác nhận (state) đã được dùng; hãy bấm Kết nối lại", "state");
  }
  if (why->column_int(1) <= now) {
    return invalid_input("lần kết nối đã quá hạn; hãy bấm Kết nối lại", "state");
  }
  return invalid_input("mã xác nhận (state) không dành cho lần kết nối này", "state");
}

}  // namespace chophien::integrations
