// Public routes over real HTTP: banks, areas, the VietQR generator, quick-link images, static
// files. QR images are read back with zbarimg, an independent decoder.
#include <gtest/gtest.h>
#include <httplib.h>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "qr/payload.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;

// What zbarimg reads in a PNG ("" when nothing).
std::string zbar_decode(const std::string& png) {
  static int counter = 0;
  const auto path =
      std::filesystem::temp_directory_path() /
      ("chophien-qr-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".png");
  {
    std::ofstream out(path, std::ios::binary);
    out << png;
  }
  std::string command = "zbarimg --raw -q '" + path.string() + "' 2>/dev/null";
  std::string text;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[512];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
    ::pclose(pipe);
  }
  std::filesystem::remove(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

struct PngSize {
  unsigned width = 0, height = 0;
};
PngSize png_size(const std::string& png) {
  if (png.size() < 24 || png.compare(1, 3, "PNG") != 0) return {};
  auto be32 = [&](size_t at) {
    return (unsigned(uint8_t(png[at])) << 24) | (unsigned(uint8_t(png[at + 1])) << 16) |
           (unsigned(uint8_t(png[at + 2])) << 8) | unsigned(uint8_t(png[at + 3]));
  };
  return {be32(16), be32(20)};
}

class PublicRoutes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  httplib::Client client() { return server_->client(); }
  static TestServer* server_;

  void expect_field_error(const std::string& path, const std::string& field) {
    auto res = client().Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 400) << path;
    auto body = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << res->body;
    EXPECT_EQ(body["error"]["code"], "invalid_input") << path;
    EXPECT_EQ(body["error"]["field"], field) << path << " " << res->body;
    EXPECT_EQ(body["request_id"], res->get_header_value("X-Request-Id"));
  }
};
TestServer* PublicRoutes::server_ = nullptr;

TEST_F(PublicRoutes, BanksListsTheDirectory) {
  auto res = client().Get("/api/v1/banks");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto banks = json::parse(res->body)["banks"];
  ASSERT_GT(banks.size(), 20u);
  bool vcb = false;
  for (const auto& b : banks) {
    if (b["bin"] == "970436") {
      vcb = true;
      EXPECT_EQ(b["code"], "VCB");
      EXPECT_EQ(b["short_name"], "Vietcombank");
      EXPECT_FALSE(b["name"].get<std::string>().empty());
    }
  }
  EXPECT_TRUE(vcb);
}

TEST_F(PublicRoutes, VietqrJsonGivesThePayloadAndItsDecodedFields) {
  auto res = client().Get(
      "/api/v1/vietqr?bank=vietcombank&account=0011001234567&amount=150000&purpose=CPK7Q2M9X");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = json::parse(res->body);
  const std::string payload = body["payload"];
  auto decoded = qr::decode(payload);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded.value->bin, "970436");
  EXPECT_EQ(decoded.value->account, "0011001234567");
  EXPECT_EQ(decoded.value->amount, 150000);
  EXPECT_EQ(body["decoded"]["account"], "0011001234567");
  EXPECT_EQ(body["decoded"]["amount"], 150000);
  EXPECT_EQ(body["decoded"]["purpose"], "CPK7Q2M9X");
  EXPECT_EQ(body["bank"]["code"], "VCB");
}

TEST_F(PublicRoutes, VietqrPngAndSvgHoldThePayload) {
  const std::string query = "bank=970436&account=0011001234567&amount=120000&purpose=Mien%20dong";
  auto json_res = client().Get("/api/v1/vietqr?" + query);
  ASSERT_TRUE(json_res);
  const std::string payload = json::parse(json_res->body)["payload"];
  auto png = client().Get("/api/v1/vietqr?" + query + "&format=png");
  ASSERT_TRUE(png);
  EXPECT_EQ(png->status, 200);
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(zbar_decode(png->body), payload);
  auto svg = client().Get("/api/v1/vietqr?" + query + "&format=svg");
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->status, 200);
  EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_NE(svg->body.find("<svg"), std::string::npos);
}

TEST_F(PublicRoutes, VietqrBadInputNamesTheField) {
  expect_field_error("/api/v1/vietqr?account=0011001234567", "bank");
  expect_field_error("/api/v1/vietqr?bank=NoSuchBank&account=0011001234567", "bank");
  expect_field_error("/api/v1/vietqr?bank=VCB", "account");
  expect_field_error("/api/v1/vietqr?bank=VCB&account=0011-001", "account");
  expect_field_error("/api/v1/vietqr?bank=VCB&account=0011001234567&amount=12a", "amount");
  expect_field_error("/api/v1/vietqr?bank=VCB&account=0011001234567&amount=-5", "amount");
  expect_field_error("/api/v1/vietqr?bank=VCB&account=0011001234567&amount=0", "amount");
  expect_field_error(
      "/api/v1/vietqr?bank=VCB&account=0011001234567&purpose=" + std::string(40, 'A'), "purpose");
  expect_field_error("/api/v1/vietqr?bank=VCB&account=0011001234567&format=gif", "format");
}

TEST_F(PublicRoutes, QuickLinkImagesDecodeToTheSamePayloadInEveryTemplate) {
  auto json_res =
      client().Get("/api/v1/vietqr?bank=VCB&account=0011001234567&amount=240000&purpose=CPK7Q2M9X");
  ASSERT_TRUE(json_res);
  const std::string payload = json::parse(json_res->body)["payload"];
  PngSize sizes[3];
  const char* templates[] = {"qr_only", "compact", "print"};
  for (int i = 0; i < 3; ++i) {
    auto res = client().Get(std::string("/image/VCB-0011001234567-") + templates[i] +
                            ".png?amount=240000&addInfo=CPK7Q2M9X&accountName=" +
                            "HTX%20N%C3%B4ng%20s%E1%BA%A3n%20B%E1%BA%A3o%20L%C3%A2m");
    ASSERT_TRUE(res) << templates[i];
    ASSERT_EQ(res->status, 200) << templates[i] << " " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(zbar_decode(res->body), payload) << templates[i];
    sizes[i] = png_size(res->body);
  }
  // qr_only is square; the others carry a caption below the code, print the most.
  EXPECT_EQ(sizes[0].width, sizes[0].height);
  EXPECT_GT(sizes[1].height, sizes[1].width);
  EXPECT_GT(sizes[2].height - sizes[2].width, sizes[1].height - sizes[1].width);
  EXPECT_GT(sizes[2].width, sizes[1].width);
}

TEST_F(PublicRoutes, QuickLinkAcceptsABinAndNoAmount) {
  auto res = client().Get("/image/970436-0011001234567-compact.png");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto decoded = qr::decode(zbar_decode(res->body));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded.value->account, "0011001234567");
  EXPECT_FALSE(decoded.value->amount.has_value());
}

TEST_F(PublicRoutes, QuickLinkBadInputNamesTheField) {
  expect_field_error("/image/VCB-0011001234567-poster.png", "template");
  expect_field_error("/image/NoSuchBank-0011001234567-qr_only.png", "bank");
  expect_field_error("/image/VCB-0011001234567-qr_only.png?amount=1.5", "amount");
  expect_field_error("/image/VCB-0011001234567-print.png?addInfo=" + std::string(30, 'B'),
                     "addInfo");
  expect_field_error("/image/VCB-0011001234567-print.png?accountName=" + std::string(60, 'C'),
                     "accountName");
  expect_field_error("/image/VCB0011001234567.png", "template");
}

TEST_F(PublicRoutes, AreasValidOnADate) {
  auto res = client().Get("/api/v1/areas?at=2025-07-01");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = json::parse(res->body);
  EXPECT_EQ(body["at"], "2025-07-01");
  ASSERT_FALSE(body["areas"].empty());
  for (const auto& area : body["areas"]) {
    EXPECT_LE(area["valid_from"].get<std::string>(), "2025-07-01");
  }
  expect_field_error("/api/v1/areas?at=2025-13-45", "at");
  expect_field_error("/api/v1/areas?at=2025-07-01&parent=99999", "parent");
}

TEST_F(PublicRoutes, StylesheetIsServedWithAHashedImmutableUrlAndAnEtag) {
  const std::string url = server_->server().renderer().asset_url("style.css");
  EXPECT_TRUE(url.starts_with("/static/style.")) << url;
  EXPECT_NE(url, "/static/style.css");
  auto res = client().Get(url);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_LT(res->body.size(), 6u * 1024);
  const std::string etag = res->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = client().Get(url, {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto plain = client().Get("/static/style.css");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(plain->body, res->body);
  EXPECT_EQ(plain->get_header_value("Cache-Control"), "public, no-cache");
  auto missing = client().Get("/static/nope.css");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(PublicRoutes, MetricsRefusedToOtherAddressesUnlessAdmin) {
  // From 127.0.0.1 it works; the admin hook is what opens it to others.
  auto res = client().Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

}  // namespace
}  // namespace chophien::storefront
