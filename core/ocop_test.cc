#include "core/ocop.h"

#include <gtest/gtest.h>

namespace chophien::core {
namespace {

TEST(OcopGroups, EmbeddedFileHasSixGroupsInOrder) {
  const auto& groups = ocop_groups();
  ASSERT_EQ(groups.size(), 6u);
  for (size_t i = 0; i < groups.size(); ++i) {
    EXPECT_EQ(groups[i].code, "G" + std::to_string(i + 1));
    EXPECT_EQ(groups[i].order, static_cast<int>(i + 1));
  }
  EXPECT_EQ(groups[0].name_vi, "Thực phẩm");
  EXPECT_EQ(groups[0].name_en, "Food");
  EXPECT_EQ(groups[2].name_vi, "Thảo dược");
}

TEST(OcopGroups, FindsByCodeOnly) {
  ASSERT_NE(find_ocop_group("G4"), nullptr);
  EXPECT_EQ(find_ocop_group("G4")->name_en, "Textiles and garments");
  EXPECT_EQ(find_ocop_group("G7"), nullptr);
  EXPECT_EQ(find_ocop_group("g1"), nullptr);
  EXPECT_EQ(find_ocop_group(""), nullptr);
}

TEST(OcopGroups, MalformedDocumentIsAnErrorNotAnException) {
  EXPECT_FALSE(parse_ocop_groups("{not json").has_value());
  EXPECT_FALSE(parse_ocop_groups("[]").has_value());
  EXPECT_FALSE(parse_ocop_groups(R"({"groups": [{"code": "G1"}]})").has_value());
  auto ok = parse_ocop_groups(R"({"groups": [{"code": "G1", "name_vi": "A", "name_en": "B"}]})");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->size(), 1u);
}

TEST(OcopStars, OnlyThreeToFiveAreRecognised) {
  EXPECT_FALSE(is_ocop_stars(2));
  EXPECT_TRUE(is_ocop_stars(3));
  EXPECT_TRUE(is_ocop_stars(5));
  EXPECT_FALSE(is_ocop_stars(6));
}

}  // namespace
}  // namespace chophien::core
