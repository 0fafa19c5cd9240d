// The services' published worked examples (integrations.md section 5), reproduced exactly, and
// more vectors computed independently with `openssl dgst -hmac`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integrations/casso.h"
#include "integrations/crypto.h"
#include "integrations/payos.h"
#include "integrations/sepay.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1764300000;

TEST(SepaySignature, ReproducesThePublishedExample) {
  EXPECT_EQ(
      sepay_signature("demo-sepay-secret", "1720000000",
                      R"({"id":1,"code":"DH42","transferType":"in","transferAmount":150000})"),
      "sha256=12c30ff56eea736667860f13efd0d7f1b367f94f606ef115751d3bff04fd11ef");
}

constexpr const char* kSepayBody =
    R"({"id":93,"gateway":"Vietcombank","transactionDate":"2025-11-28 10:20:00","accountNumber":"0071000888888","code":null,"content":"CK CPK7Q2M9X mua mien","transferType":"in","transferAmount":240000,"accumulated":1000000,"subAccount":null,"referenceCode":"FT25332","description":"x"})";

TEST(SepaySignature, MatchesAnIndependentVector) {
  // printf '%s' "1764300000.$BODY" | openssl dgst -sha256 -hmac k-sepay-2
  EXPECT_EQ(sepay_signature("k-sepay-2", "1764300000", kSepayBody),
            "sha256=74ad0f1ec379887ebe82d8418c17ab8695c4a846d476f4dc08479abc174f1516");
}

TEST(SepayAuthenticate, AcceptsTheRightSignatureWithinFiveMinutes) {
  SepayAuth auth{SepayMode::hmac, "k-sepay-2"};
  SepayHeaders h{"", "1764300000", sepay_signature("k-sepay-2", "1764300000", kSepayBody)};
  EXPECT_TRUE(sepay_authenticate(auth, h, kSepayBody, kNow + 299).has_value());
  EXPECT_TRUE(sepay_authenticate(auth, h, kSepayBody, kNow - 299).has_value());
}

TEST(SepayAuthenticate, RefusesAStaleTimestampEvenWhenSigned) {
  SepayAuth auth{SepayMode::hmac, "k-sepay-2"};
  SepayHeaders h{"", "1764300000", sepay_signature("k-sepay-2", "1764300000", kSepayBody)};
  auto r = sepay_authenticate(auth, h, kSepayBody, kNow + 301);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::unauthenticated);
  EXPECT_EQ(r.error().message, "stale timestamp");
}

TEST(SepayAuthenticate, RefusesAChangedBodyAWrongSecretAndMissingHeaders) {
  SepayAuth auth{SepayMode::hmac, "k-sepay-2"};
  SepayHeaders h{"", "1764300000", sepay_signature("k-sepay-2", "1764300000", kSepayBody)};
  std::string changed = kSepayBody;
  changed.replace(changed.find("240000"), 6, "940000");
  EXPECT_FALSE(sepay_authenticate(auth, h, changed, kNow).has_value());
  EXPECT_FALSE(sepay_authenticate({SepayMode::hmac, "k-sepay-3"}, h, kSepayBody, kNow).has_value());
  EXPECT_FALSE(sepay_authenticate(auth, {"", "", h.signature}, kSepayBody, kNow).has_value());
  EXPECT_FALSE(sepay_authenticate(auth, {"", "1764300000", ""}, kSepayBody, kNow).has_value());
  // The timestamp is part of the signed message.
  SepayHeaders moved{"", "1764300001", h.signature};
  EXPECT_FALSE(sepay_authenticate(auth, moved, kSepayBody, kNow).has_value());
}

TEST(SepayAuthenticate, ComparesTheApiKeyExactly) {
  SepayAuth auth{SepayMode::api_key, "SEPAY-KEY-0123456789"};
  EXPECT_TRUE(sepay_authenticate(auth, {"Apikey SEPAY-KEY-0123456789", "", ""}, "{}", kNow));
  EXPECT_TRUE(sepay_authenticate(auth, {"apikey SEPAY-KEY-0123456789", "", ""}, "{}", kNow));
  EXPECT_FALSE(sepay_authenticate(auth, {"Apikey SEPAY-KEY-012345678", "", ""}, "{}", kNow));
  EXPECT_FALSE(sepay_authenticate(auth, {"Apikey SEPAY-KEY-01234567890", "", ""}, "{}", kNow));
  EXPECT_FALSE(sepay_authenticate(auth, {"Bearer SEPAY-KEY-0123456789", "", ""}, "{}", kNow));
  EXPECT_FALSE(sepay_authenticate(auth, {"", "", ""}, "{}", kNow));
  EXPECT_FALSE(sepay_authenticate({SepayMode::api_key, ""}, {"Apikey ", "", ""}, "{}", kNow));
}

TEST(SepayParse, ReadsThePayload) {
  auto n = sepay_parse(kSepayBody);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->provider, "sepay");
  EXPECT_EQ(n->provider_txn_id, "93");
  EXPECT_EQ(n->direction, "in");
  EXPECT_EQ(n->amount_vnd, 240000);
  EXPECT_EQ(n->account_number, "0071000888888");
  EXPECT_EQ(n->description, "CK CPK7Q2M9X mua mien");
  EXPECT_EQ(n->transaction_at, 1764300000 + 0);  // 10:20 at +07:00 is 03:20Z
  EXPECT_EQ(n->raw_body, kSepayBody);
}

TEST(SepayParse, AppendsTheExtractedCodeAndRefusesBadFields) {
  auto n = sepay_parse(
      R"({"id":"7","code":"CPK7Q2M9X","content":"chuyen tien","transferType":"in","transferAmount":"150000","accountNumber":"123"})");
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->description, "chuyen tien CPK7Q2M9X");
  EXPECT_EQ(n->amount_vnd, 150000);
  auto field_of = [](const char* body) {
    auto r = sepay_parse(body);
    return r ? std::string("accepted") : r.error().field;
  };
  EXPECT_EQ(field_of("{not json"), "body");
  EXPECT_EQ(field_of("[1]"), "body");
  EXPECT_EQ(field_of(R"({"transferType":"in","transferAmount":1,"accountNumber":"1"})"), "id");
  EXPECT_EQ(field_of(R"({"id":1,"transferType":"in","transferAmount":-5,"accountNumber":"1"})"),
            "transferAmount");
  EXPECT_EQ(field_of(R"({"id":1,"transferType":"in","transferAmount":1.5,"accountNumber":"1"})"),
            "transferAmount");
  EXPECT_EQ(
      field_of(R"({"id":1,"transferType":"sideways","transferAmount":1,"accountNumber":"1"})"),
      "transferType");
  EXPECT_EQ(field_of(R"({"id":1,"transferType":"in","transferAmount":1})"), "accountNumber");
}

TEST(CassoSignature, ReproducesThePublishedExample) {
  json body = json::parse(
      R"({"error":0,"data":{"id":1,"reference":"FT1","description":"DH42","amount":150000}})");
  EXPECT_EQ(
      casso_canonical_json(body),
      R"({"data":{"amount":150000,"description":"DH42","id":1,"reference":"FT1"},"error":0})");
  EXPECT_EQ(casso_signature_header("demo-casso-key", 1720000000000, body),
            "t=1720000000000,v1=aece633400998b6e03c23cfdb60be52941308111e45a30b8926fb256addff8d6e38"
            "dec1817ea455594a694f7cdaffec6e60c3d384d2f9d1bb502dc70392679b7");
}

constexpr const char* kCassoVietnamese =
    R"({"error":0,"data":{"id":77,"description":"Chuyển tiền/ phí","amount":-50000,"accountNumber":"0071000888888"}})";

TEST(CassoAuthenticate, AcceptsBothTheUnescapedAndThePhpEscapedForms) {
  // Independent vectors: openssl dgst -sha512 -hmac k-casso-2 over "1764300000123." + the sorted
  // JSON, once with raw UTF-8, once with \uXXXX and \/ as Casso's PHP sample writes it.
  const std::string raw =
      "t=1764300000123,v1=be9821552a33e07ac2b67c5ac5339ffce691ec732de1a004f0f9920c52c4326c836834c1"
      "75fc715bec9017928421a64fb5a7eea48ac0bdd46c73630f889d0321";
  const std::string php =
      "t=1764300000123,v1=ab6dd728a8997cb1d80596a3e15bad56095d6ee455715f0134024f9dd4d8337e21f878d5"
      "0a39048b00a2d30f7b70151f5402e92feb24085cd2de77a7e3984018";
  EXPECT_EQ(casso_signature_header("k-casso-2", 1764300000123, json::parse(kCassoVietnamese)), raw);
  EXPECT_TRUE(casso_authenticate("k-casso-2", raw, kCassoVietnamese, kNow).has_value());
  EXPECT_TRUE(casso_authenticate("k-casso-2", php, kCassoVietnamese, kNow).has_value());
  EXPECT_FALSE(casso_authenticate("k-casso-3", raw, kCassoVietnamese, kNow).has_value());
}

TEST(CassoAuthenticate, RefusesStaleTimestampsChangedBodiesAndMalformedHeaders) {
  json body = json::parse(kCassoVietnamese);
  const std::string header = casso_signature_header("k", kNow * 1000, body);
  EXPECT_TRUE(casso_authenticate("k", header, kCassoVietnamese, kNow + 300).has_value());
  auto stale = casso_authenticate("k", header, kCassoVietnamese, kNow + 301);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().message, "stale timestamp");
  std::string changed = kCassoVietnamese;
  changed.replace(changed.find("-50000"), 6, "-90000");
  EXPECT_FALSE(casso_authenticate("k", header, changed, kNow).has_value());
  EXPECT_FALSE(casso_authenticate("k", "v1=abc", kCassoVietnamese, kNow).has_value());
  EXPECT_FALSE(casso_authenticate("k", "", kCassoVietnamese, kNow).has_value());
  EXPECT_FALSE(casso_authenticate("k", "t=x,v1=ab", kCassoVietnamese, kNow).has_value());
  // Key order and spacing in the body do not matter: Casso signs the sorted form.
  const std::string reordered =
      R"({ "data": {"accountNumber":"0071000888888", "amount":-50000, "id":77, "description":"Chuyển tiền/ phí"}, "error":0})";
  EXPECT_TRUE(casso_authenticate("k", header, reordered, kNow).has_value());
}

TEST(CassoParse, NegativeAmountsAreOutgoing) {
  auto n = casso_parse(kCassoVietnamese);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->provider, "casso");
  EXPECT_EQ(n->provider_txn_id, "77");
  EXPECT_EQ(n->direction, "out");
  EXPECT_EQ(n->amount_vnd, 50000);
  EXPECT_EQ(n->account_number, "0071000888888");
  EXPECT_FALSE(casso_parse(R"({"error":0})").has_value());
  EXPECT_FALSE(casso_parse(R"({"error":0,"data":{"id":1,"amount":"12a","accountNumber":"1"}})"));
}

TEST(PayosSignature, ReproducesThePublishedCreateLinkExample) {
  EXPECT_EQ(payos_link_signature("demo-checksum-key", 150000, "https://shop.test/cancel", "DH42",
                                 42, "https://shop.test/return"),
            "0bb860fffd961146aaf105570103ebba46e4fd53dfda3889eac36cae63aecdf2");
}

constexpr const char* kPayosWebhook =
    R"({"code":"00","desc":"success","success":true,"data":{"orderCode":123,"amount":3000,"description":"VQRIO123","accountNumber":"12345678","reference":"TF230204212323","transactionDateTime":"2023-02-04 18:25:00","currency":"VND","paymentLinkId":"124c33293c43417ab7879e14c8d9eb18","code":"00","desc":"Thành công","counterAccountBankId":"","counterAccountBankName":"","counterAccountName":null,"counterAccountNumber":null,"virtualAccountName":"","virtualAccountNumber":""},"signature":"90b92bea10c81acde0184d98f2960f5c11e1f60b8b2a17520bc53c18422db113"})";

TEST(PayosSignature, SortsTheDataAndWritesNullsAsEmpty) {
  // The field set of payOS's documentation example; computed independently with
  // openssl dgst -sha256 -hmac demo-checksum-key over the sorted key=value string.
  json body = json::parse(kPayosWebhook);
  EXPECT_EQ(payos_data_string(body["data"]).substr(0, 45),
            "accountNumber=12345678&amount=3000&code=00&co");
  EXPECT_NE(payos_data_string(body["data"]).find("&counterAccountName=&"), std::string::npos);
  EXPECT_TRUE(payos_authenticate("demo-checksum-key", kPayosWebhook).has_value());
  EXPECT_FALSE(payos_authenticate("other-key", kPayosWebhook).has_value());
  std::string changed = kPayosWebhook;
  changed.replace(changed.find("3000"), 4, "9000");
  EXPECT_FALSE(payos_authenticate("demo-checksum-key", changed).has_value());
}

TEST(PayosSignature, WritesArraysAsSortedJson) {
  json data = json::parse(R"({"b":[{"z":1,"a":"x"}],"a":null,"c":"null","d":true})");
  EXPECT_EQ(payos_data_string(data), R"(a=&b=[{"a":"x","z":1}]&c=&d=true)");
}

TEST(PayosParse, KeysOnReferenceAndOrderCodeAndRefusesOtherCurrencies) {
  auto n = payos_parse(kPayosWebhook);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->provider_txn_id, "TF230204212323:123");
  EXPECT_EQ(n->amount_vnd, 3000);
  EXPECT_EQ(n->description, "VQRIO123");
  std::string usd = kPayosWebhook;
  usd.replace(usd.find("\"VND\""), 5, "\"USD\"");
  auto r = payos_parse(usd);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().field, "currency");
}

TEST(Crypto, HexAndBase64RoundTrip) {
  std::string bytes = random_bytes(33);
  EXPECT_EQ(from_hex(to_hex(bytes)), bytes);
  EXPECT_EQ(from_base64(to_base64(bytes)), bytes);
  EXPECT_EQ(from_base64(to_base64("ab")), "ab");
  EXPECT_EQ(from_base64(to_base64("abcd")), "abcd");
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_base64("ab!d").has_value());
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
}

}  // namespace
}  // namespace chophien::integrations
