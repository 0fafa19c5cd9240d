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
#include "storefront/figures_fixture.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using fixtures::at;
using fixtures::kFigurePassword;
using nlohmann::json;

constexpr const char* kQuarter =
    "/api/v1/indicators?from=2026-01-01&to=2026-03-31&area=04&by=commune";

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
    server_ = std::make_unique<TestServer>(TestServer::quiet_config(), fixtures::prepare_figures);
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
    auto res = client.Post("/api/v1/auth/login",
                           json{{"login", login}, {"password", kFigurePassword}}.dump(),
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
