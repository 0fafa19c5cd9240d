// Whole numbers as the payment services send them, at the edges where a careless conversion is
// undefined behaviour (a double outside int64_t, NaN, negating INT64_MIN): each one is a clear
// invalid_input naming the field, never a wrapped or made-up amount. Run under UBSan too.
#include "integrations/json_fields.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "integrations/casso.h"
#include "integrations/sepay.h"

namespace chophien::integrations {
namespace {

using nlohmann::json;

Result<int64_t> read(const json& value) { return whole_number(json{{"amount", value}}, "amount"); }

void expect_refused(const json& value, std::string_view why) {
  auto r = read(value);
  ASSERT_FALSE(r.has_value()) << value.dump() << " read as " << *r;
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << value.dump();
  EXPECT_EQ(r.error().field, "amount") << value.dump();
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
}

TEST(WholeNumber, ReadsOrdinaryAmountsInEveryForm) {
  EXPECT_EQ(*read(150000), 150000);
  EXPECT_EQ(*read(-150000), -150000);
  EXPECT_EQ(*read(150000.0), 150000);
  EXPECT_EQ(*read("150000"), 150000);
  EXPECT_EQ(*read("150000.00"), 150000);
  EXPECT_EQ(*read("-150000"), -150000);
  EXPECT_EQ(*read(kMaxWholeNumber), kMaxWholeNumber);
  EXPECT_EQ(*read(-kMaxWholeNumber), -kMaxWholeNumber);
  EXPECT_EQ(*read(std::to_string(kMaxWholeNumber)), kMaxWholeNumber);
}

TEST(WholeNumber, MinusZeroIsZero) {
  EXPECT_EQ(*read(-0.0), 0);
  EXPECT_EQ(*read("-0"), 0);
  EXPECT_EQ(*read("-0.000"), 0);
  EXPECT_EQ(*read(json::parse("-0")), 0);
}

TEST(WholeNumber, Int64ExtremesAreOutOfRangeInEveryForm) {
  expect_refused(std::numeric_limits<int64_t>::min(), "out of range");
  expect_refused(std::numeric_limits<int64_t>::max(), "out of range");
  expect_refused(std::numeric_limits<uint64_t>::max(), "out of range");
  expect_refused(kMaxWholeNumber + 1, "out of range");
  expect_refused(-kMaxWholeNumber - 1, "out of range");
  expect_refused("-9223372036854775808", "out of range");
  expect_refused("9223372036854775807", "out of range");
  expect_refused("99999999999999999999999", "out of range");
  expect_refused("-99999999999999999999999", "out of range");
  expect_refused(json::parse("-9223372036854775808"), "out of range");
  expect_refused(json::parse("18446744073709551616"), "out of range");  // read as a double
}

TEST(WholeNumber, HugeFloatsNanAndInfinitiesAreRefused) {
  expect_refused(1e300, "out of range");
  expect_refused(-1e300, "out of range");
  expect_refused(9.3e18, "out of range");   // just above INT64_MAX
  expect_refused(-9.3e18, "out of range");  // just below INT64_MIN
  expect_refused(std::ldexp(1.0, 63), "out of range");
  expect_refused(-std::ldexp(1.0, 63), "out of range");
  expect_refused(json::parse("1e300"), "out of range");
  expect_refused(std::numeric_limits<double>::quiet_NaN(), "whole number");
  expect_refused(std::numeric_limits<double>::infinity(), "whole number");
  expect_refused(-std::numeric_limits<double>::infinity(), "whole number");
  expect_refused(std::numeric_limits<double>::denorm_min(), "whole number");
  expect_refused(150000.5, "whole number");
}

TEST(WholeNumber, StringsThatAreNotPlainDigitsAreRefused) {
  for (const char* text : {"", "-", ".", "1e300", "1E5", "nan", "NaN", "inf", "-inf", "+5", " 5",
                           "5 ", "0x10", "150000.5", "1.2.0", "--1", "12a"}) {
    expect_refused(text, "whole number");
  }
  expect_refused(true, "whole number");
  expect_refused(json::array({1}), "whole number");
}

// Casso writes money out as a negative amount; the smallest int64_t has no positive counterpart.
TEST(CassoParse, ExtremeAmountsAreRefusedNotNegated) {
  for (const char* amount :
       {"-9223372036854775808", "\"-9223372036854775808\"", "-1e300", "1e300",
        "-9223372036854775807", "9223372036854775807", "18446744073709551615"}) {
    const std::string body = std::string(R"({"error":0,"data":{"id":7,"amount":)") + amount +
                             R"(,"accountNumber":"0011001234567","description":"CK CPK7Q2M9XA"}})";
    auto parsed = casso_parse(body);
    ASSERT_FALSE(parsed.has_value()) << amount << " read as " << parsed->amount_vnd;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_input) << amount;
    EXPECT_EQ(parsed.error().field, "amount") << amount;
  }
  // Beyond a double, the JSON reader itself refuses the body.
  auto overflow = casso_parse(
      R"({"error":0,"data":{"id":7,"amount":1e400,"accountNumber":"1","description":""}})");
  ASSERT_FALSE(overflow.has_value());
  EXPECT_EQ(overflow.error().code, ErrorCode::invalid_input);
  auto out = casso_parse(
      R"({"error":0,"data":{"id":7,"amount":-9007199254740991,"accountNumber":"1","description":""}})");
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(out->direction, "out");
  EXPECT_EQ(out->amount_vnd, kMaxWholeNumber);
}

TEST(SepayParse, ExtremeAmountsAreRefused) {
  for (const char* amount : {"-9223372036854775808", "1e300", "\"1e300\"", "1e400", "-0.5"}) {
    const std::string body = std::string(R"({"id":9,"gateway":"VCB","transactionDate":)") +
                             R"("2026-05-01 09:00:00","accountNumber":"0011001234567",)" +
                             R"("content":"CPK7Q2M9XA","transferType":"in","transferAmount":)" +
                             amount + "}";
    auto parsed = sepay_parse(body);
    ASSERT_FALSE(parsed.has_value()) << amount;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_input) << amount;
  }
}

}  // namespace
}  // namespace chophien::integrations
