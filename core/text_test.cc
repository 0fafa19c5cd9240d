#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace chophien::core {
namespace {

// "Miến" with the e, circumflex and acute as separate code points (NFD).
const std::string kMienDecomposed = "Mie\u0302\u0301n";

TEST(Text, NfcComposesDecomposedInput) {
  auto out = nfc(kMienDecomposed);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "Miến");
  EXPECT_NE(kMienDecomposed, "Miến");
}

TEST(Text, NfcLeavesComposedAndAsciiTextAlone) {
  EXPECT_EQ(nfc("Đức Hạnh").value(), "Đức Hạnh");
  EXPECT_EQ(nfc("plain ascii; DROP TABLE x;--").value(), "plain ascii; DROP TABLE x;--");
  EXPECT_EQ(nfc("").value(), "");
}

TEST(Text, NfcRejectsInvalidUtf8) {
  auto out = nfc("abc\xff");
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::invalid_input);
}

TEST(Text, ValidatesUtf8Strictly) {
  EXPECT_TRUE(is_valid_utf8("Cốc Pàng ₫ 😀"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe1\xba"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80"));
}

TEST(Text, FoldAsciiStripsVietnameseMarksAndMapsDStroke) {
  EXPECT_EQ(fold_ascii("Miến dong Đức Hạnh"), "Mien dong Duc Hanh");
  EXPECT_EQ(fold_ascii("đường Ư Ơ ư ơ Ỹ"), "duong U O u o Y");
  EXPECT_EQ(fold_ascii(kMienDecomposed), "Mien");
  EXPECT_EQ(fold_ascii("Trà shan tuyết – Thái Học"), "Tra shan tuyet  Thai Hoc");
}

TEST(Text, FoldAsciiDropsWhatHasNoAsciiBaseAndInvalidBytes) {
  EXPECT_EQ(fold_ascii("mật ong 🍯 蜂蜜"), "mat ong  ");
  EXPECT_EQ(fold_ascii("CP7\xffQ2\xc0M9"), "CP7Q2M9");
  EXPECT_EQ(fold_ascii("ＣＰ７"), "CP7");  // full-width forms from some phone keyboards
}

TEST(Text, SearchFoldLowerCasesAndFolds) {
  EXPECT_EQ(search_fold("Miến dong"), "mien dong");
  EXPECT_EQ(search_fold("MIẾN DONG"), "mien dong");
  EXPECT_EQ(search_fold("ĐẶC SẢN Đức Hạnh"), "dac san duc hanh");
  EXPECT_EQ(search_fold(kMienDecomposed), "mien");
  EXPECT_EQ(search_fold("mien dong"), search_fold("Miến Dong"));
}

TEST(Text, SearchFoldKeepsNonLatinLetters) { EXPECT_EQ(search_fold("Ω 蜂蜜"), "ω 蜂蜜"); }

TEST(Text, FormatsVndWithDotsAndANoBreakSpaceBeforeTheSymbol) {
  EXPECT_EQ(format_vnd(120000), "120.000\u00a0₫");
  EXPECT_EQ(format_vnd(0), "0\u00a0₫");
  EXPECT_EQ(format_vnd(999), "999\u00a0₫");
  EXPECT_EQ(format_vnd(1000), "1.000\u00a0₫");
  EXPECT_EQ(format_vnd(1234567890), "1.234.567.890\u00a0₫");
  EXPECT_EQ(format_vnd(-120000), "-120.000\u00a0₫");
  EXPECT_EQ(format_vnd(INT64_MIN), "-9.223.372.036.854.775.808\u00a0₫");
  EXPECT_EQ(format_vnd(INT64_MAX), "9.223.372.036.854.775.807\u00a0₫");
}

TEST(Text, ParsesAndFormatsIsoDates) {
  auto d = parse_iso_date("2025-07-01");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, (Date{2025, 7, 1}));
  EXPECT_EQ(format_iso_date(*d), "2025-07-01");
  EXPECT_EQ(format_date_vi(*d), "01/07/2025");
  EXPECT_TRUE(parse_iso_date("2024-02-29").has_value());
}

TEST(Text, RejectsMalformedOrImpossibleIsoDates) {
  for (const char* bad :
       {"2025-02-29", "2025-13-01", "2025-00-10", "2025-7-1", "25-07-01", "2025-07-01x",
        "2025/07/01", "", "0000-01-01", "2025-04-31", "2025-07-0\xff"}) {
    EXPECT_FALSE(parse_iso_date(bad).has_value()) << bad;
  }
}

TEST(Text, ParsesVietnameseDates) {
  EXPECT_EQ(parse_date_vi("01/07/2025").value(), (Date{2025, 7, 1}));
  EXPECT_EQ(parse_date_vi("1/7/2025").value(), (Date{2025, 7, 1}));
  EXPECT_FALSE(parse_date_vi("31/02/2025").has_value());
  EXPECT_FALSE(parse_date_vi("2025-07-01").has_value());
  EXPECT_FALSE(parse_date_vi("01/07/25").has_value());
}

TEST(Text, DaysSinceEpochRoundTrips) {
  EXPECT_EQ(days_since_epoch(Date{1970, 1, 1}), 0);
  EXPECT_EQ(days_since_epoch(Date{2025, 7, 1}), 20270);
  EXPECT_EQ(days_since_epoch(Date{1969, 12, 31}), -1);
  for (int64_t days = -800000; days < 800000; days += 997) {
    EXPECT_EQ(days_since_epoch(date_from_days(days)), days);
  }
}

TEST(Text, VietnamDateIsSevenHoursAheadOfUtc) {
  // 2025-06-30T17:00:00Z is midnight of 1 July in Vietnam.
  const int64_t t = 1751302800;
  EXPECT_EQ(vietnam_date(t), (Date{2025, 7, 1}));
  EXPECT_EQ(vietnam_date(t - 1), (Date{2025, 6, 30}));
  EXPECT_EQ(vietnam_midnight(Date{2025, 7, 1}), t);
}

TEST(Text, FormatsRfc3339InVietnamTime) {
  EXPECT_EQ(format_rfc3339_vietnam(1751302800), "2025-07-01T00:00:00+07:00");
  EXPECT_EQ(format_rfc3339_vietnam(0), "1970-01-01T07:00:00+07:00");
  EXPECT_EQ(format_rfc3339_vietnam(1751378709), "2025-07-01T21:05:09+07:00");
}

TEST(Text, ParsesRfc3339WithAnyOffset) {
  EXPECT_EQ(parse_rfc3339("2025-07-01T00:00:00+07:00").value(), 1751302800);
  EXPECT_EQ(parse_rfc3339("2025-06-30T17:00:00Z").value(), 1751302800);
  EXPECT_EQ(parse_rfc3339("2025-06-30T17:00:00.123456Z").value(), 1751302800);
  EXPECT_EQ(parse_rfc3339("2025-06-30T12:00:00-05:00").value(), 1751302800);
  for (int64_t t : {int64_t{0}, int64_t{1751378709}, int64_t{-86400 * 400}}) {
    EXPECT_EQ(parse_rfc3339(format_rfc3339_vietnam(t)).value(), t);
  }
}

TEST(Text, RejectsMalformedRfc3339) {
  for (const char* bad :
       {"2025-07-01", "2025-07-01T00:00:00", "2025-07-01T24:00:00Z", "2025-07-01T00:00:00+7:00",
        "2025-07-01T00:00:00+07:00 ", "2025-07-01T00:00:00.Z", "2025-02-30T00:00:00Z", "garbage"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace chophien::core
