#include "core/payment_code.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace chophien::core {
namespace {

constexpr size_t kPrefix = kPaymentCodePrefix.size();
constexpr size_t kBody = kPaymentCodeLength - kPrefix;  // 6 random + 1 check

std::string with_check(const std::string& body6) {
  return std::string(kPaymentCodePrefix) + body6 + payment_code_check_char(body6);
}

// A valid code whose body positions (0..6, 6 = check) hold the given characters. When the check
// position is fixed, a free position is tried over the whole alphabet until the check fits.
std::string valid_code_with(const std::map<size_t, char>& fixed) {
  std::string body = "K7Q2M9";
  for (auto [pos, c] : fixed)
    if (pos < kBody - 1) body[pos] = c;
  auto check = fixed.find(kBody - 1);
  if (check == fixed.end()) return with_check(body);
  size_t free_pos = 0;
  while (fixed.count(free_pos)) ++free_pos;
  for (char c : kPaymentCodeAlphabet) {
    body[free_pos] = c;
    if (payment_code_check_char(body) == check->second) return with_check(body);
  }
  ADD_FAILURE() << "no body gives check " << check->second;
  return {};
}

TEST(PaymentCode, NewCodesAreValidNineCharactersWithPrefix) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string code = new_payment_code();
    ASSERT_EQ(code.size(), 9u);
    ASSERT_TRUE(code.starts_with("CP")) << code;
    ASSERT_TRUE(is_valid_payment_code(code)) << code;
    for (char c : code.substr(kPrefix))
      ASSERT_NE(kPaymentCodeAlphabet.find(c), std::string_view::npos) << code;
    seen.insert(code);
  }
  // 31^6 possible codes: 2000 draws repeat with probability about 0.2%; allow one.
  EXPECT_GE(seen.size(), 1999u);
}

TEST(PaymentCode, AlphabetHasNoLookAlikes) {
  EXPECT_EQ(kPaymentCodeAlphabet.size(), 31u);
  for (char c : std::string("01OIL"))
    EXPECT_EQ(kPaymentCodeAlphabet.find(c), std::string_view::npos) << c;
}

TEST(PaymentCode, EverySingleSubstitutionIsDetected) {
  int checked = 0;
  for (size_t pos = 0; pos < kBody; ++pos) {
    for (char a : kPaymentCodeAlphabet) {
      const std::string code = valid_code_with({{pos, a}});
      ASSERT_TRUE(is_valid_payment_code(code)) << code;
      ASSERT_EQ(code[kPrefix + pos], a);
      for (char b : kPaymentCodeAlphabet) {
        if (b == a) continue;
        std::string typo = code;
        typo[kPrefix + pos] = b;
        ASSERT_FALSE(is_valid_payment_code(typo)) << code << " -> " << typo;
        ASSERT_TRUE(find_codes_in(typo).empty()) << typo;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 7 * 31 * 30);
}

TEST(PaymentCode, EveryAdjacentTranspositionIsDetected) {
  int checked = 0;
  for (size_t pos = 0; pos + 1 < kBody; ++pos) {
    for (char a : kPaymentCodeAlphabet) {
      for (char b : kPaymentCodeAlphabet) {
        if (a == b) continue;
        const std::string code = valid_code_with({{pos, a}, {pos + 1, b}});
        ASSERT_TRUE(is_valid_payment_code(code)) << code;
        ASSERT_EQ(code.substr(kPrefix + pos, 2), std::string({a, b}));
        std::string swapped = code;
        std::swap(swapped[kPrefix + pos], swapped[kPrefix + pos + 1]);
        ASSERT_FALSE(is_valid_payment_code(swapped)) << code << " -> " << swapped;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 6 * 31 * 30);
}

TEST(PaymentCode, RejectsMalformedCodes) {
  const std::string code = with_check("K7Q2M9");
  EXPECT_TRUE(is_valid_payment_code(code));
  EXPECT_FALSE(is_valid_payment_code(""));
  EXPECT_FALSE(is_valid_payment_code(code.substr(0, 8)));
  EXPECT_FALSE(is_valid_payment_code(code + "A"));
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_FALSE(is_valid_payment_code(lower));  // stored codes are upper case
  EXPECT_FALSE(is_valid_payment_code("XX" + code.substr(2)));
  EXPECT_EQ(payment_code_check_char("K7Q2M0"), '\0');  // 0 is not in the alphabet
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos))
    text.replace(pos, from.size(), to), pos += to.size();
  return text;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(PaymentCode, FindsTheCodeInMangledBankDescriptions) {
  const std::string code = with_check("K7Q2M9");
  const std::string body = code.substr(2);
  // {C}: the code; {c}: lower case; {S}: split "CP K7Q2 M9X" style.
  const std::string spaced = "CP " + body.substr(0, 4) + " " + body.substr(4);
  const char* templates[] = {
      "{C}",
      "{c}",
      "{S}",
      "MBVCB.1234567.{C}.CT tu 0011001234567 NGUYEN VAN A toi 1903456789012",
      "MBVCB.5093472711.{c}.CT tu 1017656853 TRAN THI B toi 0011001234567 HTX NONG SAN",
      "FT24333123456789{C}",
      "{C}FT24333123456789",
      "IBFT {C}",
      "IBFT {c} GD 493812-112826 09:30:12",
      "NGUYEN THI MAI chuyen tien {C}",
      "NGUYEN THI MAI chuyen khoan.{S}. Trace 123456",
      "TKThe :0011001234567, tai VCB. {C} -CTLNHIDI000004512312",
      "REM Tfr Ac: 1234567 {C} Ck",
      "ACB;0011001234567;{C};MBVCB",
      "MOMO-{C}-0912345678",
      "Thanh toán đơn hàng {C}",
      "Thanh toan don hang: ({C})",
      "[{c}]",
      "{C}.",
      "  {S}  ",
      "C P-K7Q2-M9{X}",
      "c.p.k.7.q.2.m.9.{x}",
      "CK {C} ND QR",
      "QR - {C} - ZALOPAY",
      "VCB;0011001234567;{c};TRAN VAN B chuyen tien",
      "TPBank {C}_Chuyen tien",
      "{C}{C}",
  };
  const std::string x(1, code.back());
  for (const char* t : templates) {
    std::string d = t;
    d = replace_all(d, "{C}", code);
    d = replace_all(d, "{c}", lower(code));
    d = replace_all(d, "{S}", lower(spaced));
    d = replace_all(d, "{X}", x);
    d = replace_all(d, "{x}", lower(x));
    auto found = find_codes_in(d);
    ASSERT_EQ(found.size(), 1u) << d;
    EXPECT_EQ(found[0], code) << d;
  }
}

TEST(PaymentCode, FindsNothingInDescriptionsWithoutAValidCode) {
  const std::string code = with_check("K7Q2M9");
  std::string typo = code;
  typo[4] = typo[4] == 'A' ? 'B' : 'A';
  const std::string descriptions[] = {
      "",
      "NGUYEN VAN A chuyen tien",
      "MBVCB.1234567.CT tu 0011001234567 toi 1903456789012",
      code.substr(0, 8),            // truncated by the bank
      "CP" + code.substr(3),        // one character dropped
      "MBVCB.123." + typo + ".CT",  // mistyped
      replace_all(code, "K", "O"),  // look-alike that is not in the alphabet
  };
  for (const auto& d : descriptions) EXPECT_TRUE(find_codes_in(d).empty()) << d;
  auto mistyped = find_mistyped_codes_in("MBVCB.123." + typo + ".CT");
  ASSERT_EQ(mistyped.size(), 1u);
  EXPECT_EQ(mistyped[0], typo);
}

TEST(PaymentCode, FindsTwoDifferentCodesInOrder) {
  const std::string a = with_check("K7Q2M9");
  const std::string b = with_check("ZZ2345");
  auto found = find_codes_in("tra " + lower(b) + " va " + a);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], b);
  EXPECT_EQ(found[1], a);
}

TEST(AccessToken, HasAtLeast128BitsUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = new_access_token();
    EXPECT_GE(token.size() * 6, 128u);
    for (char c : token)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(AccessToken, MatchesOnlyItsOwnHash) {
  const std::string token = new_access_token();
  const std::string hash = hash_access_token(token);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_NE(hash, token);
  EXPECT_TRUE(access_token_matches(token, hash));
  EXPECT_FALSE(access_token_matches(token + "x", hash));
  EXPECT_FALSE(access_token_matches("", hash));
  EXPECT_FALSE(access_token_matches(token, hash.substr(1)));
  // Known SHA-256 of "abc".
  EXPECT_EQ(hash_access_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace chophien::core
