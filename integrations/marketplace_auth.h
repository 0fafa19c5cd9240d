#pragma once
// The `state` of a marketplace authorization (integrations.md sections 1-3, migration 0022): the
// workspace issues one when a producer presses "Kết nối", sends it to the platform inside the
// authorization link, and the platform's redirect brings it back. It is 32 random bytes (hex),
// bound to the producer, the platform and the signed-in user who asked, valid for
// kAuthStateSeconds and good for one callback only. Only its SHA-256 is stored.
//
// consume() errors: invalid_input when the state is missing, unknown, already used, expired,
// for another platform or issued to another user (the message says which, safe to show);
// nothing is changed then. Database failures pass through (unavailable...).
// Thread-safety: one Database connection, one thread at a time; consume is a single conditional
// UPDATE, so two callbacks with one state cannot both succeed.

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "integrations/marketplace.h"

namespace chophien::integrations {

inline constexpr int64_t kAuthStateSeconds = 15 * 60;

class MarketplaceAuthStates {
 public:
  MarketplaceAuthStates(core::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // A new state for `producer_id` connecting a shop on `platform`, asked by `user_id`.
  Result<std::string> issue(int64_t producer_id, Platform platform, int64_t user_id);
  // Marks the state used and returns the producer it was issued for.
  Result<int64_t> consume(const std::string& state, Platform platform, int64_t user_id);

 private:
  core::Database& db_;
  const core::Clock& clock_;
};

}  // namespace chophien::integrations
