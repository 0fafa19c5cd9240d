// Product photos with real images made here by libvips: accepted kinds, refusals (not an image,
// cut short, a pixel bomb, too large) that store nothing, one stored copy per content, the
// resized copies read back by decoding them, and the API and /anh/ over real HTTP.
#include "storefront/photos.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vips/vips.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/test_producer.h"
#include "core/users.h"
#include "storefront/auth.h"
#include "storefront/test_server.h"
#include "storefront/workspace_fixture.h"

namespace chophien::storefront {
namespace {

using core::testing_support::add_producer;

struct Unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

// A colourful test picture (a gradient with noise, so it compresses like a photo).
Image picture(int width, int height, bool alpha = false) {
  VipsImage* noise = nullptr;
  EXPECT_EQ(vips_gaussnoise(&noise, width, height, "mean", 128.0, "sigma", 40.0, nullptr), 0);
  VipsImage* bands[3] = {};
  // Blurred noise has the fine but not random detail of a photo; raw noise would be a worst case.
  VipsImage* blurred = nullptr;
  EXPECT_EQ(vips_gaussblur(noise, &blurred, 1.5, nullptr), 0);
  g_object_unref(noise);
  Image n(blurred);
  VipsImage* xyz = nullptr;
  EXPECT_EQ(vips_xyz(&xyz, width, height, nullptr), 0);
  Image grid(xyz);
  VipsImage* joined = nullptr;
  bands[0] = n.get();
  bands[1] = n.get();
  bands[2] = n.get();
  EXPECT_EQ(vips_bandjoin(bands, &joined, 3, nullptr), 0);
  Image rgb(joined);
  VipsImage* cast = nullptr;
  EXPECT_EQ(vips_cast_uchar(rgb.get(), &cast, nullptr), 0);
  Image out(cast);
  if (alpha) {
    VipsImage* with_alpha = nullptr;
    EXPECT_EQ(vips_bandjoin_const1(out.get(), &with_alpha, 128.0, nullptr), 0);
    out.reset(with_alpha);
  }
  out->Type = VIPS_INTERPRETATION_sRGB;
  return out;
}

std::string jpeg(VipsImage* image, int orientation = 0) {
  VipsImage* copy = nullptr;
  EXPECT_EQ(vips_copy(image, &copy, nullptr), 0);
  Image c(copy);
  if (orientation != 0) vips_image_set_int(c.get(), VIPS_META_ORIENTATION, orientation);
  void* buf = nullptr;
  size_t size = 0;
  EXPECT_EQ(vips_jpegsave_buffer(c.get(), &buf, &size, "Q", 90, nullptr), 0);
  std::string out(static_cast<char*>(buf), size);
  g_free(buf);
  return out;
}

std::string png(VipsImage* image) {
  void* buf = nullptr;
  size_t size = 0;
  EXPECT_EQ(vips_pngsave_buffer(image, &buf, &size, nullptr), 0);
  std::string out(static_cast<char*>(buf), size);
  g_free(buf);
  return out;
}

// Decodes `bytes` independently of the code under test and returns {width, height}.
std::pair<int, int> decoded_size(const std::string& bytes) {
  VipsImage* image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  if (image == nullptr) return {0, 0};
  Image i(image);
  double avg = 0;
  if (vips_avg(i.get(), &avg, nullptr) != 0) return {-1, -1};  // full decode
  return {vips_image_get_width(i.get()), vips_image_get_height(i.get())};
}

uint32_t crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A real PNG whose IHDR claims `side` x `side` pixels (CRC fixed, so only the size is wrong).
std::string png_bomb(int side) {
  std::string bytes = png(picture(8, 8).get());
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  };
  put32(16, static_cast<uint32_t>(side));
  put32(20, static_cast<uint32_t>(side));
  put32(29, crc32(std::string_view(bytes).substr(12, 17)));
  return bytes;
}

int64_t count(core::Database& db, const char* table) {
  auto s = db.prepare(std::string("SELECT COUNT(*) FROM ") + table).value();
  (void)s.step().value();
  return s.column_int(0);
}

core::ProductFields fields(const std::string& name) {
  core::ProductFields f;
  f.name = name;
  f.ocop_group = "G1";
  f.unit = "gói 500 g";
  f.price_vnd = 120000;
  f.stock = 10;
  f.status = core::ProductStatus::active;
  return f;
}

class PhotosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(VIPS_INIT("photos_test"), 0);
    dir_ = std::filesystem::temp_directory_path() /
           ("photos_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = std::make_unique<core::Database>(core::Database::open((dir_ / "t.db").string()).value());
    producer_a_ = add_producer(*db_, "HTX A", "");
    producer_b_ = add_producer(*db_, "HTX B", "");
    core::ProductStore products(*db_, clock_);
    product_a_ = products.create(producer_a_, fields("Miến dong")).value().id;
    product_a2_ = products.create(producer_a_, fields("Mật ong")).value().id;
    product_b_ = products.create(producer_b_, fields("Trà")).value().id;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void expect_nothing_stored() {
    EXPECT_EQ(count(*db_, "photo_blobs"), 0);
    EXPECT_EQ(count(*db_, "photo_variants"), 0);
    EXPECT_EQ(count(*db_, "product_photos"), 0);
  }
  std::filesystem::path dir_;
  core::ManualClock clock_;
  std::unique_ptr<core::Database> db_;
  int64_t producer_a_ = 0, producer_b_ = 0, product_a_ = 0, product_a2_ = 0, product_b_ = 0;
};

TEST_F(PhotosTest, PhonePhotoGetsCopiesAtEachWidthWithTheRightSizes) {
  const std::string bytes = jpeg(picture(2000, 1500).get());
  auto photo = store_photo(*db_, clock_, producer_a_, product_a_, bytes);
  ASSERT_TRUE(photo.has_value()) << photo.error().message;
  EXPECT_EQ(photo->content_type, "image/jpeg");
  EXPECT_EQ(photo->width, 2000);
  EXPECT_EQ(photo->height, 1500);
  EXPECT_EQ(photo->variant_widths, (std::vector<int>{160, 480, 960}));
  core::ProductStore store(*db_, clock_);
  for (int w : {160, 480, 960}) {
    auto copy = store.photo_variant(photo->sha256, w, "webp");
    ASSERT_TRUE(copy.has_value()) << w;
    EXPECT_EQ(copy->content_type, "image/webp");
    EXPECT_EQ(decoded_size(copy->bytes), (std::pair<int, int>{w, w * 3 / 4}));
    std::printf("webp %d: %zu bytes\n", w, copy->bytes.size());
  }
  auto jpg = store.photo_variant(photo->sha256, 960, "jpg");
  ASSERT_TRUE(jpg.has_value());
  EXPECT_EQ(decoded_size(jpg->bytes), (std::pair<int, int>{960, 720}));
  EXPECT_LT(jpg->bytes.size(), 150u * 1024);
  std::printf("original %zu bytes, jpg 960: %zu bytes\n", bytes.size(), jpg->bytes.size());
  EXPECT_EQ(store.photo_variant(photo->sha256, 320, "webp").error().code, ErrorCode::not_found);
}

TEST_F(PhotosTest, ExifOrientationTurnsThePhotoUpright) {
  // Stored 400 x 200 with orientation 6 (the phone was held upright): shown 200 x 400.
  auto photo = store_photo(*db_, clock_, producer_a_, product_a_, jpeg(picture(400, 200).get(), 6));
  ASSERT_TRUE(photo.has_value()) << photo.error().message;
  EXPECT_EQ(photo->width, 200);
  EXPECT_EQ(photo->height, 400);
  EXPECT_EQ(photo->variant_widths, (std::vector<int>{160, 200}));
  core::ProductStore store(*db_, clock_);
  EXPECT_EQ(decoded_size(store.photo_variant(photo->sha256, 200, "webp")->bytes),
            (std::pair<int, int>{200, 400}));
  EXPECT_EQ(decoded_size(store.photo_variant(photo->sha256, 160, "webp")->bytes),
            (std::pair<int, int>{160, 320}));
}

TEST_F(PhotosTest, SmallTransparentPngIsNeverEnlarged) {
  auto photo =
      store_photo(*db_, clock_, producer_a_, product_a_, png(picture(120, 90, true).get()));
  ASSERT_TRUE(photo.has_value()) << photo.error().message;
  EXPECT_EQ(photo->content_type, "image/png");
  EXPECT_EQ(photo->variant_widths, (std::vector<int>{120}));
  core::ProductStore store(*db_, clock_);
  EXPECT_EQ(decoded_size(store.photo_variant(photo->sha256, 120, "jpg")->bytes),
            (std::pair<int, int>{120, 90}));
}

TEST_F(PhotosTest, WebpIsAccepted) {
  VipsImage* image = nullptr;
  Image p = picture(600, 400);
  void* buf = nullptr;
  size_t size = 0;
  ASSERT_EQ(vips_webpsave_buffer(p.get(), &buf, &size, nullptr), 0);
  std::string bytes(static_cast<char*>(buf), size);
  g_free(buf);
  (void)image;
  auto photo = store_photo(*db_, clock_, producer_a_, product_a_, bytes);
  ASSERT_TRUE(photo.has_value()) << photo.error().message;
  EXPECT_EQ(photo->content_type, "image/webp");
  EXPECT_EQ(photo->variant_widths, (std::vector<int>{160, 480, 600}));
}

TEST_F(PhotosTest, TextRenamedJpgIsRefusedAndNothingStored) {
  auto r = store_photo(*db_, clock_, producer_a_, product_a_, "Xin chào, đây không phải ảnh.\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(r.error().field, "photo");
  EXPECT_NE(r.error().message.find("không phải ảnh JPEG, PNG hay WebP"), std::string::npos);
  expect_nothing_stored();
}

TEST_F(PhotosTest, TruncatedJpegIsRefusedAndNothingStored) {
  const std::string whole = jpeg(picture(800, 600).get());
  auto r = store_photo(*db_, clock_, producer_a_, product_a_, whole.substr(0, whole.size() / 2));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_NE(r.error().message.find("bị hỏng"), std::string::npos) << r.error().message;
  expect_nothing_stored();
}

TEST_F(PhotosTest, PixelBombIsRefusedFromItsHeader) {
  auto r = store_photo(*db_, clock_, producer_a_, product_a_, png_bomb(19000));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_NE(r.error().message.find("quá nhiều điểm ảnh"), std::string::npos) << r.error().message;
  auto side = store_photo(*db_, clock_, producer_a_, product_a_, png_bomb(100000));
  ASSERT_FALSE(side.has_value());
  expect_nothing_stored();
}

TEST_F(PhotosTest, OverSizeUploadIsRefused) {
  std::string big = jpeg(picture(64, 64).get());
  big.resize(core::kMaxPhotoBytes + 1, '\0');
  auto r = store_photo(*db_, clock_, producer_a_, product_a_, big);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::too_large);
  EXPECT_NE(r.error().message.find("lớn hơn 7 MB"), std::string::npos);
  EXPECT_EQ(store_photo(*db_, clock_, producer_a_, product_a_, "").error().code,
            ErrorCode::invalid_input);
  expect_nothing_stored();
}

TEST_F(PhotosTest, SamePhotoTwiceIsStoredOnce) {
  const std::string bytes = jpeg(picture(1000, 800).get());
  auto first = store_photo(*db_, clock_, producer_a_, product_a_, bytes);
  ASSERT_TRUE(first.has_value());
  auto again = store_photo(*db_, clock_, producer_a_, product_a_, bytes);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(count(*db_, "product_photos"), 1);
  auto other = store_photo(*db_, clock_, producer_a_, product_a2_, bytes);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->id, first->id);
  EXPECT_EQ(count(*db_, "photo_blobs"), 1);
  EXPECT_EQ(count(*db_, "photo_variants"), 4);
  EXPECT_EQ(count(*db_, "product_photos"), 2);
  // Removing one keeps the bytes for the other; removing both removes bytes and copies.
  ASSERT_TRUE(remove_photo(*db_, clock_, producer_a_, product_a_, first->id).has_value());
  EXPECT_EQ(count(*db_, "photo_variants"), 4);
  ASSERT_TRUE(remove_photo(*db_, clock_, producer_a_, product_a2_, other->id).has_value());
  expect_nothing_stored();
}

TEST_F(PhotosTest, PhotosMoveAndTheOrderStaysDense) {
  std::vector<int64_t> ids;
  for (int w : {300, 310, 320}) {
    ids.push_back(
        store_photo(*db_, clock_, producer_a_, product_a_, png(picture(w, 200).get())).value().id);
  }
  auto moved = move_photo(*db_, clock_, producer_a_, product_a_, ids[2], 0);
  ASSERT_TRUE(moved.has_value());
  ASSERT_EQ(moved->size(), 3u);
  EXPECT_EQ((*moved)[0].id, ids[2]);
  EXPECT_EQ((*moved)[1].id, ids[0]);
  EXPECT_EQ((*moved)[2].position, 2);
  ASSERT_TRUE(remove_photo(*db_, clock_, producer_a_, product_a_, ids[2]).has_value());
  auto rest = product_photos(*db_, clock_, producer_a_, product_a_).value();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].id, ids[0]);
  EXPECT_EQ(rest[0].position, 0);
  EXPECT_EQ(rest[1].position, 1);
}

TEST_F(PhotosTest, AnotherProducerCannotTouchTheProductsPhotos) {
  const std::string bytes = png(picture(200, 100).get());
  auto mine = store_photo(*db_, clock_, producer_a_, product_a_, bytes).value();
  EXPECT_EQ(
      store_photo(*db_, clock_, producer_b_, product_a_, jpeg(picture(50, 50).get())).error().code,
      ErrorCode::not_found);
  EXPECT_EQ(move_photo(*db_, clock_, producer_b_, product_a_, mine.id, 0).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(remove_photo(*db_, clock_, producer_b_, product_a_, mine.id).error().code,
            ErrorCode::not_found);
  // Its own product, but a photo of someone else's: not found either.
  EXPECT_EQ(remove_photo(*db_, clock_, producer_b_, product_b_, mine.id).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(count(*db_, "product_photos"), 1);
  EXPECT_EQ(count(*db_, "photo_blobs"), 1);
}

// --- The helper process -----------------------------------------------------------------

// Sets CHOPHIEN_PHOTO_HELPER for the scope of the object.
struct HelperOverride {
  explicit HelperOverride(const std::string& path) {
    setenv("CHOPHIEN_PHOTO_HELPER", path.c_str(), 1);
  }
  ~HelperOverride() { unsetenv("CHOPHIEN_PHOTO_HELPER"); }
};

TEST(PhotoHelper, TheServerProgramDoesNotLinkTheDecoder) {
  // The server maps none of libvips' libraries; the helper next to it does the decoding.
  FILE* pipe = popen((std::string("ldd ") + CHOPHIEN_BINARY).c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string libs;
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) libs += buffer;
  ASSERT_EQ(pclose(pipe), 0);
  EXPECT_NE(libs.find("libsqlite3"), std::string::npos);
  EXPECT_EQ(libs.find("libvips"), std::string::npos) << libs;
  const std::string binary = CHOPHIEN_BINARY;
  EXPECT_TRUE(std::filesystem::exists(binary.substr(0, binary.rfind('/') + 1) + "chophien-photos"));
}

TEST_F(PhotosTest, AMissingHelperIsUnavailableAndStoresNothing) {
  HelperOverride missing("/nonexistent/chophien-photos");
  auto refused = store_photo(*db_, clock_, producer_a_, product_a_, png(picture(20, 20).get()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::unavailable);
  EXPECT_EQ(count(*db_, "photo_blobs"), 0);
}

TEST_F(PhotosTest, AHelperThatFailsOrAnswersNonsenseMeansABrokenFile) {
  const std::string bytes = jpeg(picture(400, 300).get());
  // Exits 1 without reading; exits 0 without reading a large input (the server's write then
  // fails with EPIPE and must not end the process); answers a line that is not the format.
  for (const char* helper : {"/bin/false", "/bin/true", "/bin/echo"}) {
    HelperOverride override_helper(helper);
    auto refused = prepare_photo(bytes + std::string(3 * 1024 * 1024, '\0'));
    ASSERT_FALSE(refused) << helper;
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_input) << helper;
    EXPECT_EQ(refused.error().message, kPhotoBrokenMessage) << helper;
  }
  // And the real one still works afterwards.
  EXPECT_TRUE(prepare_photo(bytes));
}

TEST(PhotoHelper, TheHelperGetsNoneOfTheServersDescriptorsOrEnvironment) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("photo_helper_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string seen = (dir / "seen").string();
  const std::string script = (dir / "helper.sh").string();
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n{ env; echo fds; ls /proc/$$/fd; } > " << seen << "\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  setenv("CHOPHIEN_SECRET_KEY", "k-should-not-leak-k-should-not-leak", 1);
  const int open_socket = ::socket(AF_INET, SOCK_STREAM, 0);  // like a client connection
  ASSERT_GE(open_socket, 0);
  {
    HelperOverride override_helper(script);
    EXPECT_FALSE(prepare_photo(std::string("\xFF\xD8\xFF") + std::string(100, 'x')));
  }
  ::close(open_socket);
  unsetenv("CHOPHIEN_SECRET_KEY");
  std::ifstream in(seen);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  ASSERT_NE(text.find("fds"), std::string::npos) << text;
  EXPECT_EQ(text.find("CHOPHIEN"), std::string::npos) << text;
  // stdin, stdout, stderr (and what the shell and ls open): not the server's socket.
  const std::string fds = "\n" + text.substr(text.find("fds") + 4);
  EXPECT_EQ(fds.find("\n" + std::to_string(open_socket) + "\n"), std::string::npos) << fds;
}

TEST(PhotoHelper, AnswersAreReadBackExactlyAndCheckedNotTrusted) {
  PreparedPhoto photo{
      "image/png",
      1200,
      800,
      {{160, 107, "webp", std::string(10, 'a')}, {960, 640, "jpg", std::string(20, '\n')}}};
  const std::string wire = encode_photo_answer(photo);
  auto back = decode_photo_answer(wire).value();
  EXPECT_EQ(back.content_type, "image/png");
  EXPECT_EQ(back.width, 1200);
  ASSERT_EQ(back.variants.size(), 2u);
  EXPECT_EQ(back.variants[1].bytes, std::string(20, '\n'));
  EXPECT_EQ(back.variants[1].format, "jpg");

  auto refusal = decode_photo_answer(
      encode_photo_answer(Error{ErrorCode::too_large, "Ảnh lớn hơn 7 MB", "photo"}));
  ASSERT_FALSE(refusal);
  EXPECT_EQ(refusal.error().code, ErrorCode::too_large);
  EXPECT_EQ(refusal.error().message, "Ảnh lớn hơn 7 MB");

  const std::string header = wire.substr(0, wire.find('\n'));
  for (
      const std::string& bad : std::vector<std::string>{
          "", "no newline", "[]\n", "{\"ok\":1}\n", wire.substr(0, wire.size() - 1), wire + "x",
          R"({"ok":true,"content_type":"image/gif","width":1,"height":1,"variants":[]})"
          "\n",
          R"({"ok":true,"content_type":"image/png","width":-1,"height":1,"variants":[]})"
          "\n",
          R"({"ok":true,"content_type":"image/png","width":1,"height":1,"variants":[{"width":1,"height":1,"format":"webp","size":18446744073709551615}]})"
          "\nabc",
          R"({"ok":true,"content_type":"image/png","width":1,"height":1,"variants":[{"width":1,"height":1,"format":"exe","size":1}]})"
          "\na",
          R"({"ok":false,"code":"invalid_input","message":""})"
          "\n",
          R"({"ok":false,"code":1,"message":"x"})"
          "\n",
          R"({"ok":false,"code":"internal","message":"x"})"
          "\n",
          R"({"ok":true,"content_type":7,"width":1,"height":1,"variants":[]})"
          "\n",
          R"({"ok":true,"content_type":"image/png","width":4294967297,"height":1,"variants":[]})"
          "\n"}) {
    auto refused = decode_photo_answer(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_input) << bad;
  }
}

// --- Over real HTTP ---------------------------------------------------------------------

constexpr const char* kPassword = "mat-khau-du-dai-1";
struct Ids {
  int64_t producer1 = 0, producer2 = 0, product1 = 0;
};
Ids& ids() {
  static Ids value;
  return value;
}

void prepare(core::Database& db) {
  core::ManualClock clock;
  ids().producer1 = add_producer(db, "HTX Nông sản Bảo Lâm", "");
  ids().producer2 = add_producer(db, "Hộ kinh doanh Lương Thị Hoa", "");
  ids().product1 = core::ProductStore(db, clock).create(ids().producer1, fields("Miến dong"))->id;
  core::UsersOptions options;
  options.scrypt.n = 1024;
  core::Users users(db, clock, options);
  for (auto [login, producer] : {std::pair{"nsp1", ids().producer1}, {"nsp2", ids().producer2}}) {
    core::NewUser u;
    u.login = login;
    u.password = kPassword;
    u.role = core::Role::producer;
    u.producer_id = producer;
    users.create_user(u).value();
  }
}

class PhotosHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(VIPS_INIT("photos_test"), 0);
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    server_ = std::make_unique<TestServer>(TestServer::quiet_config(), prepare);
  }
  httplib::Headers bearer(const std::string& login) {
    auto c = server_->client();
    auto res = c.Post("/api/v1/auth/login",
                      nlohmann::json{{"login", login}, {"password", kPassword}}.dump(),
                      "application/json");
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    return {{"Authorization",
             "Bearer " + nlohmann::json::parse(res->body).value("token", std::string())}};
  }
  httplib::Result upload(const std::string& login, const std::string& bytes,
                         const std::string& filename = "anh.jpg") {
    auto c = server_->client();
    httplib::MultipartFormDataItems items = {{"file", bytes, filename, "image/jpeg"}};
    return c.Post(("/api/v1/products/" + std::to_string(ids().product1) + "/images").c_str(),
                  bearer(login), items);
  }
  int64_t stored(const char* table) {
    auto db = server_->db().acquire().value();
    return count(*db, table);
  }
  std::unique_ptr<TestServer> server_;
};

TEST_F(PhotosHttp, UploadThenServeWithEtagAnd304) {
  auto res = upload("nsp1", jpeg(picture(1600, 1200).get()));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  auto body = nlohmann::json::parse(res->body);
  const std::string url = body["url"];
  EXPECT_EQ(url, "/anh/" + body["sha256"].get<std::string>() + "-960.webp");
  auto c = server_->client();
  auto got = c.Get(url.c_str());
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->get_header_value("Content-Type"), "image/webp");
  EXPECT_EQ(got->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  const std::string etag = got->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(decoded_size(got->body), (std::pair<int, int>{960, 720}));
  auto again = c.Get(url.c_str(), {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto unknown = c.Get(("/anh/" + std::string(64, 'a') + "-960.webp").c_str());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto odd_width = c.Get((url.substr(0, url.size() - 8) + "-961.webp").c_str());
  ASSERT_TRUE(odd_width);
  EXPECT_EQ(odd_width->status, 404);

  // The product page uses the copies: first image eager and small, srcset, width and height.
  auto page = c.Get(("/san-pham/" + std::to_string(ids().product1)).c_str());
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("-480.webp\" srcset=\""), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("width=\"480\" height=\"360\""), std::string::npos);
  auto first = c.Get(body["copies"][1]["url"].get<std::string>().c_str());
  ASSERT_TRUE(first);
  EXPECT_LT(first->body.size() + page->body.size(), 150u * 1024);
}

TEST_F(PhotosHttp, RefusalsAreClearAndChangeNothing) {
  auto text = upload("nsp1", "đây là văn bản, không phải ảnh", "anh.jpg");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 400);
  EXPECT_NE(text->body.find("không phải ảnh JPEG"), std::string::npos) << text->body;
  auto stranger = upload("nsp2", jpeg(picture(300, 200).get()));
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 404);
  auto anonymous = server_->client().Post(
      ("/api/v1/products/" + std::to_string(ids().product1) + "/images").c_str(),
      jpeg(picture(300, 200).get()), "image/jpeg");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(stored("photo_blobs"), 0);
  EXPECT_EQ(stored("product_photos"), 0);
}

// --- Metadata: no public copy tells where a photo was taken -------------------------------

void put16be(std::string& out, unsigned v) {
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}
void put16le(std::string& out, unsigned v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put32le(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// A little-endian TIFF block as a phone writes into EXIF: IFD0 pointing at a GPS IFD with
// 22°50'30" N, 105°30'15" E (Bảo Lâm, Cao Bằng).
std::string exif_with_gps() {
  std::string t = "II";
  put16le(t, 42);
  put32le(t, 8);
  // IFD0 at 8: one entry, GPSInfo (0x8825, LONG) -> the GPS IFD at 26.
  put16le(t, 1);
  put16le(t, 0x8825);
  put16le(t, 4);
  put32le(t, 1);
  put32le(t, 26);
  put32le(t, 0);
  // GPS IFD at 26: five entries (2 + 60 + 4 bytes), the rationals after it at 92 and 116.
  put16le(t, 5);
  auto entry = [&](unsigned tag, unsigned type, uint32_t count, uint32_t value) {
    put16le(t, tag);
    put16le(t, type);
    put32le(t, count);
    put32le(t, value);
  };
  entry(0x0000, 1, 4, 0x00000302);  // GPSVersionID 2.3.0.0
  entry(0x0001, 2, 2, 'N');         // GPSLatitudeRef "N"
  entry(0x0002, 5, 3, 92);          // GPSLatitude
  entry(0x0003, 2, 2, 'E');         // GPSLongitudeRef "E"
  entry(0x0004, 5, 3, 116);         // GPSLongitude
  put32le(t, 0);
  for (uint32_t v : {22u, 1u, 50u, 1u, 3000u, 100u, 105u, 1u, 30u, 1u, 1500u, 100u}) put32le(t, v);
  return t;
}

std::string segment(unsigned marker, const std::string& payload) {
  std::string s;
  s += '\xFF';
  s += static_cast<char>(marker);
  put16be(s, static_cast<unsigned>(payload.size() + 2));
  return s + payload;
}

// A real JPEG with what a phone and a photo editor leave in it: an EXIF block with a GPS IFD,
// an XMP packet with the position and an IPTC record with the city, spliced in after SOI.
std::string jpeg_with_gps(int width, int height) {
  const std::string plain = jpeg(picture(width, height).get());
  const std::string exif = segment(0xE1, std::string("Exif\0\0", 6) + exif_with_gps());
  const std::string xmp = segment(
      0xE1, std::string("http://ns.adobe.com/xap/1.0/\0", 29) +
                "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:"
                "meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:"
                "Description xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude="
                "'22,50.5N' exif:GPSLongitude='105,30.25E'/></rdf:RDF></x:xmpmeta><?xpacket "
                "end='w'?>");
  std::string iptc = "\x1C\x02\x5A";  // IPTC 2:90 City
  put16be(iptc, 7);
  iptc += "Bao Lam";
  std::string block = std::string("Photoshop 3.0\0", 14) + "8BIM";
  put16be(block, 0x0404);
  block += std::string("\0\0", 2);  // empty name, padded
  block += std::string("\0\0", 2);
  put16be(block, static_cast<unsigned>(iptc.size()));
  block += iptc;
  if (iptc.size() % 2) block += '\0';
  return plain.substr(0, 2) + exif + xmp + segment(0xED, block) + plain.substr(2);
}

// What in `bytes` could tell where the photo was taken or by whom: "" when nothing. JPEG: any
// segment before the scan other than JFIF (APP0), the Adobe colour marker (APP14) and the
// tables; WebP: any chunk but the picture's own, and the VP8X flags for EXIF and XMP. Then,
// for any format, the signatures of EXIF, XMP, IPTC and the test's own position and city.
std::string metadata_found(const std::string& bytes) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  // Where the compressed picture starts: a short mark ("GPS") may turn up in it by chance, so it
  // is looked for only before (the longer marks, everywhere).
  size_t picture = bytes.size();
  if (bytes.size() > 4 && byte(0) == 0xFF && byte(1) == 0xD8) {
    for (size_t at = 2; at + 4 <= bytes.size();) {
      if (byte(at) != 0xFF) return "a JPEG segment out of place";
      const unsigned marker = byte(at + 1);
      if (marker == 0xDA) {  // the scan: no metadata segments after this
        picture = at;
        break;
      }
      const size_t length = (byte(at + 2) << 8) | byte(at + 3);
      if ((marker >= 0xE1 && marker <= 0xEF && marker != 0xEE) || marker == 0xFE)
        return "JPEG segment FF" + std::to_string(marker);
      at += 2 + length;
    }
  } else if (bytes.size() > 20 && bytes.compare(0, 4, "RIFF") == 0 &&
             bytes.compare(8, 4, "WEBP") == 0) {
    for (size_t at = 12; at + 8 <= bytes.size();) {
      const std::string fourcc = bytes.substr(at, 4);
      const size_t size = byte(at + 4) | (byte(at + 5) << 8) | (byte(at + 6) << 16) |
                          (static_cast<size_t>(byte(at + 7)) << 24);
      if (fourcc == "VP8X" && (byte(at + 8) & 0x0C) != 0) return "VP8X flags EXIF or XMP";
      if (fourcc != "VP8 " && fourcc != "VP8L" && fourcc != "VP8X" && fourcc != "ALPH")
        return "WebP chunk " + fourcc;
      if (fourcc != "VP8X") picture = std::min(picture, at + 8);
      at += 8 + size + (size & 1);
    }
  } else {
    return "neither JPEG nor WebP";
  }
  for (std::string_view mark :
       {std::string_view("Exif\0\0", 6), std::string_view("II*\0", 4), std::string_view("MM\0*", 4),
        std::string_view("ns.adobe.com"), std::string_view("xmpmeta"),
        std::string_view("Photoshop 3.0"), std::string_view("8BIM"), std::string_view("Bao Lam")}) {
    if (bytes.find(mark) != std::string::npos) return "bytes " + std::string(mark);
  }
  if (std::string_view(bytes).substr(0, picture).find("GPS") != std::string_view::npos)
    return "bytes GPS";
  return "";
}

// The test file itself carries what the checks look for, and libvips reads the position.
TEST(PhotoMetadata, TheTestPhotoCarriesGpsXmpAndIptc) {
  ASSERT_EQ(VIPS_INIT("photos_test"), 0);
  const std::string bytes = jpeg_with_gps(64, 48);
  EXPECT_NE(metadata_found(bytes), "");
  VipsImage* image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  ASSERT_NE(image, nullptr);
  Image i(image);
  EXPECT_NE(vips_image_get_typeof(i.get(), "exif-data"), 0u);
  EXPECT_NE(vips_image_get_typeof(i.get(), "xmp-data"), 0u);
  EXPECT_NE(vips_image_get_typeof(i.get(), "iptc-data"), 0u);
  EXPECT_NE(vips_image_get_typeof(i.get(), "exif-ifd3-GPSLatitude"), 0u);
}

// Copies as they were made before stripping: libvips' savers with the metadata they keep.
core::PhotoVariant old_copy(const std::string& original, int width, bool webp) {
  VipsImage* out = nullptr;
  EXPECT_EQ(vips_thumbnail_buffer(const_cast<char*>(original.data()), original.size(), &out, width,
                                  nullptr),
            0);
  Image shrunk(out);
  void* buf = nullptr;
  size_t size = 0;
  if (webp) {
    EXPECT_EQ(vips_webpsave_buffer(shrunk.get(), &buf, &size, nullptr), 0);
  } else {
    EXPECT_EQ(vips_jpegsave_buffer(shrunk.get(), &buf, &size, nullptr), 0);
  }
  std::string bytes(static_cast<char*>(buf), size);
  g_free(buf);
  return core::PhotoVariant{vips_image_get_width(shrunk.get()), vips_image_get_height(shrunk.get()),
                            webp ? "webp" : "jpg", bytes};
}

// Not only JPEG: a PNG's text chunks and a WebP's EXIF and XMP chunks never reach the copies.
TEST_F(PhotosTest, PngTextAndWebpMetadataNeverReachTheCopies) {
  // A tEXt chunk spliced in after IHDR (8 + 25 bytes), as a photo editor writes one.
  std::string png_bytes = png(picture(800, 600).get());
  const std::string text = std::string("tEXt") + "GPS" + '\0' + "22.8417 N, 105.5042 E, Bao Lam";
  std::string chunk;
  for (int i = 0; i < 4; ++i)
    chunk += static_cast<char>(((text.size() - 4) >> (24 - 8 * i)) & 0xFF);
  chunk += text;
  const uint32_t crc = crc32(text);
  for (int i = 0; i < 4; ++i) chunk += static_cast<char>((crc >> (24 - 8 * i)) & 0xFF);
  png_bytes.insert(33, chunk);
  ASSERT_NE(png_bytes.find("Bao Lam"), std::string::npos);
  const std::string webp_bytes = old_copy(jpeg_with_gps(1600, 1200), 800, true).bytes;
  ASSERT_NE(metadata_found(webp_bytes), "");
  for (const std::string* bytes : {static_cast<const std::string*>(&png_bytes), &webp_bytes}) {
    auto prepared = prepare_photo(*bytes);
    ASSERT_TRUE(prepared.has_value()) << prepared.error().message;
    ASSERT_FALSE(prepared->variants.empty());
    for (const auto& v : prepared->variants) {
      EXPECT_EQ(metadata_found(v.bytes), "")
          << prepared->content_type << " " << v.width << v.format;
      EXPECT_GT(decoded_size(v.bytes).first, 0);
    }
  }
}

TEST_F(PhotosTest, CopiesStoredBeforeStrippingAreRemadeWithoutMetadataAtStart) {
  const std::string original = jpeg_with_gps(1600, 1200);
  const std::vector<core::PhotoVariant> old = {
      old_copy(original, 480, true), old_copy(original, 960, true), old_copy(original, 960, false)};
  for (const auto& v : old) ASSERT_NE(metadata_found(v.bytes), "") << v.width << v.format;
  std::string broken = jpeg_with_gps(800, 600);
  broken.resize(broken.size() / 2);  // an original that no longer decodes
  core::ProductStore before(*db_, clock_);
  auto kept = before.add_photo(product_a_, original, "image/jpeg", 1600, 1200, old).value();
  auto lost = before.add_photo(product_a2_, broken, "image/jpeg", 800, 600, {old[0]}).value();

  // The database as it was before migration 0026, opened again: the migration lists both.
  db_->exec("DROP TABLE photo_copies_to_strip; PRAGMA user_version = 25").value();
  db_.reset();
  db_ = std::make_unique<core::Database>(core::Database::open((dir_ / "t.db").string()).value());
  EXPECT_EQ(count(*db_, "photo_copies_to_strip"), 2);
  core::ProductStore store(*db_, clock_);
  // Listed copies are never served, not even before they are re-made.
  EXPECT_EQ(store.photo_variant(kept.sha256, 480, "webp").error().code, ErrorCode::not_found);
  EXPECT_EQ(store.jpeg_copy_width(kept.sha256).value(), std::nullopt);

  auto remade = remake_listed_photo_copies(*db_, clock_);
  ASSERT_TRUE(remade.has_value()) << remade.error().message;
  EXPECT_EQ(remade->remade, 1);
  EXPECT_EQ(remade->dropped, 1);
  EXPECT_EQ(remade->failed, 0);
  EXPECT_EQ(count(*db_, "photo_copies_to_strip"), 0);
  EXPECT_EQ(count(*db_, "product_photos"), 2);
  auto photo = store.find_photo(kept.id).value();
  EXPECT_EQ(photo.variant_widths, (std::vector<int>{160, 480, 960}));
  auto all =
      db_->prepare("SELECT width, format, data FROM photo_variants WHERE sha256 = ?1").value();
  all.bind(1, kept.sha256);
  int copies = 0;
  while (all.step().value()) {
    ++copies;
    EXPECT_EQ(metadata_found(all.column_text(2)), "") << all.column_int(0) << all.column_text(1);
  }
  EXPECT_EQ(copies, 4);
  EXPECT_EQ(store.jpeg_copy_width(kept.sha256).value(), 960);
  EXPECT_TRUE(store.find_photo(lost.id)->variant_widths.empty());
  // Once is enough: a second start finds nothing to do.
  auto again = remake_listed_photo_copies(*db_, clock_).value();
  EXPECT_EQ(again.remade + again.dropped + again.failed, 0);
}

// --- Every URL the product page and the API name, after an upload through the workspace ----

class Photos : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(VIPS_INIT("photos_test"), 0);
    ApiOptions options;
    options.users.scrypt.n = 1024;
    set_api_options(options);
    server_ = std::make_unique<TestServer>(TestServer::quiet_config(), [this](core::Database& db) {
      ids_ = fixtures::prepare_workspace(db);
    });
    server_->clock().set(fixtures::workspace_now());
  }
  std::unique_ptr<TestServer> server_;
  fixtures::WorkspaceIds ids_;
};

TEST_F(Photos, NoPublicCopyCarriesGps) {
  fixtures::Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const std::string edit = "/quan-ly/san-pham/" + std::to_string(ids_.mien);
  ASSERT_TRUE(browser.get(edit));
  std::string cookie;
  for (const auto& [name, value] : browser.cookies()) cookie += name + "=" + value + "; ";
  const std::string original = jpeg_with_gps(2000, 1500);
  ASSERT_NE(metadata_found(original), "");
  httplib::MultipartFormDataItems items = {{"csrf_token", browser.csrf(), "", ""},
                                           {"photo", original, "IMG_0001.jpg", "image/jpeg"}};
  auto added = server_->client().Post(edit + "/anh", {{"Cookie", cookie}}, items);
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 303) << added->body;

  std::set<std::string> urls;
  const std::regex photo_url(R"re(/anh/[0-9a-f]{64}(-\d+\.(webp|jpg))?)re");
  auto collect = [&](const std::string& text) {
    for (auto it = std::sregex_iterator(text.begin(), text.end(), photo_url);
         it != std::sregex_iterator(); ++it)
      urls.insert(it->str());
  };
  // The product page: img src, srcset, the Open Graph image; the shop's list; the workspace.
  auto page = server_->client().Get("/san-pham/" + std::to_string(ids_.mien));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  collect(page->body);
  EXPECT_NE(page->body.find("og:image"), std::string::npos);
  auto list = server_->client().Get("/");
  ASSERT_TRUE(list);
  collect(list->body);
  collect(browser.get(edit)->body);
  // The API: url, preview_url and every copy.
  auto login = server_->client().Post(
      "/api/v1/auth/login",
      nlohmann::json{{"login", "nsp1"}, {"password", fixtures::kWorkspacePassword}}.dump(),
      "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  const std::string token = nlohmann::json::parse(login->body).value("token", "");
  auto api = server_->client().Get("/api/v1/products/" + std::to_string(ids_.mien) + "/images",
                                   {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(api);
  ASSERT_EQ(api->status, 200) << api->body;
  collect(api->body);
  // Every stored copy, every size and format, and the photo's own name.
  std::string sha;
  {
    auto db = server_->db().acquire().value();
    auto photos = core::ProductStore(*db, server_->clock()).photos(ids_.mien).value();
    ASSERT_EQ(photos.size(), 1u);
    sha = photos[0].sha256;
    auto stored = db->prepare("SELECT width, format FROM photo_variants WHERE sha256 = ?1").value();
    stored.bind(1, sha);
    while (stored.step().value())
      urls.insert("/anh/" + sha + "-" + std::to_string(stored.column_int(0)) + "." +
                  stored.column_text(1));
  }
  urls.insert("/anh/" + sha);
  EXPECT_GE(urls.size(), 5u);  // 160, 480, 960 WebP, 960 JPEG, the name alone

  for (const auto& url : urls) {
    httplib::Client c = server_->client();
    c.set_follow_location(true);
    auto got = c.Get(url);
    ASSERT_TRUE(got) << url;
    ASSERT_EQ(got->status, 200) << url;
    const std::string type = got->get_header_value("Content-Type");
    EXPECT_TRUE(type == "image/webp" || type == "image/jpeg") << url << " " << type;
    EXPECT_EQ(metadata_found(got->body), "") << url;
    EXPECT_TRUE(got->body != original) << url << " serves the original";
  }
  // The name alone leads to the JPEG copy; the original is nowhere.
  auto name = server_->client().Get("/anh/" + sha);
  ASSERT_TRUE(name);
  EXPECT_EQ(name->status, 301);
  EXPECT_EQ(name->get_header_value("Location"), "/anh/" + sha + "-960.jpg");
  EXPECT_TRUE(name->body.find("Exif") == std::string::npos);
}

// The helper decodes before the writer lock is taken (a hostile file may keep it busy for up to
// 60 s): with the lock held elsewhere, as by a checkout, a broken photo is still refused, from
// the workspace and from the API. A good one waits for the lock only to be stored.
TEST_F(Photos, APhotoIsDecodedWithoutHoldingTheWriterLock) {
  fixtures::Browser browser(*server_);
  ASSERT_TRUE(browser.sign_in("nsp1"));
  const std::string edit = "/quan-ly/san-pham/" + std::to_string(ids_.mien);
  ASSERT_TRUE(browser.get(edit));
  std::string cookie;
  for (const auto& [name, value] : browser.cookies()) cookie += name + "=" + value + "; ";
  const std::string token = browser.csrf();
  auto page_upload = [&](const std::string& bytes) {
    httplib::MultipartFormDataItems items = {{"csrf_token", token, "", ""},
                                             {"photo", bytes, "IMG_0002.jpg", "image/jpeg"}};
    return server_->client().Post(edit + "/anh", {{"Cookie", cookie}}, items);
  };
  auto login = server_->client().Post(
      "/api/v1/auth/login",
      nlohmann::json{{"login", "nsp1"}, {"password", fixtures::kWorkspacePassword}}.dump(),
      "application/json");
  ASSERT_TRUE(login);
  const std::string bearer = "Bearer " + nlohmann::json::parse(login->body).value("token", "");
  auto api_upload = [&](const std::string& bytes) {
    return server_->client().Post("/api/v1/products/" + std::to_string(ids_.mien) + "/images",
                                  {{"Authorization", bearer}}, bytes, "image/jpeg");
  };
  std::string broken = jpeg(picture(1200, 900).get());
  broken.resize(broken.size() / 2);
  const std::string good = jpeg(picture(1200, 900).get());

  auto held = server_->db().acquire_writer();
  ASSERT_TRUE(held);
  std::optional<DbPool::Lease> writer(std::move(*held));
  auto from_page = std::async(std::launch::async, [&] { return page_upload(broken); });
  auto from_api = std::async(std::launch::async, [&] { return api_upload(broken); });
  for (auto* pending : {&from_page, &from_api}) {
    if (pending->wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      writer.reset();
      FAIL() << "the upload waited for the writer lock";
    }
  }
  auto refused_page = from_page.get();
  ASSERT_TRUE(refused_page) << "no answer while the writer lock was held";
  EXPECT_EQ(refused_page->status, 400);
  EXPECT_NE(refused_page->body.find("Ảnh bị hỏng"), std::string::npos);
  auto refused_api = from_api.get();
  ASSERT_TRUE(refused_api) << "no answer while the writer lock was held";
  EXPECT_EQ(refused_api->status, 400) << refused_api->body;

  auto stored = std::async(std::launch::async, [&] { return page_upload(good); });
  writer.reset();
  auto added = stored.get();
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 303) << added->body;
  auto db = server_->db().acquire().value();
  EXPECT_EQ(core::ProductStore(*db, server_->clock()).photos(ids_.mien)->size(), 1u);
}

}  // namespace
}  // namespace chophien::storefront
