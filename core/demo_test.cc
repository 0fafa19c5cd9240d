#include "core/demo.h"

#include <gtest/gtest.h>

#include <set>

#include "core/clock.h"
#include "core/database.h"
#include "core/ocop.h"
#include "core/products.h"

namespace chophien::core {
namespace {

int64_t count(Database& db, std::string_view sql) {
  auto s = db.prepare(sql).value();
  EXPECT_TRUE(s.step().value());
  return s.column_int(0);
}

TEST(Demo, LoadsProducersAcrossTheSixCommunesAndProductsInEveryGroup) {
  auto db = Database::open_in_memory().value();
  ManualClock clock;
  auto report = load_demo(db, clock);
  ASSERT_TRUE(report.has_value()) << report.error().field << ": " << report.error().message;
  EXPECT_GE(report->producers_added, 12);
  EXPECT_GE(report->products_added, 38);
  EXPECT_EQ(report->photos_added, report->products_added);
  EXPECT_EQ(count(db, "SELECT COUNT(DISTINCT area_code) FROM producers"), 6);
  EXPECT_EQ(count(db, "SELECT COUNT(DISTINCT ocop_group) FROM products"), 6);
  EXPECT_EQ(count(db,
                  "SELECT COUNT(*) FROM producers WHERE bank_bin NOT IN "
                  "('970405', '970436', '970415', '970418')"),
            0);
  ProductStore products(db, clock);
  auto page = products.search({.q = "mien dong"});
  ASSERT_TRUE(page.has_value());
  EXPECT_GE(page->total, 3);
  auto honey = products.search({.q = "MẬT ONG bạc hà"});
  ASSERT_TRUE(honey.has_value());
  EXPECT_GE(honey->total, 1);
}

TEST(Demo, LoadingTwiceAddsNothing) {
  auto db = Database::open_in_memory().value();
  ManualClock clock;
  ASSERT_TRUE(load_demo(db, clock).has_value());
  auto producers = count(db, "SELECT COUNT(*) FROM producers");
  auto products = count(db, "SELECT COUNT(*) FROM products");
  auto photos = count(db, "SELECT COUNT(*) FROM product_photos");
  auto second = load_demo(db, clock);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->producers_added, 0);
  EXPECT_EQ(second->products_added, 0);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM producers"), producers);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM products"), products);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM product_photos"), photos);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM product_search"), products);
}

TEST(Demo, PhotoIsAnSvgTileWithTheEscapedName) {
  auto svg = demo_photo_svg("Khăn <thổ> cẩm & \"Dao\"", "G4");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("Khăn &lt;thổ&gt; cẩm &amp; &quot;Dao&quot;"), std::string::npos);
  EXPECT_NE(svg.find("#a4285a"), std::string::npos);  // the G4 colour
  EXPECT_NE(demo_photo_svg("x", "G1"), demo_photo_svg("x", "G6"));
}

}  // namespace
}  // namespace chophien::core
