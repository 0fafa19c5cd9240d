#include "integrations/secret_box.h"

#include <gtest/gtest.h>

#include "integrations/crypto.h"

namespace chophien::integrations {
namespace {

const std::string kHexKey(64, 'a');

TEST(SecretBox, SealsAndOpensWithTheSameContext) {
  auto box = SecretBox::from_key(kHexKey);
  ASSERT_TRUE(box.has_value());
  std::string sealed = box->seal("sepay-api-key-XYZ9", "producer:1:sepay");
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("sepay-api-key"), std::string::npos);
  auto opened = box->open(sealed, "producer:1:sepay");
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, "sepay-api-key-XYZ9");
}

TEST(SecretBox, UsesAFreshNonceEachTime) {
  auto box = SecretBox::from_key(kHexKey).value();
  EXPECT_NE(box.seal("same", "c"), box.seal("same", "c"));
}

TEST(SecretBox, RefusesAnotherContextAnotherKeyAndAlteredBytes) {
  auto box = SecretBox::from_key(kHexKey).value();
  std::string sealed = box.seal("secret-value", "producer:1:casso");
  EXPECT_EQ(box.open(sealed, "producer:2:casso").error().code, ErrorCode::forbidden);
  auto other = SecretBox::from_key(std::string(64, 'b')).value();
  EXPECT_EQ(other.open(sealed, "producer:1:casso").error().code, ErrorCode::forbidden);
  auto raw = from_base64(sealed.substr(3)).value();
  for (size_t at : {size_t{0}, size_t{12}, raw.size() - 1}) {
    std::string altered = raw;
    altered[at] ^= 1;
    EXPECT_FALSE(box.open("v1:" + to_base64(altered), "producer:1:casso").has_value()) << at;
  }
  EXPECT_EQ(box.open("v2:" + sealed.substr(3), "producer:1:casso").error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(box.open("v1:AAAA", "producer:1:casso").error().code, ErrorCode::invalid_input);
}

TEST(SecretBox, AcceptsHexBase64AndLongPassphrasesAndRefusesNoKey) {
  std::string raw(32, '\x07');
  auto from_hex_key = SecretBox::from_key(to_hex(raw)).value();
  auto from_b64_key = SecretBox::from_key(to_base64(raw)).value();
  // The same 32 bytes, written two ways, are the same key.
  EXPECT_EQ(from_b64_key.open(from_hex_key.seal("x", "c"), "c").value(), "x");
  auto passphrase = SecretBox::from_key("a passphrase that is long enough!!");
  ASSERT_TRUE(passphrase.has_value());
  EXPECT_EQ(passphrase->open(passphrase->seal("x", "c"), "c").value(), "x");
  auto none = SecretBox::from_key("");
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::unavailable);
  EXPECT_NE(none.error().message.find("CHOPHIEN_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(SecretBox::from_key("short").error().code, ErrorCode::invalid_input);
}

TEST(SecretBox, EmptyAndLongPlaintextsRoundTrip) {
  auto box = SecretBox::from_key(kHexKey).value();
  EXPECT_EQ(box.open(box.seal("", "c"), "c").value(), "");
  std::string big(100000, 'z');
  EXPECT_EQ(box.open(box.seal(big, "c"), "c").value(), big);
}

TEST(SecretHint, ShowsOnlyTheLastFourCharacters) {
  EXPECT_EQ(secret_hint("abcdefgh1234"), "…1234");
  EXPECT_EQ(secret_hint("abc"), "…c");
  EXPECT_EQ(secret_hint(""), "");
}

}  // namespace
}  // namespace chophien::integrations
