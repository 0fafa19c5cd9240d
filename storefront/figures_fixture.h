#pragma once
// For tests of the figures over HTTP: a hand-made ledger of two producers and three users
// (admin, officer "canbo", producer "nsp1", all with password kFigurePassword), written with the
// core stores before the server starts. The figures it must give are in the comment below.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/database.h"
#include "core/ledger.h"
#include "core/producers.h"
#include "core/text.h"
#include "core/users.h"

namespace chophien::storefront::fixtures {

inline constexpr const char* kFigurePassword = "mat-khau-dai-1";

inline int64_t at(int year, int month, int day) {
  return core::vietnam_midnight(core::Date{year, month, day}) + 10 * 3600;
}

// Two producers, both registered before 2026:
//  A in Bảo Lâm (01290), with a bank account: storefront 200,000 by transfer (January, refunded
//    50,000), Shopee 100,000 (February).
//  B in Lý Bôn (01294), no bank account: a hand-entered cash sale of 30,000 (March) and a
//    storefront sale of 999,000 in April (outside the first quarter).
inline void prepare_figures(core::Database& db) {
  core::ManualClock clock(at(2025, 8, 1));
  core::ProducerStore producers(db, clock);
  core::ProducerFields a;
  a.name = "HTX Nông sản Bảo Lâm";
  a.area_code = "01290";
  a.phone = "0912345678";
  a.bank = {"970436", "0011001234567", "HTX NONG SAN"};
  const int64_t pa = producers.create(a).value().id;
  core::ProducerFields b;
  b.name = "Hộ Lương Thị Hoa";
  b.area_code = "01294";
  b.phone = "0912345679";
  const int64_t pb = producers.create(b).value().id;

  core::UsersOptions options;
  options.scrypt.n = 1024;
  core::Users users(db, clock, options);
  auto add = [&](const char* login, core::Role role, std::optional<int64_t> producer) {
    core::NewUser u;
    u.login = login;
    u.password = kFigurePassword;
    u.role = role;
    u.producer_id = producer;
    return users.create_user(u).value().id;
  };
  add("admin", core::Role::admin, std::nullopt);
  const int64_t officer = add("canbo", core::Role::officer, std::nullopt);
  add("nsp1", core::Role::producer, pa);

  core::Ledger ledger(db, clock);
  auto sale = [&](int64_t producer, const char* channel, const char* settlement, int64_t vnd,
                  int64_t when, const char* kind, const char* ref) {
    core::SaleEntry e;
    e.producer_id = producer;
    e.channel = channel;
    e.settlement = settlement;
    e.amount_vnd = vnd;
    e.occurred_at = when;
    e.source_kind = kind;
    e.source_ref = ref;
    if (std::string_view(kind) == "hand_entry") e.entered_by = officer;
    return ledger.append(e).value().id;
  };
  const int64_t first =
      sale(pa, "storefront", "bank_transfer", 200000, at(2026, 1, 10), "order", "CPAAAAAAA1");
  clock.set(at(2026, 1, 15));  // a refund happens now
  ledger.append_refund(first, 50000, std::nullopt, "trả lại một gói").value();
  sale(pa, "shopee", "marketplace", 100000, at(2026, 2, 3), "marketplace", "shopee:1");
  sale(pb, "cash", "cash", 30000, at(2026, 3, 20), "hand_entry", "so-tay-1");
  sale(pb, "storefront", "bank_transfer", 999000, at(2026, 4, 2), "order", "CPAAAAAAA2");
}

}  // namespace chophien::storefront::fixtures
