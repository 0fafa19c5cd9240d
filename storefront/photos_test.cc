// Product photos with real images made here by libvips: accepted kinds, refusals (not an image,
// cut short, a pixel bomb, too large) that store nothing, one stored copy per content, the
// resized copies read back by decoding them, and the API and /anh/ over real HTTP.
#include "storefront/photos.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vips/vips.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/test_producer.h"
#include "core/users.h"
#include "storefront/auth.h"
#include "storefront/test_server.h"

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

}  // namespace
}  // namespace chophien::storefront
