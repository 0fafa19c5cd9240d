// The marketplaces' signing (integrations.md sections 1-3): every worked example reproduced byte
// for byte, more vectors computed independently once with `openssl dgst -sha256 -hmac KEY`, and
// one-byte changes that must change the signature.
#include "integrations/marketplace_signing.h"

#include <gtest/gtest.h>

#include <string>

namespace chophien::integrations {
namespace {

constexpr const char* kLazadaPayload =
    "<Request><Product><Skus><Sku><SellerSku>SKU-1</SellerSku><Quantity>5</Quantity></Sku></"
    "Skus></Product></Request>";
constexpr const char* kTiktokBody =
    R"({"skus":[{"id":"200","inventory":[{"warehouse_id":"300","quantity":5}]}]})";

TEST(ShopeeSigning, ReproducesTheShopApiWorkedExample) {
  std::string base = shopee_base_string("2000001", "/api/v2/product/update_stock", 1720000000,
                                        "demoAccessToken", "123456");
  EXPECT_EQ(base, "2000001/api/v2/product/update_stock1720000000demoAccessToken123456");
  EXPECT_EQ(shopee_sign("demo-partner-key", base),
            "f48a303e53a5e522ba3609b6126d13f11fb78f6c72dd2df0d7c86d0403b99e9a");
}

TEST(ShopeeSigning, ReproducesThePublicApiWorkedExample) {
  std::string base = shopee_base_string("2000001", "/api/v2/auth/access_token/get", 1720000000);
  EXPECT_EQ(base, "2000001/api/v2/auth/access_token/get1720000000");
  EXPECT_EQ(shopee_sign("demo-partner-key", base),
            "31c861b126347e7b4635123d9e9929ca0c8f9e6284c982a1e0d7c4c4b1434427");
}

TEST(ShopeeSigning, MatchesAnIndependentVector) {
  // printf '%s' '1007820/api/v2/product/add_item1764300000tok-Ab1288001' |
  //   openssl dgst -sha256 -hmac k-shopee-live-2
  std::string base =
      shopee_base_string("1007820", "/api/v2/product/add_item", 1764300000, "tok-Ab12", "88001");
  EXPECT_EQ(shopee_sign("k-shopee-live-2", base),
            "ceb017a2b387e7a9f980e1fcdce230a41ad05bd99638c5fd96d0a315e15c79bd");
}

TEST(LazadaSigning, ReproducesTheWorkedExample) {
  SignedParams params = {{"app_key", "100001"},
                         {"timestamp", "1720000000000"},
                         {"sign_method", "sha256"},
                         {"access_token", "demoToken"},
                         {"payload", kLazadaPayload}};
  std::string base = lazada_base_string("/product/price_quantity/update", params);
  EXPECT_EQ(base, std::string("/product/price_quantity/updateaccess_tokendemoTokenapp_key100001"
                              "payload") +
                      kLazadaPayload + "sign_methodsha256timestamp1720000000000");
  EXPECT_EQ(lazada_sign("demo-app-secret", base),
            "5CA7BD9AE36B61EBA8813CAD57363B0ECE0626270DA746BC8CBB2C0D7C753671");
}

TEST(LazadaSigning, SortsUppercaseFirstDropsSignAndEmptyValuesAndKeepsUtf8Raw) {
  // printf '%s' '/product/createFilterallaccess_tokentokVNapp_key120033payload<Request>...'
  //   '</Request>sign_methodsha256timestamp1764300000000' | openssl dgst -sha256 -hmac k-lazada-2
  const std::string payload =
      "<Request><Product><Attributes><name>Mật ong bạc hà</name></Attributes></Product></Request>";
  SignedParams params = {{"timestamp", "1764300000000"},
                         {"search", ""},
                         {"sign", "STALE"},
                         {"payload", payload},
                         {"sign_method", "sha256"},
                         {"app_key", "120033"},
                         {"access_token", "tokVN"},
                         {"Filter", "all"}};
  std::string base = lazada_base_string("/product/create", params);
  EXPECT_EQ(base, "/product/createFilterallaccess_tokentokVNapp_key120033payload" + payload +
                      "sign_methodsha256timestamp1764300000000");
  EXPECT_EQ(lazada_sign("k-lazada-2", base),
            "821682358E7B3993B2BB659F0DFA473FE5D7D688B03FAEFAD199FACDDC5DC049");
}

TEST(TiktokSigning, ReproducesTheWorkedExample) {
  SignedParams query = {
      {"app_key", "demoapp"}, {"timestamp", "1720000000"}, {"shop_cipher", "DEMO_CIPHER"}};
  std::string base = tiktok_base_string(
      "demo-secret", "/product/202309/products/100/inventory/update", query, kTiktokBody);
  EXPECT_EQ(base, std::string("demo-secret/product/202309/products/100/inventory/"
                              "updateapp_keydemoappshop_cipherDEMO_CIPHERtimestamp1720000000") +
                      kTiktokBody + "demo-secret");
  EXPECT_EQ(tiktok_sign("demo-secret", base),
            "0fe6fcb5255657a5c2d07bc6c6d2af55409f106819b163a98f374c6fe78b3817");
}

TEST(TiktokSigning, LeavesOutSignAndAccessTokenAndMatchesAnIndependentVector) {
  // printf '%s' 'k-tts-2/product/202309/products/searchapp_key6abcpage_size20shop_cipherROW_x'
  //   'timestamp1764300000{"seller_skus":["MO-01"]}k-tts-2' | openssl dgst -sha256 -hmac k-tts-2
  SignedParams query = {{"timestamp", "1764300000"}, {"access_token", "NOT-SIGNED"},
                        {"shop_cipher", "ROW_x"},    {"sign", "STALE"},
                        {"page_size", "20"},         {"app_key", "6abc"}};
  std::string base = tiktok_base_string("k-tts-2", "/product/202309/products/search", query,
                                        R"({"seller_skus":["MO-01"]})");
  EXPECT_EQ(tiktok_sign("k-tts-2", base),
            "ff00d879d4c78fae5db46a3a5b1a70ad118bd36941f2b4504e93aa3d48a923b1");
}

TEST(TiktokSigning, LeavesOutAMultipartBody) {
  // printf '%s' 'k-tts-2/product/202309/images/uploadapp_key6abctimestamp1764300000k-tts-2' |
  //   openssl dgst -sha256 -hmac k-tts-2
  SignedParams query = {{"app_key", "6abc"}, {"timestamp", "1764300000"}};
  std::string base = tiktok_base_string("k-tts-2", "/product/202309/images/upload", query,
                                        "--boundary\r\n...binary...", /*multipart=*/true);
  EXPECT_EQ(tiktok_sign("k-tts-2", base),
            "2dc1af5842d164e305040067fa852da0ceb03a4cc5b975af40f2e5927e8fefde");
}

// Flipping any single byte of a base string must give a different signature.
void expect_every_byte_matters(const std::string& base,
                               std::string (*sign)(std::string_view, std::string_view),
                               const char* key) {
  const std::string good = sign(key, base);
  for (size_t i = 0; i < base.size(); ++i) {
    std::string changed = base;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_NE(sign(key, changed), good) << "byte " << i;
  }
  EXPECT_NE(sign(key, base + " "), good);
  EXPECT_NE(sign(key, base.substr(1)), good);
}

TEST(MarketplaceSigning, AOneByteChangeInTheBaseStringChangesTheSignature) {
  expect_every_byte_matters("2000001/api/v2/product/update_stock1720000000demoAccessToken123456",
                            shopee_sign, "demo-partner-key");
  expect_every_byte_matters(
      std::string("/product/price_quantity/updateaccess_tokendemoToken") + kLazadaPayload,
      lazada_sign, "demo-app-secret");
  expect_every_byte_matters(std::string("demo-secret/product/202309/products") + kTiktokBody,
                            tiktok_sign, "demo-secret");
}

TEST(MarketplaceSigning, AOneByteChangeInAParameterChangesTheBaseString) {
  SignedParams a = {{"app_key", "100001"}, {"payload", "<Quantity>5</Quantity>"}};
  SignedParams b = {{"app_key", "100001"}, {"payload", "<Quantity>6</Quantity>"}};
  EXPECT_NE(lazada_sign("s", lazada_base_string("/p", a)),
            lazada_sign("s", lazada_base_string("/p", b)));
  EXPECT_NE(tiktok_sign("s", tiktok_base_string("s", "/p", a, "{}")),
            tiktok_sign("s", tiktok_base_string("s", "/p", a, "{ }")));
  EXPECT_NE(shopee_sign("k", shopee_base_string("1", "/api/v2/x", 1720000000, "t", "12")),
            shopee_sign("k", shopee_base_string("1", "/api/v2/x", 1720000001, "t", "12")));
}

}  // namespace
}  // namespace chophien::integrations
