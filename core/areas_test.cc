#include "core/areas.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core_data.h"

namespace chophien::core {
namespace {

using nlohmann::json;

std::string default_file() {
  for (const auto& f : embedded::core_data()) {
    if (f.name == "admin_units_baolam.json") return std::string(f.data);
  }
  return {};
}

int64_t count(Database& db, const char* sql) {
  auto stmt = db.prepare(sql).value();
  EXPECT_TRUE(stmt.step().value());
  return stmt.column_int(0);
}

constexpr Date kBefore{2025, 6, 30};
constexpr Date kAfter{2025, 7, 1};
const AreaKey kProvince{"04", "1900-01-01"};
const AreaKey kDistrict{"042", "1900-01-01"};

struct AreasTest : ::testing::Test {
  Database db_ = Database::open_in_memory().value();
  AreaStore areas_{db_};
};

TEST_F(AreasTest, LoadsTheBaoLamDataSet) {
  auto report = areas_.load_default();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->areas_added, 1 + 1 + 13 + 6);
  EXPECT_EQ(report->successions_added, 13);  // 14 predecessors listed, one outside the data set
  ASSERT_EQ(report->notes.size(), 1u);
  EXPECT_NE(report->notes[0].find("01324"), std::string::npos);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM areas"), 21);
}

TEST_F(AreasTest, LoadingTwiceChangesNothing) {
  ASSERT_TRUE(areas_.load_default().has_value());
  auto again = areas_.load_default();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->areas_added, 0);
  EXPECT_EQ(again->areas_updated, 0);
  EXPECT_EQ(again->areas_unchanged, 21);
  EXPECT_EQ(again->successions_added, 0);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM areas"), 21);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM area_successions"), 13);
}

TEST_F(AreasTest, ReusedCodesAreDistinctUnitsByValidFrom) {
  ASSERT_TRUE(areas_.load_default().has_value());
  for (const char* code : {"01290", "01294", "01297", "01304", "01318"}) {
    auto old_unit = areas_.resolve(code, kBefore);
    auto new_unit = areas_.resolve(code, kAfter);
    ASSERT_TRUE(old_unit.has_value()) << code;
    ASSERT_TRUE(new_unit.has_value()) << code;
    EXPECT_EQ(old_unit->key.valid_from, "1900-01-01");
    EXPECT_EQ(old_unit->valid_to, "2025-07-01");
    EXPECT_EQ(new_unit->key.valid_from, "2025-07-01");
    EXPECT_EQ(new_unit->valid_to, std::nullopt);
    EXPECT_EQ(old_unit->parent, kDistrict);
    EXPECT_EQ(new_unit->parent, kProvince);
  }
  EXPECT_EQ(areas_.resolve("01290", kBefore)->full_name_vi, "Thị trấn Pác Miầu");
  EXPECT_EQ(areas_.resolve("01290", kBefore)->level, "township");
  EXPECT_EQ(areas_.resolve("01290", kAfter)->full_name_vi, "Xã Bảo Lâm");
  EXPECT_EQ(areas_.resolve("01290", kAfter)->level, "commune");
  EXPECT_EQ(areas_.resolve("01304", kBefore)->name_vi, "Thạch Lâm");
  EXPECT_EQ(areas_.resolve("01304", kAfter)->name_vi, "Quảng Lâm");
  EXPECT_EQ(areas_.resolve("01291", kBefore)->name_en, "Duc Hanh Commune");
}

TEST_F(AreasTest, UnitsValidOnADateFollowTheReform) {
  ASSERT_TRUE(areas_.load_default().has_value());
  auto before = areas_.valid_on(kBefore, {}, kDistrict);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->size(), 13u);
  EXPECT_EQ(areas_.valid_on(kAfter, {}, kDistrict)->size(), 0u);
  auto after = areas_.valid_on(kAfter, "commune", kProvince);
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->size(), 6u);
  EXPECT_EQ(after->front().key.code, "01290");
  EXPECT_EQ(after->back().key.code, "01324");
  EXPECT_EQ(areas_.valid_on(kBefore, "district")->size(), 1u);
  EXPECT_EQ(areas_.valid_on(kAfter, "district")->size(), 0u);
  EXPECT_EQ(areas_.valid_on(kAfter, "province")->size(), 1u);
  EXPECT_EQ(areas_.valid_on(kBefore, "township")->size(), 1u);
  EXPECT_FALSE(areas_.resolve("042", kAfter).has_value());
  EXPECT_EQ(areas_.resolve("042", kAfter).error().code, ErrorCode::not_found);
  EXPECT_EQ(areas_.resolve("01324", kBefore).error().code, ErrorCode::not_found);
}

TEST_F(AreasTest, ChildrenListEveryVersionUnderAParent) {
  ASSERT_TRUE(areas_.load_default().has_value());
  EXPECT_EQ(areas_.children(kDistrict)->size(), 13u);
  auto province_children = areas_.children(kProvince);
  ASSERT_TRUE(province_children.has_value());
  ASSERT_EQ(province_children->size(), 7u);  // the district, then the 6 new communes
  EXPECT_EQ(province_children->front().key, kDistrict);
}

TEST_F(AreasTest, RebaseMapsFormerUnitsOntoTodaysCommunes) {
  ASSERT_TRUE(areas_.load_default().has_value());
  const Date today{2026, 1, 15};
  auto vinh_phong = areas_.rebase({"01309", "1900-01-01"}, today);
  ASSERT_TRUE(vinh_phong.has_value());
  ASSERT_EQ(vinh_phong->size(), 1u);
  EXPECT_EQ(vinh_phong->front().key, (AreaKey{"01290", "2025-07-01"}));
  auto duc_hanh = areas_.rebase({"01291", "1900-01-01"}, today);
  ASSERT_EQ(duc_hanh->size(), 1u);
  EXPECT_EQ(duc_hanh->front().name_vi, "Cốc Pàng");
  auto current = areas_.rebase({"01318", "2025-07-01"}, today);
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ(current->front().key, (AreaKey{"01318", "2025-07-01"}));
  // Before the reform the former unit is still the answer.
  auto same = areas_.rebase({"01309", "1900-01-01"}, kBefore);
  ASSERT_EQ(same->size(), 1u);
  EXPECT_EQ(same->front().key.code, "01309");
  // The district has no successor in the table: the trail ends.
  EXPECT_TRUE(areas_.rebase(kDistrict, today)->empty());
  EXPECT_EQ(areas_.rebase({"99999", "1900-01-01"}, today).error().code, ErrorCode::not_found);
}

TEST_F(AreasTest, SuccessionTableHoldsTheMapping) {
  ASSERT_TRUE(areas_.load_default().has_value());
  auto into_yen_tho = areas_.predecessors({"01318", "2025-07-01"});
  ASSERT_EQ(into_yen_tho->size(), 3u);
  EXPECT_EQ((*into_yen_tho)[0].key.code, "01315");
  EXPECT_EQ((*into_yen_tho)[2].key, (AreaKey{"01318", "1900-01-01"}));
  auto coc_pang = areas_.predecessors({"01324", "2025-07-01"});
  ASSERT_EQ(coc_pang->size(), 1u);  // 01324 of former Bảo Lạc is not in the data set
  EXPECT_EQ(coc_pang->front().key.code, "01291");
  auto pac_miau = areas_.successors({"01290", "1900-01-01"});
  ASSERT_EQ(pac_miau->size(), 1u);
  EXPECT_EQ(pac_miau->front().full_name_vi, "Xã Bảo Lâm");
}

TEST_F(AreasTest, ChangedNamesAreUpdatedOnReload) {
  ASSERT_TRUE(areas_.load_default().has_value());
  json doc = json::parse(default_file());
  // A decomposed spelling must be stored as NFC.
  doc["units_before_2025"][0]["name_vi"] = "Pa\u0301c Mi\u00e2\u0300u Mới";
  auto report = areas_.load_json(doc.dump());
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->areas_updated, 1);
  EXPECT_EQ(report->areas_added, 0);
  EXPECT_EQ(areas_.resolve("01290", kBefore)->name_vi, "Pác Miầu Mới");
}

TEST_F(AreasTest, BadFilesAreRejectedAndWriteNothing) {
  json good = json::parse(default_file());
  struct Case {
    std::string text;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({"not json", "file"});
  cases.push_back({"[1,2]", "file"});
  cases.push_back({"{\"province\": {\"code\": \"04\", \"name_vi\": \"x\xff\"}}", "file"});
  cases.push_back({"{}", "province"});
  json bad_code = good;
  bad_code["units_after_2025"][2]["code"] = "01'; DROP TABLE areas;--";
  cases.push_back({bad_code.dump(), "units_after_2025[2].code"});
  json long_name = good;
  long_name["units_before_2025"][5]["name_vi"] = std::string(1000, 'a');
  cases.push_back({long_name.dump(), "units_before_2025[5].name_vi"});
  json bad_date = good;
  bad_date["units_after_2025"][0]["effective"] = "2025-02-30";
  cases.push_back({bad_date.dump(), "units_after_2025[0].effective"});
  json wrong_type = good;
  wrong_type["units_before_2025"][1]["name_vi"] = 42;
  cases.push_back({wrong_type.dump(), "units_before_2025[1].name_vi"});
  json no_type = good;
  no_type["units_before_2025"][1].erase("type_vi");
  no_type["units_before_2025"][1].erase("type_en");
  cases.push_back({no_type.dump(), "units_before_2025[1].type_vi"});
  json twice = good;
  twice["units_before_2025"].push_back(twice["units_before_2025"][0]);
  cases.push_back({twice.dump(), "units"});
  for (const auto& c : cases) {
    auto report = areas_.load_json(c.text);
    ASSERT_FALSE(report.has_value()) << c.text.substr(0, 60);
    EXPECT_EQ(report.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(report.error().field, c.field);
  }
  EXPECT_EQ(count(db_, "SELECT count(*) FROM areas"), 0);
}

TEST_F(AreasTest, SqlMetacharactersInNamesAreStoredVerbatim) {
  json doc = json::parse(default_file());
  const std::string hostile = "Robert'); DROP TABLE areas;-- \"%_";
  doc["units_after_2025"][3]["name_vi"] = hostile;
  ASSERT_TRUE(areas_.load_json(doc.dump()).has_value());
  EXPECT_EQ(areas_.resolve("01304", kAfter)->name_vi, hostile);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM areas"), 21);
}

}  // namespace
}  // namespace chophien::core
