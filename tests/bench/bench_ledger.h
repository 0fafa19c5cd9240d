#pragma once
// A sales ledger for benchmarks: 600 producers in the 6 communes of Bảo Lâm, 2,000 OCOP products,
// `rows` sales spread evenly over 2026 with 1% refunds (each of the sale 999 rows back), written
// with one prepared insert in one transaction (fixed seed, the same data every time), then the
// summaries and rollups rebuilt from them. The database must hold the areas (AreaStore) and no
// producers yet. The summary triggers are dropped for the load and not recreated: the file is
// for reading figures, not for recording more sales. Used by indicators_bench and dashboard_bench.
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"
#include "core/summaries.h"

namespace chophien::bench {

using core::Database;
using core::Date;
using core::vietnam_midnight;

inline constexpr int kProducers = 600;
inline constexpr int kProducts = 2000;
inline const char* kCommunes[] = {"01290", "01294", "01297", "01304", "01318", "01324"};
inline const char* kChannels[] = {"storefront", "stall_qr", "shopee", "lazada", "tiktok_shop",
                                  "postmart",   "voso",     "social", "cash",   "other"};

inline void must(const Result<void>& r) {
  if (!r) throw std::runtime_error(r.error().message);
}

// Returns the number of summary rows rebuilt.
inline int64_t fill_sales(Database& db, int64_t rows) {
  must(db.exec("DROP TRIGGER sales_ledger_summaries; DROP TRIGGER sales_ledger_rollups;"));
  auto tx = db.begin().value();
  std::mt19937_64 rng(42);
  {
    auto p = db.prepare(
                   "INSERT INTO producers (name, area_code, area_valid_from, bank_bin, "
                   "bank_account, bank_holder, social_facebook, registered_at) VALUES (?1, ?2, "
                   "'2025-07-01', ?3, ?4, ?5, ?6, 1735664400)")
                 .value();
    for (int i = 0; i < kProducers; ++i) {
      const bool bank = rng() % 3 != 0;
      p.reset();
      p.bind(1, "Chủ thể " + std::to_string(i)).bind(2, kCommunes[i % 6]);
      p.bind(3, bank ? "970436" : "").bind(4, bank ? std::to_string(1000000 + i) : "");
      p.bind(5, bank ? "CHU THE" : "").bind(6, rng() % 2 ? "fb.com/p" : "");
      must(p.run());
    }
    auto q = db.prepare(
                   "INSERT INTO products (producer_id, sku, name, name_key, ocop_group, "
                   "ocop_stars, decision_no, decision_date, issuer, unit, price_vnd, stock, "
                   "status, created_at, updated_at) VALUES (?1, ?2, 'Sản phẩm', 'san pham', ?3, "
                   "?4, '1/QĐ', ?5, 'UBND', 'gói', 50000, 10, 'active', 0, 0)")
                 .value();
    for (int i = 0; i < kProducts; ++i) {
      q.reset();
      q.bind(1, static_cast<int64_t>(1 + rng() % kProducers)).bind(2, "B-" + std::to_string(i));
      q.bind(3, "G" + std::to_string(1 + rng() % 6)).bind(4, static_cast<int64_t>(3 + rng() % 3));
      q.bind(5, rng() % 2 ? "2024-05-01" : "2022-03-01");
      must(q.run());
    }
  }
  auto s = db.prepare(
                 "INSERT INTO sales_ledger (id, producer_id, area_code, area_valid_from, channel, "
                 "settlement, amount_vnd, occurred_at, source_kind, source_ref, refund_of, "
                 "recorded_at) VALUES (?1, ?2, ?3, '2025-07-01', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7)")
               .value();
  const int64_t start = vietnam_midnight(Date{2026, 1, 1});
  const int64_t span = vietnam_midnight(Date{2027, 1, 1}) - start;
  char ref[24];
  // Each sale's producer and channel, so a refund repeats them.
  std::vector<uint16_t> producer_of(static_cast<size_t>(rows) + 1);
  std::vector<uint8_t> channel_of(static_cast<size_t>(rows) + 1),
      e_wallet(static_cast<size_t>(rows) + 1);
  for (int64_t i = 1; i <= rows; ++i) {
    const int64_t when = start + span * (i - 1) / rows;  // in time order
    // 1% refunds, each of the sale 999 rows back.
    const bool refund = i > 1000 && i % 100 == 0;
    const int64_t original = refund ? i - 999 : i;
    if (!refund) {
      producer_of[static_cast<size_t>(i)] = static_cast<uint16_t>(1 + rng() % kProducers);
      channel_of[static_cast<size_t>(i)] = static_cast<uint8_t>(rng() % 10);
      e_wallet[static_cast<size_t>(i)] = rng() % 4 == 0;
    }
    const int64_t producer = producer_of[static_cast<size_t>(original)];
    const std::string_view c = kChannels[channel_of[static_cast<size_t>(original)]];
    const char* settlement =
        c == "cash" || c == "social" ? "cash"
        : c == "shopee" || c == "lazada" || c == "tiktok_shop" || c == "postmart" || c == "voso"
            ? "marketplace"
        : e_wallet[static_cast<size_t>(original)] ? "e_wallet"
                                                  : "bank_transfer";
    s.reset();
    s.bind(1, i).bind(2, producer).bind(3, kCommunes[(producer - 1) % 6]).bind(4, c);
    s.bind(5, settlement).bind(7, when);
    if (refund) {
      std::snprintf(ref, sizeof ref, "%lld", static_cast<long long>(original));
      s.bind(6, -static_cast<int64_t>(1000 * (1 + rng() % 10)));
      s.bind(8, "refund").bind(9, ref).bind(10, original);
    } else {
      std::snprintf(ref, sizeof ref, "%010lld", static_cast<long long>(i));
      s.bind(6, static_cast<int64_t>(1000 * (10 + rng() % 990)));
      s.bind(8, "order").bind(9, ref).bind_null(10);
    }
    must(s.run());
  }
  must(tx.commit());
  return core::SalesSummaries(db).rebuild().value();
}

}  // namespace chophien::bench
