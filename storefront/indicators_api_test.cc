// GET /api/v1/indicators over real HTTP: who may read the figures, the parameter errors, and the
// figures of a hand-made ledger (hand-computed, and equal to the engine's own report) as JSON,
// CSV (with its BOM) and XLSX.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/database.h"
#include "core/indicator_export.h"
#include "core/indicators.h"
#include "core/ledger.h"
#include "core/producers.h"
#include "core/text.h"
#include "core/users.h"
#include "storefront/auth.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "mat-khau-dai-1";
constexpr const char* kQuarter =
    "/api/v1/indicators?from=2026-01-01&to=2026-03-31&area=04&by=commune";

int64_t at(int year, int month, int day) {
  return core::vietnam_midnight(core::Date{year, month, day}) + 10 * 3600;
}

// Two producers, both registered before 2026:
//  A in Bảo Lâm (01290), with a bank account: storefront 200,000 by transfer (January, refunded
//    50,000), Shopee 100,000 (February).
//  B in Lý Bôn (01294), no bank account: a hand-entered cash sale of 30,000 (March) and a
//    storefront sale of 999,000 in April (outside the first quarter).
void prepare(core::Database& db) {
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
    u.password = kPassword;
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

struct Answer {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  json parsed() const { return json::parse(body, nullptr, false); }
  std::string header(const char* name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class IndicatorsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    server_ = std::make_unique<TestServer>(TestServer::quiet_config(), prepare);
    server_->clock().set(at(2026, 5, 1));
  }

  Answer get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client = server_->client();
    auto res = client.Get(path, headers);
    if (!res) {
      ADD_FAILURE() << path << ": " << httplib::to_string(res.error());
      return {};
    }
    return {res->status, res->body, res->headers};
  }

  httplib::Headers bearer(const std::string& login) {
    httplib::Client client = server_->client();
    auto res =
        client.Post("/api/v1/auth/login", json{{"login", login}, {"password", kPassword}}.dump(),
                    "application/json");
    EXPECT_TRUE(res && res->status == 200);
    if (!res) return {};
    return {
        {"Authorization", "Bearer " + json::parse(res->body, nullptr, false).value("token", "")}};
  }

  void expect_bad(const std::string& query, const std::string& field) {
    Answer a = get("/api/v1/indicators?" + query, bearer("canbo"));
    EXPECT_EQ(a.status, 400) << query << ": " << a.body;
    json body = a.parsed();
    ASSERT_TRUE(body.is_object()) << a.body;
    EXPECT_EQ(body["error"]["code"], "invalid_input") << query;
    EXPECT_EQ(body["error"].value("field", ""), field) << query << ": " << a.body;
    EXPECT_FALSE(body["error"].value("message", "").empty()) << query;
  }

  std::unique_ptr<TestServer> server_;
};

const json* figure(const json& report, const std::string& area, const std::string& code) {
  for (const auto& row : report["rows"]) {
    if (row["area"]["code"] != area) continue;
    for (const auto& f : row["figures"])
      if (f["code"] == code) return &f;
  }
  return nullptr;
}

TEST_F(IndicatorsApi, WithoutSessionIsUnauthenticated) {
  Answer a = get(kQuarter);
  EXPECT_EQ(a.status, 401) << a.body;
  EXPECT_EQ(a.parsed()["error"]["code"], "unauthenticated");
}

TEST_F(IndicatorsApi, ProducerIsForbidden) {
  Answer a = get(kQuarter, bearer("nsp1"));
  EXPECT_EQ(a.status, 403) << a.body;
  EXPECT_EQ(a.parsed()["error"]["code"], "forbidden");
}

TEST_F(IndicatorsApi, AdminMayReadTheFigures) {
  EXPECT_EQ(get(kQuarter, bearer("admin")).status, 200);
}

TEST_F(IndicatorsApi, BadParametersAreInvalidInputNamingTheParameter) {
  expect_bad("to=2026-03-31&area=04", "from");
  expect_bad("from=2026-13-01&to=2026-03-31&area=04", "from");
  expect_bad("from=2026-02-30&to=2026-03-31&area=04", "from");
  expect_bad("from=1/1/2026&to=2026-03-31&area=04", "from");
  expect_bad("from=2026-01-01&to=tomorrow&area=04", "to");
  expect_bad("from=2026-04-01&to=2026-03-31&area=04", "to");
  expect_bad("from=2026-01-01&to=2026-03-31", "area");
  expect_bad("from=2026-01-01&to=2026-03-31&area=99", "area");
  expect_bad("from=2026-01-01&to=2026-03-31&area=04%22%0D%0AX:1", "area");
  expect_bad("from=2026-01-01&to=2026-03-31&area=04&basis=sideways", "basis");
  expect_bad("from=2026-01-01&to=2026-03-31&area=04&by=hamlet", "by");
  expect_bad("from=2026-01-01&to=2026-03-31&area=04&format=pdf", "format");
}

TEST_F(IndicatorsApi, JsonHasTheHandComputedFiguresOfTheLedger) {
  Answer a = get(kQuarter, bearer("canbo"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.header("Content-Type"), "application/json");
  EXPECT_EQ(a.header("Content-Disposition"),
            "inline; filename=\"chi-tieu_04_2026-01-01_2026-03-31_as_dated.json\"");
  EXPECT_EQ(a.header("Cache-Control"), "no-store");
  json r = a.parsed();
  ASSERT_TRUE(r.is_object()) << a.body;
  EXPECT_EQ(r["basis"], "as_dated");
  EXPECT_EQ(r["rows"][0]["area"]["code"], "04");
  auto num = [&](const char* area, const char* code) {
    const json* f = figure(r, area, code);
    return f ? (*f)["numerator"] : json("missing");
  };
  auto den = [&](const char* area, const char* code) {
    const json* f = figure(r, area, code);
    return f ? (*f)["denominator"] : json("missing");
  };
  // 200,000 - 50,000 + 100,000 + 30,000; April's sale is outside the quarter.
  EXPECT_EQ(num("04", "revenue_vnd"), 280000);
  EXPECT_EQ((*figure(r, "04", "revenue_vnd"))["source"], "self_declared");
  EXPECT_EQ(num("04", "online_revenue_vnd"), 250000);
  EXPECT_EQ((*figure(r, "04", "online_revenue_vnd"))["source"], "system");
  EXPECT_EQ(num("04", "marketplace_orders"), 1);
  EXPECT_EQ(num("04", "cashless_order_rate"), 2);
  EXPECT_EQ(den("04", "cashless_order_rate"), 3);
  EXPECT_EQ(num("04", "cashless_value_rate"), 250000);
  EXPECT_EQ(den("04", "cashless_value_rate"), 280000);
  EXPECT_EQ(num("04", "producers"), 2);
  EXPECT_EQ(num("04", "ecom_producer_rate"), 1);
  EXPECT_DOUBLE_EQ((*figure(r, "04", "ecom_producer_rate"))["value"].get<double>(), 0.5);
  EXPECT_EQ(num("04", "qr_acceptance_rate"), 1);
  EXPECT_EQ(num("01290", "revenue_vnd"), 250000);
  EXPECT_EQ(num("01294", "revenue_vnd"), 30000);
  EXPECT_EQ(num("01294", "producers"), 1);
  // Lý Bôn has no marketplace sale: 0 of 1, a value of 0; a commune without producers: no value.
  EXPECT_EQ((*figure(r, "01294", "ecom_producer_rate"))["value"], 0.0);
  EXPECT_TRUE((*figure(r, "01297", "ecom_producer_rate"))["value"].is_null());
}

TEST_F(IndicatorsApi, JsonEqualsTheEnginesReport) {
  for (const char* basis : {"as_dated", "rebased"}) {
    Answer a = get(std::string(kQuarter) + "&basis=" + basis, bearer("canbo"));
    ASSERT_EQ(a.status, 200) << a.body;
    auto db = core::Database::open(server_->db_path().string()).value();
    core::IndicatorEngine engine(db, server_->clock());
    auto report = engine.compute(core::Date{2026, 1, 1}, core::Date{2026, 3, 31}, "04", "commune",
                                 *core::parse_basis(basis));
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_EQ(a.parsed(), json::parse(core::report_json(*report))) << basis;
  }
}

TEST_F(IndicatorsApi, CsvStartsWithByteOrderMarkAndIsAnAttachment) {
  Answer a = get(std::string(kQuarter) + "&basis=rebased&format=csv", bearer("canbo"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(a.header("Content-Disposition"),
            "attachment; filename=\"chi-tieu_04_2026-01-01_2026-03-31_rebased.csv\"");
  ASSERT_GE(a.body.size(), 3u);
  EXPECT_EQ(a.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(a.body.substr(3, a.body.find("\r\n") - 3),
            "area_code,area_valid_from,area_name,level,indicator,name_vi,numerator,denominator,"
            "value,unit,period_from,period_to,basis,source,generated_at");
  // The province's total revenue row.
  std::istringstream lines(a.body);
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    if (line.rfind("04,", 0) == 0 && line.find(",revenue_vnd,") != std::string::npos) {
      found = true;
      EXPECT_NE(line.find(",280000,,280000,"), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(IndicatorsApi, XlsxIsASpreadsheetAttachment) {
  Answer a = get(std::string(kQuarter) + "&format=xlsx", bearer("canbo"));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.header("Content-Type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(a.header("Content-Disposition"),
            "attachment; filename=\"chi-tieu_04_2026-01-01_2026-03-31_as_dated.xlsx\"");
  ASSERT_GE(a.body.size(), 4u);
  EXPECT_EQ(a.body.substr(0, 4), std::string("PK\x03\x04", 4));  // a zip file
}

}  // namespace
}  // namespace chophien::storefront
