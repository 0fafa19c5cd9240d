// Product photos on the marketplaces: a create that carries our stored photos uploads each one to
// the platform's image store first (multipart, signed without the body) and names the platform's
// references in the listing, against local fake platforms that refuse a create naming an image
// they did not issue. Real SQLite with the real migrations and real photo storage.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/products.h"
#include "core/test_producer.h"
#include "integrations/crypto.h"
#include "integrations/marketplace.h"
#include "integrations/marketplace_fake.h"
#include "integrations/marketplace_signing.h"
#include "integrations/outbox.h"
#include "integrations/secret_box.h"

namespace chophien::integrations {
namespace {

using testing_support::FakeMarketplace;
using testing_support::Fault;
using testing_support::sample_listing;

constexpr int64_t kStart = 1764300000;

// Bytes that start as the format does; the fakes check the signature bytes, not the pixels.
std::string png_bytes(size_t size, char fill) {
  std::string b = "\x89PNG\r\n\x1A\n";
  b.resize(size, fill);
  return b;
}
std::string jpeg_bytes(size_t size, char fill) {
  std::string b = "\xFF\xD8\xFF\xE0";
  b.resize(size, fill);
  return b;
}
// The stored JPEG copy of a photo, in these tests.
std::string copy_of(const std::string& original) { return jpeg_bytes(2000, original.back()); }

// The suffix of each platform's upload path, for scripted faults.
std::string upload_suffix(Platform p) {
  return p == Platform::shopee   ? "upload_image"
         : p == Platform::lazada ? "/image/upload"
                                 : "/images/upload";
}

class PhotoUploadTest : public ::testing::TestWithParam<Platform> {
 protected:
  void SetUp() override {
    producer_ = core::testing_support::add_producer(db_, "HTX Mật ong Bảo Lâm", "24");
    fake_.grant("acc-0", "ref-0");
    fake_.require_uploaded_images();
    Grant grant{"88001",
                GetParam() == Platform::tiktok ? "ROW_fake" : "",
                "Shop",
                "acc-0",
                "ref-0",
                kStart + 4 * 3600,
                kStart + 30 * 86400};
    shop_ = shops_.connect(producer_, GetParam(), grant, "3001", kStart + 365 * 86400).value();
    core::ProductFields fields;
    fields.name = "Mật ong hoa cà phê Bảo Lâm 500 ml";
    fields.ocop_group = "G1";
    fields.unit = "hũ";
    fields.price_vnd = 185000;
    fields.stock = 40;
    product_ = products_.create(producer_, fields).value().id;
  }

  // Stores a photo on the product, with a JPEG copy of `jpeg_width` when not 0 (copy_of(bytes)).
  ListingPhoto add_photo(const std::string& bytes, const std::string& type, int jpeg_width = 0) {
    std::vector<core::PhotoVariant> variants;
    if (jpeg_width > 0) variants.push_back({jpeg_width, jpeg_width, "jpg", copy_of(bytes)});
    auto photo = products_.add_photo(product_, bytes, type, 1200, 1200, variants).value();
    return ListingPhoto{photo.sha256, type, jpeg_width};
  }

  Listing listing_without_images(const std::string& sku) {
    Listing l = sample_listing(sku);
    l.image_refs.clear();
    return l;
  }

  Outbox make_outbox() {
    OutboxSettings settings;
    settings.jitter_seed = 7;
    return Outbox(db_, shops_, {{GetParam(), connector_.get()}}, settings);
  }

  void drain(int max_runs = 20) {
    for (int i = 0; i < max_runs; ++i) {
      ASSERT_TRUE(outbox_.run_once(clock_.now()).has_value());
      int64_t next = 0;
      bool open = false;
      const auto rows = outbox_.rows(shop_).value();
      for (const auto& r : rows) {
        if (r.state == OutboxState::done || r.state == OutboxState::failed) continue;
        open = true;
        if (next == 0 || r.next_attempt_at < next) next = r.next_attempt_at;
      }
      if (!open) return;
      clock_.set(std::max(clock_.now() + 1, next));
    }
  }

  int64_t stored_refs() {
    auto s = db_.prepare("SELECT count(*) FROM marketplace_images WHERE shop_ref = ?1").value();
    s.bind(1, shop_);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  core::ManualClock clock_{kStart};
  core::Database db_ = core::Database::open_in_memory().value();
  core::ProductStore products_{db_, clock_};
  SecretBox box_ = SecretBox::from_key(std::string(64, 'a')).value();
  MarketplaceShops shops_{db_, clock_, &box_};
  FakeMarketplace fake_{GetParam(), clock_};
  std::unique_ptr<Connector> connector_ = make_connector(fake_.app(), clock_);
  int64_t producer_ = 0;
  int64_t shop_ = 0;
  int64_t product_ = 0;
  Outbox outbox_ = make_outbox();
};

TEST_P(PhotoUploadTest, PhotosAreUploadedThenNamedInTheCreateInOrder) {
  const std::string main = jpeg_bytes(5000, 'a');
  const std::string second = png_bytes(3000, 'b');
  std::vector<ListingPhoto> photos = {add_photo(main, "image/jpeg", 960),
                                      add_photo(second, "image/png", 960)};
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, photos));
  drain();
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
  EXPECT_EQ(fake_.creates(), 1);
  // The JPEG copies went (upright, without the originals' EXIF), main photo first.
  EXPECT_EQ(fake_.uploads(), (std::vector<std::string>{copy_of(main), copy_of(second)}));
  ASSERT_EQ(fake_.last_create_images().size(), 2u);
  EXPECT_TRUE(fake_.rejections().empty()) << fake_.rejections().front();
  EXPECT_EQ(stored_refs(), 2);
}

TEST_P(PhotoUploadTest, TypedReferencesFollowTheUploadedPhotos) {
  std::vector<ListingPhoto> photos = {add_photo(jpeg_bytes(5000, 'a'), "image/jpeg")};
  Listing listing = listing_without_images("MO-500");
  // Without require_uploaded_images a typed reference is taken as it is.
  FakeMarketplace lenient{GetParam(), clock_};
  lenient.grant("acc-0", "ref-0");
  auto connector = make_connector(lenient.app(), clock_);
  Outbox outbox(db_, shops_, {{GetParam(), connector.get()}});
  listing.image_refs = {"typed-ref-1"};
  ASSERT_TRUE(outbox.enqueue_create(shop_, listing, kStart, photos));
  ASSERT_EQ(outbox.run_once(kStart).value().done, 1);
  auto images = lenient.last_create_images();
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[1], "typed-ref-1");
  EXPECT_NE(images[0], "typed-ref-1");
}

TEST_P(PhotoUploadTest, APhotoAlreadyOnTheShopIsNotUploadedAgain) {
  const ListingPhoto photo = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg");
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {photo}));
  drain();
  // A second product (here: another SKU) with the same photo.
  ASSERT_TRUE(
      outbox_.enqueue_create(shop_, listing_without_images("MO-1000"), clock_.now(), {photo}));
  drain();
  EXPECT_EQ(fake_.creates(), 2);
  EXPECT_EQ(fake_.uploads().size(), 1u);
  EXPECT_EQ(outbox_.listing(shop_, "MO-1000").value()->state, "live");
}

TEST_P(PhotoUploadTest, ACreateRefusedDropsTheKeptImagesSoTheRetryUploadsAgain) {
  const ListingPhoto photo = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg", 960);
  // The platform refuses the create (say, an image it no longer has).
  fake_.fail_next(GetParam() == Platform::shopee   ? "add_item"
                  : GetParam() == Platform::lazada ? "/product/create"
                                                   : "/product/202309/products",
                  Fault::validation);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {photo}));
  drain();
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "failed");
  EXPECT_EQ(fake_.uploads().size(), 1u);
  EXPECT_EQ(stored_refs(), 0);
  ASSERT_TRUE(outbox_.retry_failed_create(shop_, "MO-500", clock_.now()));
  drain();
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
  EXPECT_EQ(fake_.uploads().size(), 2u);
  EXPECT_EQ(stored_refs(), 1);
  EXPECT_EQ(fake_.creates(), 1);
}

TEST_P(PhotoUploadTest, AThrottledUploadIsRetriedAndTheListingCreatedOnce) {
  const ListingPhoto a = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg");
  const ListingPhoto b = add_photo(jpeg_bytes(6000, 'b'), "image/jpeg");
  // The first photo goes; the second is throttled, then a server error.
  fake_.fail_next(upload_suffix(GetParam()), Fault::throttle);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a, b}));
  (void)outbox_.run_once(kStart).value();
  auto rows = outbox_.rows(shop_).value();
  ASSERT_EQ(rows.size(), 1u);
  // Nothing but an image went out: the create waits as pending, it is not reconciled.
  EXPECT_EQ(rows[0].state, OutboxState::pending);
  EXPECT_NE(rows[0].error.find("Ảnh 1"), std::string::npos) << rows[0].error;
  fake_.fail_next(upload_suffix(GetParam()), Fault::server_error);
  drain();
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
  EXPECT_EQ(fake_.creates(), 1);
  EXPECT_EQ(fake_.uploads().size(), 2u);
  EXPECT_EQ(fake_.last_create_images().size(), 2u);
}

TEST_P(PhotoUploadTest, AnUploadAcceptedButUnansweredIsSentAgainNotReconciled) {
  const ListingPhoto a = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg");
  fake_.fail_next(upload_suffix(GetParam()), Fault::accept_then_hang);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a}));
  (void)outbox_.run_once(kStart).value();
  EXPECT_EQ(outbox_.rows(shop_).value()[0].state, OutboxState::pending);
  drain();
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
  EXPECT_EQ(fake_.creates(), 1);
  // The first upload was applied but never answered: the image is sent again (an unused image
  // is left on the platform; nothing visible is duplicated).
  EXPECT_EQ(fake_.uploads().size(), 2u);
  EXPECT_EQ(fake_.calls("/product/202309/products/search") + fake_.calls("get_item_list") +
                fake_.calls("/products/get"),
            0);
}

TEST_P(PhotoUploadTest, AnUploadRefusedFailsTheListingWithThePlatformsMessage) {
  const ListingPhoto a = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg");
  fake_.fail_next(upload_suffix(GetParam()), Fault::validation);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a}));
  drain();
  auto listing = outbox_.listing(shop_, "MO-500").value();
  EXPECT_EQ(listing->state, "failed");
  EXPECT_NE(listing->error.find("Ảnh 1"), std::string::npos) << listing->error;
  EXPECT_NE(listing->error.find("Tên sản phẩm chứa từ bị cấm"), std::string::npos);
  EXPECT_EQ(fake_.creates(), 0);
}

TEST_P(PhotoUploadTest, AnUploadRefusedAsDuplicateFailsTheListingWithoutALookup) {
  const ListingPhoto a = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg");
  fake_.fail_next(upload_suffix(GetParam()), Fault::duplicate_sku);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a}));
  drain();
  EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "failed");
  EXPECT_EQ(fake_.creates(), 0);
  // A duplicate answer to an image is not a duplicate SKU: nothing is looked up.
  EXPECT_EQ(fake_.calls("/product/202309/products/search") + fake_.calls("get_item_list") +
                fake_.calls("/products/get"),
            0);
}

TEST_P(PhotoUploadTest, APhotoWithoutCopiesGoesAsItIsWithinThePlatformsLimit) {
  // 1.5 MB: over Lazada's 1 MB, within Shopee's 10 MB and TikTok Shop's 5 MB.
  const std::string big = png_bytes(1536 * 1024, 'p');
  const ListingPhoto a = add_photo(big, "image/png");
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a}));
  drain();
  if (GetParam() == Platform::lazada) {
    EXPECT_TRUE(fake_.uploads().empty());
    auto listing = outbox_.listing(shop_, "MO-500").value();
    EXPECT_EQ(listing->state, "failed");
    EXPECT_NE(listing->error.find("quá lớn"), std::string::npos) << listing->error;
  } else {
    EXPECT_EQ(fake_.uploads(), std::vector<std::string>{big});
    EXPECT_EQ(outbox_.listing(shop_, "MO-500").value()->state, "live");
  }
}

TEST_P(PhotoUploadTest, AWebpPhotoGoesAsItsJpegCopy) {
  std::string webp = "RIFF\x10\x00\x00\x00WEBPVP8 ";
  webp.resize(4000, 'w');
  const ListingPhoto a = add_photo(webp, "image/webp", 480);
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a}));
  drain();
  EXPECT_EQ(fake_.uploads(), (std::vector<std::string>{copy_of(webp)}));
}

TEST_P(PhotoUploadTest, APhotoDeletedBeforeSendingFailsWithAClearMessage) {
  const ListingPhoto a = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg");
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a}));
  const int64_t photo_id = products_.photos(product_).value().front().id;
  ASSERT_TRUE(products_.remove_photo(photo_id));
  drain();
  auto listing = outbox_.listing(shop_, "MO-500").value();
  EXPECT_EQ(listing->state, "failed");
  EXPECT_NE(listing->error.find("đã bị xoá"), std::string::npos) << listing->error;
  EXPECT_TRUE(fake_.uploads().empty());
  EXPECT_EQ(fake_.creates(), 0);
}

TEST_P(PhotoUploadTest, APhotoTheMarketplacesCannotTakeIsRefusedWhenQueued) {
  const ListingPhoto svg = add_photo("<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml");
  auto queued = outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {svg});
  ASSERT_FALSE(queued);
  EXPECT_EQ(queued.error().code, ErrorCode::invalid_input);
  EXPECT_NE(queued.error().message.find("JPEG"), std::string::npos);
  EXPECT_TRUE(outbox_.rows(shop_).value().empty());
  auto bad_hash = outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart,
                                         {ListingPhoto{"../../etc/passwd", "image/jpeg", 0}});
  EXPECT_FALSE(bad_hash);
  EXPECT_TRUE(outbox_.rows(shop_).value().empty());
}

TEST_P(PhotoUploadTest, DryRunShowsTheUploadsThenTheCreateWithoutSending) {
  const ListingPhoto a = add_photo(jpeg_bytes(5000, 'a'), "image/jpeg");
  const ListingPhoto b = add_photo(png_bytes(3000, 'b'), "image/png");
  ASSERT_TRUE(outbox_.enqueue_create(shop_, listing_without_images("MO-500"), kStart, {a, b}));
  auto items = outbox_.dry_run(shop_).value();
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].requests) << items[0].requests.error().message;
  const auto& requests = *items[0].requests;
  ASSERT_EQ(requests.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(requests[i].content_type.starts_with("multipart/form-data; boundary="));
    EXPECT_TRUE(requests[i].path.ends_with(upload_suffix(GetParam())));
    // Signed without the body.
    EXPECT_EQ(requests[i].base_string.find("\xFF\xD8\xFF"), std::string::npos);
  }
  // Lazada's payload is a form field, URL-encoded.
  EXPECT_NE(httplib::detail::decode_url(requests[2].body, true).find("mã ảnh 1 sau khi tải lên"),
            std::string::npos);
  EXPECT_TRUE(fake_.uploads().empty());
  EXPECT_EQ(fake_.creates(), 0);
}

INSTANTIATE_TEST_SUITE_P(Platforms, PhotoUploadTest,
                         ::testing::Values(Platform::shopee, Platform::lazada, Platform::tiktok),
                         [](const auto& p) { return std::string(platform_name(p.param)); });

// The upload requests byte for byte: the signed strings rebuilt here from integrations.md's
// rules, and the multipart body's parts.
class UploadRequestTest : public ::testing::Test {
 protected:
  core::ManualClock clock_{kStart};
  ImageFile image_{jpeg_bytes(100, 'x'), "image/jpeg", "0123456789abcdef.jpg"};
  ShopAccess shop_{"88001", "ROW_cipher", "tok-1", ""};

  MarketplaceApp app(Platform p) {
    MarketplaceApp a = default_app(p);
    a.key = p == Platform::shopee ? "2000001" : "app-key";
    a.secret = "s3cret";
    return a;
  }
};

TEST_F(UploadRequestTest, ShopeeSignsThePublicCallByDefaultAndTheShopCallWhenSet) {
  auto request = make_connector(app(Platform::shopee), clock_)->prepare_upload(shop_, image_);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->base_string, "2000001/api/v2/media_space/upload_image1764300000");
  EXPECT_EQ(request->signature,
            hmac_sha256_hex("s3cret", "2000001/api/v2/media_space/upload_image1764300000"));
  EXPECT_EQ(request->target(),
            "/api/v2/media_space/upload_image?partner_id=2000001&timestamp=1764300000&sign=" +
                request->signature);
  const std::string boundary =
      request->content_type.substr(request->content_type.find("boundary=") + 9);
  EXPECT_EQ(request->body, "--" + boundary +
                               "\r\nContent-Disposition: form-data; name=\"image\"; "
                               "filename=\"0123456789abcdef.jpg\"\r\nContent-Type: image/jpeg"
                               "\r\n\r\n" +
                               image_.bytes + "\r\n--" + boundary + "--\r\n");

  MarketplaceApp shop_signed = app(Platform::shopee);
  shop_signed.shop_signed_uploads = true;
  auto signed_request = make_connector(shop_signed, clock_)->prepare_upload(shop_, image_);
  ASSERT_TRUE(signed_request);
  EXPECT_EQ(signed_request->base_string,
            "2000001/api/v2/media_space/upload_image1764300000tok-188001");
}

TEST_F(UploadRequestTest, LazadaSignsTheSystemParametersWithoutTheFile) {
  auto request = make_connector(app(Platform::lazada), clock_)->prepare_upload(shop_, image_);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->base_string,
            "/image/uploadaccess_tokentok-1app_keyapp-keysign_methodsha256timestamp1764300000000");
  EXPECT_EQ(
      request->signature, "" + [&] {
        std::string s = hmac_sha256_hex("s3cret", request->base_string);
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
      }());
  EXPECT_NE(request->body.find("name=\"image\"; filename=\"0123456789abcdef.jpg\""),
            std::string::npos);
}

TEST_F(UploadRequestTest, TikTokSignsWithoutTheBodyAndSendsTheUseCase) {
  auto request = make_connector(app(Platform::tiktok), clock_)->prepare_upload(shop_, image_);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->base_string,
            "s3cret/product/202309/images/uploadapp_keyapp-keyshop_cipherROW_ciphertimestamp"
            "1764300000s3cret");
  EXPECT_EQ(request->signature, hmac_sha256_hex("s3cret", request->base_string));
  EXPECT_NE(request->body.find("name=\"use_case\"\r\n\r\nMAIN_IMAGE\r\n"), std::string::npos);
  EXPECT_NE(request->body.find("name=\"data\"; filename=\"0123456789abcdef.jpg\""),
            std::string::npos);
  bool token = false;
  for (const auto& [name, value] : request->headers) token |= name == "x-tts-access-token";
  EXPECT_TRUE(token);
}

TEST_F(UploadRequestTest, OnlyJpegAndPngWithinThePlatformsLimitAreUploaded) {
  for (Platform p : {Platform::shopee, Platform::lazada, Platform::tiktok}) {
    auto connector = make_connector(app(p), clock_);
    ImageFile webp{"RIFF....WEBPVP8 ", "image/webp", "a.webp"};
    EXPECT_FALSE(connector->prepare_upload(shop_, webp)) << platform_name(p);
    ImageFile liar{"<svg/>", "image/jpeg", "a.jpg"};
    EXPECT_FALSE(connector->prepare_upload(shop_, liar)) << platform_name(p);
    ImageFile empty{"", "image/png", "a.png"};
    EXPECT_FALSE(connector->prepare_upload(shop_, empty)) << platform_name(p);
    ImageFile over{png_bytes(max_image_bytes(p) + 1, 'o'), "image/png", "a.png"};
    auto refused = connector->prepare_upload(shop_, over);
    ASSERT_FALSE(refused) << platform_name(p);
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_input);
    ImageFile at_limit{png_bytes(max_image_bytes(p), 'o'), "image/png", "a.png"};
    EXPECT_TRUE(connector->prepare_upload(shop_, at_limit)) << platform_name(p);
  }
}

// Shopee's [verify]: whichever way the platform checks uploads, a connector signing the other
// way is refused, and the setting that matches gets through.
TEST(ShopeeUploadSigning, TheSettingMustMatchWhatThePlatformChecks) {
  core::ManualClock clock{kStart};
  ShopAccess shop{"88001", "", "acc-0", ""};
  ImageFile image{jpeg_bytes(100, 'x'), "image/jpeg", "a.jpg"};
  for (bool platform_wants_shop : {false, true}) {
    FakeMarketplace fake{Platform::shopee, clock};
    fake.grant("acc-0", "ref-0");
    if (platform_wants_shop) fake.shop_signed_uploads();
    MarketplaceApp wrong = fake.app();
    wrong.shop_signed_uploads = !platform_wants_shop;
    auto refused = make_connector(wrong, clock)->upload_image(shop, image);
    ASSERT_FALSE(refused.result);
    // A shop signature where a public one is due is a wrong sign; a public one where the shop's
    // is due lacks the token.
    EXPECT_EQ(refused.result.error().code,
              platform_wants_shop ? ErrorCode::unauthenticated : ErrorCode::forbidden);
    MarketplaceApp right = fake.app();
    right.shop_signed_uploads = platform_wants_shop;
    auto uploaded = make_connector(right, clock)->upload_image(shop, image);
    ASSERT_TRUE(uploaded.result) << uploaded.result.error().message;
    EXPECT_EQ(fake.uploads().size(), 1u);
  }
}

}  // namespace
}  // namespace chophien::integrations
