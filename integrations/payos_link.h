#pragma once
// The payOS payment link of each order (table payos_links, migrations 0010 and 0015), so that a
// link is created once per order: the order page reads it back instead of calling payOS again.
// The payOS order code of a link is the order's id.
//
// Errors: those of core::Database (unavailable when busy).
// Thread-safety: one Database connection, one thread at a time.

#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "integrations/payos.h"

namespace chophien::integrations {

class PayosLinkStore {
 public:
  PayosLinkStore(core::Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}

  // The stored link of the order (order_code = the order's id), or nullopt.
  Result<std::optional<PaymentLink>> find(int64_t order_id);
  // Stores (or replaces) the order's link.
  Result<void> save(int64_t order_id, const PaymentLink& link);

 private:
  core::Database& db_;
  const core::Clock& clock_;
};

}  // namespace chophien::integrations
