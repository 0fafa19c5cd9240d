#include "qr/payload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace chophien::qr {
namespace {

std::string obj(std::string_view tag, std::string_view value) {
  std::string out(tag);
  out += static_cast<char>('0' + value.size() / 10);
  out += static_cast<char>('0' + value.size() % 10);
  out += value;
  return out;
}

std::string with_crc(std::string body) {
  body += "6304";
  return body + crc16_hex(body);
}

std::string tag38(std::string_view bin = "970416", std::string_view account = "257678859",
                  std::string_view service = "QRIBFTTA") {
  std::string inner = obj("00", "A000000727") + obj("01", obj("00", bin) + obj("01", account));
  if (!service.empty()) inner += obj("02", service);
  return obj("38", inner);
}

// A valid dynamic code with amount and purpose, built around replaceable pieces.
std::string dynamic_code(std::string_view extra62 = "") {
  return with_crc("000201010212" + tag38() + "5303704" + obj("54", "150000") + "5802VN" +
                  obj("62", obj("08", "CPK7Q2M9X") + std::string(extra62)));
}

constexpr std::string_view kWorkedExample =
    "00020101021138530010A000000727012300069704160109257678859"
    "0208QRIBFTTA53037045802VN6304AE9F";

TEST(Crc16, CheckValueOf123456789Is29B1) { EXPECT_EQ(crc16_hex("123456789"), "29B1"); }

// Bit-by-bit CRC-16/CCITT-FALSE, straight from the definition, to check the table-driven one.
std::string reference_crc(std::string_view data) {
  unsigned crc = 0xFFFF;
  for (unsigned char c : data) {
    crc ^= unsigned{c} << 8;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) : (crc << 1);
    crc &= 0xFFFF;
  }
  char out[5];
  std::snprintf(out, sizeof out, "%04X", crc);
  return out;
}

TEST(Crc16, MatchesBitwiseDefinitionForEveryLength) {
  std::mt19937 rng(7);
  for (size_t n = 0; n < 600; ++n) {
    std::string data(n, ' ');
    for (char& c : data) c = static_cast<char>(rng() & 0xFF);
    ASSERT_EQ(crc16_hex(data), reference_crc(data)) << n;
  }
}

TEST(Crc16, IsZeroPaddedUpperCase) {
  // Any 4-digit output must be upper-case hex, zero padded.
  for (int i = 0; i < 2000; ++i) {
    std::string crc = crc16_hex(std::to_string(i));
    ASSERT_EQ(crc.size(), 4u);
    for (char c : crc) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) << crc;
  }
}

TEST(Encode, WorkedExampleOfSection7MatchesExactly) {
  EncodeRequest request;
  request.bank = "970416";
  request.account = "257678859";
  auto result = encode(request);
  ASSERT_TRUE(result.has_value()) << result.error->message;
  EXPECT_EQ(result.value->payload, kWorkedExample);
  EXPECT_EQ(result.value->bin, "970416");
  EXPECT_EQ(result.value->purpose, "");
}

TEST(Encode, BankByNameGivesSameCode) {
  EncodeRequest request;
  request.bank = "acb";
  request.account = "257678859";
  EXPECT_EQ(encode(request).value->payload, kWorkedExample);
}

TEST(Encode, DynamicWhenAmountGivenInCanonicalOrder) {
  EncodeRequest request;
  request.bank = "Vietcombank";
  request.account = "0011001234567";
  request.amount_vnd = 150000;
  request.additional.purpose = "Thanh toán đơn CPK7Q2M9X";
  auto result = encode(request);
  ASSERT_TRUE(result.has_value()) << result.error->message;
  EXPECT_EQ(result.value->purpose, "Thanh toan don CPK7Q2M9X");
  EXPECT_EQ(result.value->payload,
            with_crc("000201010212" + tag38("970436", "0011001234567") + "5303704" + "5406150000" +
                     "5802VN" + obj("62", obj("08", "Thanh toan don CPK7Q2M9X"))));
}

TEST(Encode, ForceStaticKeepsAmountWithInitiation11) {
  EncodeRequest request;
  request.bank = "VCB";
  request.account = "123";
  request.amount_vnd = 5000;
  request.force_static = true;
  auto result = encode(request);
  ASSERT_TRUE(result.has_value());
  auto decoded = decode(result.value->payload);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded.value->initiation, "static");
  EXPECT_EQ(decoded.value->amount, 5000);
  EXPECT_EQ(decoded.value->warnings, std::vector<std::string>{"W-STATIC-WITH-AMOUNT"});
}

TEST(Encode, MerchantPushWritesMccNameCity) {
  EncodeRequest request;
  request.bank = "BIDV";
  request.account = "MERCHANT01";
  request.service = Service::merchant_push;
  request.mcc = "5411";
  request.merchant_name = "HTX CHE THAI NGUYEN";
  request.merchant_city = "THAI NGUYEN";
  auto result = encode(request);
  ASSERT_TRUE(result.has_value()) << result.error->message;
  EXPECT_EQ(
      result.value->payload,
      with_crc("000201010211" + tag38("970418", "MERCHANT01", "QRPUSH") + "52045411" + "5303704" +
               "5802VN" + obj("59", "HTX CHE THAI NGUYEN") + obj("60", "THAI NGUYEN")));
}

struct Refusal {
  std::string field;
  EncodeRequest request;
};

EncodeRequest base_request() {
  EncodeRequest r;
  r.bank = "970436";
  r.account = "0011001234567";
  r.amount_vnd = 10000;
  return r;
}

TEST(Encode, RefusesBadInputNamingTheField) {
  std::vector<Refusal> cases;
  auto add = [&](std::string field, auto change) {
    EncodeRequest r = base_request();
    change(r);
    cases.push_back({std::move(field), r});
  };
  add("bank", [](EncodeRequest& r) { r.bank = ""; });
  add("bank", [](EncodeRequest& r) { r.bank = "999999"; });
  add("bank", [](EncodeRequest& r) { r.bank = "Ngân hàng Không Tồn Tại"; });
  add("account", [](EncodeRequest& r) { r.account = ""; });
  add("account", [](EncodeRequest& r) { r.account = "12345678901234567890"; });
  add("account", [](EncodeRequest& r) { r.account = "0011 0012"; });
  add("account", [](EncodeRequest& r) { r.account = "001-1"; });
  add("account", [](EncodeRequest& r) {
    r.service = Service::card;
    r.account = "9704ABC";
  });
  add("amount_vnd", [](EncodeRequest& r) { r.amount_vnd = 0; });
  add("amount_vnd", [](EncodeRequest& r) { r.amount_vnd = -5; });
  add("amount_vnd", [](EncodeRequest& r) { r.amount_vnd = 10'000'000'000'000; });
  add("mcc", [](EncodeRequest& r) { r.mcc = "5411"; });  // not a merchant code
  add("merchant_name", [](EncodeRequest& r) { r.merchant_name = "X"; });
  add("merchant_city", [](EncodeRequest& r) { r.merchant_city = "X"; });
  auto merchant = [](EncodeRequest& r) {
    r.service = Service::merchant_push;
    r.mcc = "5411";
    r.merchant_name = "SHOP";
    r.merchant_city = "HANOI";
  };
  add("mcc", [&](EncodeRequest& r) {
    merchant(r);
    r.mcc = "";
  });
  add("mcc", [&](EncodeRequest& r) {
    merchant(r);
    r.mcc = "541";
  });
  add("merchant_name", [&](EncodeRequest& r) {
    merchant(r);
    r.merchant_name = "";
  });
  add("merchant_name", [&](EncodeRequest& r) {
    merchant(r);
    r.merchant_name = std::string(26, 'A');
  });
  add("merchant_name", [&](EncodeRequest& r) {
    merchant(r);
    r.merchant_name = "Chè Thái";
  });
  add("merchant_city", [&](EncodeRequest& r) {
    merchant(r);
    r.merchant_city = "";
  });
  add("merchant_city", [&](EncodeRequest& r) {
    merchant(r);
    r.merchant_city = std::string(16, 'A');
  });
  add("postal_code", [](EncodeRequest& r) { r.postal_code = std::string(11, '1'); });
  add("purpose", [](EncodeRequest& r) { r.additional.purpose = std::string(26, 'a'); });
  add("purpose",
      [](EncodeRequest& r) { r.additional.purpose = "Thanh toán đơn hàng CPK7Q2M9X ngày 1"; });
  add("purpose", [](EncodeRequest& r) { r.additional.purpose = "!!!"; });
  add("bill_number", [](EncodeRequest& r) { r.additional.bill_number = std::string(26, '1'); });
  add("mobile", [](EncodeRequest& r) { r.additional.mobile = "09\t12"; });
  add("store", [](EncodeRequest& r) { r.additional.store = "Cửa hàng"; });
  add("loyalty", [](EncodeRequest& r) { r.additional.loyalty = "***"; });
  add("reference", [](EncodeRequest& r) { r.additional.reference = std::string(30, 'R'); });
  add("customer", [](EncodeRequest& r) { r.additional.customer = "\x01"; });
  add("terminal", [](EncodeRequest& r) { r.additional.terminal = std::string(26, 'T'); });
  add("data_request", [](EncodeRequest& r) { r.additional.data_request = "AMX"; });
  add("reference", [](EncodeRequest& r) {
    r.service = Service::cash;
    r.additional.terminal = "T1";
  });
  add("terminal", [](EncodeRequest& r) {
    r.service = Service::cash;
    r.additional.reference = "R1";
  });
  add("additional", [](EncodeRequest& r) {
    r.additional.bill_number = std::string(25, 'B');
    r.additional.reference = std::string(25, 'R');
    r.additional.terminal = std::string(25, 'T');
    r.additional.purpose = std::string(25, 'P');
  });
  for (const auto& c : cases) {
    auto result = encode(c.request);
    ASSERT_FALSE(result.has_value()) << c.field << " " << result.value->payload;
    ASSERT_TRUE(result.error.has_value());
    EXPECT_EQ(result.error->field, c.field) << result.error->message;
    EXPECT_NE(result.error->message.find(c.field), std::string::npos) << result.error->message;
  }
}

TEST(Encode, LargestAmountIsAccepted) {
  EncodeRequest r = base_request();
  r.amount_vnd = 9'999'999'999'999;
  auto result = encode(r);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(decode(result.value->payload).value->amount, 9'999'999'999'999);
}

TEST(FoldDescription, FoldsVietnameseToAscii) {
  EXPECT_EQ(fold_description("Thanh toán đơn CPK7Q2M9X"), "Thanh toan don CPK7Q2M9X");
  EXPECT_EQ(fold_description("ĐẶNG Đức ăn ẩm ướt ỹ"), "DANG Duc an am uot y");
  EXPECT_EQ(fold_description("  a   b\t\nc  "), "a b c");
  EXPECT_EQ(fold_description("Đơn #12, giá: 5.000đ!"), "Don 12 gia 5.000d");
  EXPECT_EQ(fold_description("a_b-c.d\\e/f"), "a_b-c.def");
  EXPECT_EQ(fold_description("bad \xff\xfe utf8 \xe1"), "bad utf8");
  EXPECT_EQ(fold_description("🍵 trà"), "tra");
}

TEST(FoldDescription, DoesNotTruncate) {
  EXPECT_EQ(fold_description(std::string(40, 'x')).size(), 40u);
}

// --- decode ---

TEST(Decode, ReadsWorkedExample) {
  auto result = decode(kWorkedExample);
  ASSERT_TRUE(result.has_value()) << result.error->code;
  const Decoded& d = *result.value;
  EXPECT_EQ(d.scheme, "vietqr");
  EXPECT_EQ(d.initiation, "static");
  EXPECT_EQ(d.guid, "A000000727");
  EXPECT_EQ(d.bin, "970416");
  EXPECT_EQ(d.bank, "ACB");
  EXPECT_EQ(d.account, "257678859");
  EXPECT_EQ(d.service, "QRIBFTTA");
  EXPECT_FALSE(d.amount.has_value());
  EXPECT_EQ(d.currency, "704");
  EXPECT_EQ(d.country, "VN");
  EXPECT_EQ(d.crc, "AE9F");
  EXPECT_EQ(d.payload, kWorkedExample);
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_TRUE(d.unknown.empty());
}

TEST(Decode, AcceptsNapasCardAndCashSamples) {
  auto card = decode(
      "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN"
      "63044F52");
  ASSERT_TRUE(card.has_value()) << card.error->code;
  EXPECT_EQ(card.value->account, "9704031101234567");
  EXPECT_EQ(card.value->service, "QRIBFTTC");
  EXPECT_EQ(card.value->bank, "STB");

  auto transfer = decode(
      "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC5303704540618"
      "00005802VN62340107NPS68690819thanh toan don hang6304A203");
  ASSERT_TRUE(transfer.has_value()) << transfer.error->code;
  EXPECT_EQ(transfer.value->amount, 180000);
  EXPECT_EQ(transfer.value->bill_number, "NPS6869");
  EXPECT_EQ(transfer.value->purpose, "thanh toan don hang");

  auto cash = decode(
      "00020101021238500010A000000727012200069704030108123456780206QRCASH5204601153037045802VN5915"
      "NGUYEN HUU HUAN6005HANOI6237052120190109155714228384707080000111163041009");
  ASSERT_TRUE(cash.has_value()) << cash.error->code;
  EXPECT_EQ(cash.value->service, "QRCASH");
  EXPECT_EQ(cash.value->mcc, "6011");
  EXPECT_EQ(cash.value->merchant_name, "NGUYEN HUU HUAN");
  EXPECT_EQ(cash.value->merchant_city, "HANOI");
  EXPECT_EQ(cash.value->reference, "201901091557142283847");
  EXPECT_EQ(cash.value->terminal, "00001111");
  EXPECT_EQ(cash.value->warnings, std::vector<std::string>{"W-DYNAMIC-WITHOUT-AMOUNT"});
}

TEST(Decode, RejectsNapasSampleWithWrongAccountLength) {
  auto result = decode(
      "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN"
      "6304F4E5");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error->code, "E-TLV-TRUNCATED");
}

TEST(Decode, RejectsServiceCodeNestedInBeneficiary) {
  std::string nested = obj(
      "38", obj("00", "A000000727") +
                obj("01", obj("00", "970436") + obj("01", "1234567890") + obj("02", "QRIBFTTA")));
  auto result = decode(with_crc("000201010211" + nested + "53037045802VN"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error->code, "E-38-BENEFICIARY");
  EXPECT_EQ(result.error->at, 12u + 4 + 14);
}

TEST(Decode, AcceptsLowerCaseCrcWithWarning) {
  std::string body = "000201010211" + tag38() + "53037045802VN6304";
  std::string crc = crc16_hex(body);
  std::string lower;
  for (char c : crc) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool has_letter = lower != crc;
  auto result = decode(body + lower);
  ASSERT_TRUE(result.has_value()) << result.error->code;
  EXPECT_EQ(result.value->crc, lower);
  if (has_letter) {
    EXPECT_EQ(result.value->warnings, std::vector<std::string>{"W-CRC-LOWERCASE"});
  }
  auto example = decode(
      "00020101021138530010A000000727012300069704160109257678859"
      "0208QRIBFTTA53037045802VN6304ae9f");
  ASSERT_TRUE(example.has_value());
  EXPECT_EQ(example.value->warnings, std::vector<std::string>{"W-CRC-LOWERCASE"});
}

TEST(Decode, RecognisesVnpayQr) {
  auto result = decode(with_crc("000201010211" +
                                obj("26", obj("00", "A000000775") + obj("01", "0102154778")) +
                                "520458125303704"
                                "5802VN" +
                                obj("59", "QUAN PHO") + obj("60", "HA NOI") +
                                obj("62", obj("03", "STORE1") + obj("07", "T01"))));
  ASSERT_TRUE(result.has_value()) << result.error->code << result.error->message;
  EXPECT_EQ(result.value->scheme, "vnpayqr");
  EXPECT_EQ(result.value->merchant_id, "0102154778");
  EXPECT_EQ(result.value->account, "0102154778");
  EXPECT_EQ(result.value->guid, "A000000775");
  EXPECT_EQ(result.value->store, "STORE1");
}

struct ErrorCase {
  std::string code;
  std::string payload;
};

std::vector<ErrorCase> error_cases() {
  const std::string t38 = tag38();
  const std::string tail = "53037045802VN";
  std::vector<ErrorCase> cases = {
      {"E-EMPTY", ""},
      {"E-TOO-LONG", std::string(513, '0')},
      {"E-CHARSET", std::string(kWorkedExample) + "\n"},
      {"E-TLV-TAG", " " + std::string(kWorkedExample)},  // space is in the charset
      {"E-CHARSET", "\xEF\xBB\xBF" + std::string(kWorkedExample)},
      {"E-CHARSET", with_crc("000201010211" + t38 + tail + obj("62", obj("08", "tr\xC3\xA0")))},
      {"E-TLV-TRUNCATED", "000201010"},
      {"E-TLV-TAG", "0002010A0211"},
      {"E-TLV-LENGTH", "0002010100"},
      {"E-TLV-LENGTH", "00020101x1"},
      {"E-TLV-OVERRUN", "000201010512"},
      {"E-TLV-OVERRUN", with_crc("000201010211" + t38.substr(0, 2) + "06" + "001099" + tail)},
      {"E-FORMAT-INDICATOR", with_crc("000202010211" + t38 + tail)},
      {"E-FORMAT-INDICATOR", with_crc("010211000201" + t38 + tail)},
      {"E-CRC-MISSING", "000201010211" + t38 + tail},
      {"E-CRC-POSITION", with_crc("000201010211" + t38 + "5303704") + "5802VN"},
      {"E-CRC-FORMAT", "000201010211" + t38 + tail + "6304GGGG"},
      {"E-CRC-FORMAT", "000201010211" + t38 + tail + "6303ABC"},
      {"E-CRC-MISMATCH", std::string(kWorkedExample.substr(0, kWorkedExample.size() - 1)) + "E"},
      {"E-CRC-MISMATCH", std::string(kWorkedExample.substr(0, kWorkedExample.size() - 4)) + "ABCD"},
      {"E-DUPLICATE-TAG", with_crc("000201010211" + t38 + "5303704" + "5303704" + "5802VN")},
      {"E-DUPLICATE-TAG", with_crc("000201010212" + t38 + "5303704540410005406900000" + "5802VN")},
      {"E-DUPLICATE-TAG", dynamic_code(obj("08", "OTHER"))},
      {"E-DUPLICATE-TAG",
       with_crc("000201010211" +
                obj("38", obj("00", "A000000727") +
                              obj("01", obj("00", "970416") + obj("01", "257678859")) +
                              obj("02", "QRIBFTTA") + obj("02", "QRPUSH")) +
                tail)},
      {"E-DUPLICATE-TAG",
       with_crc("000201010211" +
                obj("26", obj("00", "A000000775") + obj("01", "1") + obj("01", "2")) + tail)},
      {"E-INITIATION", with_crc("000201010213" + t38 + tail)},
      {"E-INITIATION", with_crc("000201010210" + t38 + tail)},
      {"E-38-GUID", with_crc("000201010211" +
                             obj("38", obj("00", "A000000728") +
                                           obj("01", obj("00", "970416") + obj("01", "1"))) +
                             tail)},
      {"E-38-GUID", with_crc("000201010211" +
                             obj("38", obj("01", obj("00", "970416") + obj("01", "1"))) + tail)},
      {"E-38-BENEFICIARY",
       with_crc("000201010211" + obj("38", obj("00", "A000000727") + obj("02", "QRIBFTTA")) +
                tail)},
      {"E-38-BENEFICIARY",
       with_crc("000201010211" +
                obj("38", obj("00", "A000000727") +
                              obj("01", obj("01", "257678859") + obj("00", "970416"))) +
                tail)},
      {"E-38-BIN", with_crc("000201010211" + tag38("97041") + tail)},
      {"E-38-BIN", with_crc("000201010211" + tag38("97041A") + tail)},
      {"E-38-ACCOUNT", with_crc("000201010211" + tag38("970416", "12345678901234567890") + tail)},
      {"E-38-ACCOUNT", with_crc("000201010211" + tag38("970416", "1234-5678") + tail)},
      {"E-38-ACCOUNT", with_crc("000201010211" + tag38("970416", "9704ABCD", "QRIBFTTC") + tail)},
      {"E-38-SERVICE", with_crc("000201010211" + tag38("970416", "1", "qribftta") + tail)},
      {"E-38-SERVICE", with_crc("000201010211" + tag38("970416", "1", "QRIBFT") + tail)},
      {"E-26-MERCHANT", with_crc("000201010211" + obj("26", obj("00", "A000000775")) + tail)},
      {"E-NO-SCHEME", with_crc("000201010211" + tail)},
      {"E-NO-SCHEME",
       with_crc("000201010211" + obj("26", obj("00", "A000000999") + obj("01", "1")) + tail)},
      {"E-CURRENCY", with_crc("000201010211" + t38 + "5802VN")},
      {"E-CURRENCY", with_crc("000201010211" + t38 + "5303840" + "5802VN")},
      {"E-COUNTRY", with_crc("000201010211" + t38 + "5303704")},
      {"E-COUNTRY", with_crc("000201010211" + t38 + "5303704" + "5802vn")},
      {"E-MCC", with_crc("000201010211" + t38 + "5203581" + tail)},
      {"E-MCC", with_crc("000201010211" + t38 + "5204581A" + tail)},
      {"E-AMOUNT", with_crc("000201010212" + t38 + "5303704" + obj("54", "180000.50") + "5802VN")},
      {"E-AMOUNT", with_crc("000201010212" + t38 + "5303704" + obj("54", "1000.00") + "5802VN")},
      {"E-AMOUNT", with_crc("000201010212" + t38 + "5303704" + obj("54", "0") + "5802VN")},
      {"E-AMOUNT", with_crc("000201010212" + t38 + "5303704" + obj("54", "0100") + "5802VN")},
      {"E-AMOUNT",
       with_crc("000201010212" + t38 + "5303704" + obj("54", "10000000000000") + "5802VN")},
      {"E-AMOUNT", with_crc("000201010212" + t38 + "5303704" + obj("54", "-100") + "5802VN")},
  };
  return cases;
}

TEST(Decode, EachErrorCaseGivesItsCode) {
  for (const auto& c : error_cases()) {
    auto result = decode(c.payload);
    ASSERT_FALSE(result.has_value()) << c.code << " accepted: " << c.payload;
    EXPECT_EQ(result.error->code, c.code) << c.payload << "\n" << result.error->message;
    EXPECT_FALSE(result.error->message.empty());
    EXPECT_LE(result.error->at, c.payload.size());
  }
}

TEST(Decode, ErrorCasesCoverEveryCodeOfSection11) {
  std::set<std::string> covered;
  for (const auto& c : error_cases()) covered.insert(c.code);
  EXPECT_EQ(decode_error_codes().size(), 25u);
  for (std::string_view code : decode_error_codes()) {
    EXPECT_TRUE(covered.count(std::string(code))) << code << " has no test case";
  }
  EXPECT_EQ(covered.size(), decode_error_codes().size());
}

TEST(Decode, ErrorOffsetPointsAtFailingObject) {
  std::string payload =
      with_crc("000201010212" + tag38() + "5303704" + obj("54", "1.5") + "5802VN");
  auto result = decode(payload);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(payload.substr(result.error->at, 4), "5403");
}

TEST(Decode, TlvErrorsInsideTemplatesComeBeforeCrcChecks) {
  // 62 declares 09 but its sub-object runs past it; CRC is also wrong.
  std::string body = "000201010211" + tag38() + "5303704" + "5802VN" + "6209" + "0810ABCDE";
  auto result = decode(body + "63040000");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error->code, "E-TLV-OVERRUN");
  EXPECT_EQ(result.error->at, body.size() - 9);
}

struct WarningCase {
  std::string warning;
  std::string payload;
};

TEST(Decode, EveryWarningIsReported) {
  const std::string t38 = tag38();
  std::string body = "000201010211" + t38 + "53037045802VN6304";
  std::string crc = crc16_hex(body);
  std::string lower;
  for (char c : crc) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<WarningCase> cases = {
      {"W-TAG-ORDER", with_crc("000201010211" + t38 + "5802VN" + "5303704")},
      {"W-NO-INITIATION", with_crc("000201" + t38 + "53037045802VN")},
      {"W-STATIC-WITH-AMOUNT", with_crc("000201010211" + t38 + "5303704540510000" + "5802VN")},
      {"W-DYNAMIC-WITHOUT-AMOUNT", with_crc("000201010212" + t38 + "53037045802VN")},
      {"W-NO-SERVICE", with_crc("000201010211" + tag38("970416", "1", "") + "53037045802VN")},
      {"W-UNKNOWN-SUBOBJECT", dynamic_code(obj("50", "X"))},
      {"W-UNKNOWN-SUBOBJECT",
       with_crc("000201010211" +
                obj("38", obj("00", "A000000727") +
                              obj("01", obj("00", "970416") + obj("01", "1")) +
                              obj("02", "QRIBFTTA") + obj("03", "EXTRA")) +
                "53037045802VN")},
      {"W-FIELD-TOO-LONG", dynamic_code(obj("05", std::string(26, 'R')))},
      {"W-FIELD-TOO-LONG",
       with_crc("000201010211" + t38 + "53037045802VN" + obj("59", std::string(26, 'N')))},
      {"W-FIELD-TOO-LONG",
       with_crc("000201010211" + t38 + "53037045802VN" + obj("60", std::string(16, 'C')))},
  };
  if (lower != crc) cases.push_back({"W-CRC-LOWERCASE", body + lower});
  cases.push_back({"W-CRC-LOWERCASE",
                   "00020101021138530010A000000727012300069704160109257678859"
                   "0208QRIBFTTA53037045802VN6304ae9f"});
  std::set<std::string> covered;
  for (const auto& c : cases) {
    auto result = decode(c.payload);
    ASSERT_TRUE(result.has_value()) << c.warning << ": " << result.error->code;
    EXPECT_EQ(result.value->warnings, std::vector<std::string>{c.warning}) << c.payload;
    covered.insert(c.warning);
  }
  for (std::string_view w : decode_warning_codes()) {
    EXPECT_TRUE(covered.count(std::string(w))) << w << " has no test case";
  }
}

TEST(Decode, KeepsUnknownObjectsByPath) {
  auto result = decode(with_crc("000201010211" + tag38() + "53037045802VN" + obj("64", "0002vi") +
                                obj("62", obj("08", "ABC") + obj("50", "XYZ")) + obj("80", "123")));
  ASSERT_TRUE(result.has_value()) << result.error->code;
  const auto& unknown = result.value->unknown;
  EXPECT_EQ(unknown.size(), 3u);
  EXPECT_EQ(unknown.at("80"), "123");
  EXPECT_EQ(unknown.at("64"), "0002vi");
  EXPECT_EQ(unknown.at("62.50"), "XYZ");
  EXPECT_EQ(result.value->purpose, "ABC");
}

TEST(Decode, SurvivesHostileInput) {
  std::vector<std::string> inputs = {"0",
                                     "00",
                                     "000",
                                     "0000",
                                     "00020",
                                     "000201",
                                     "6304",
                                     "00000000",
                                     "0002016304",
                                     "00020163040000",
                                     std::string(512, '9'),
                                     std::string(1 << 20, 'A'),
                                     std::string("\0\0\0\0", 4),
                                     "000201380438",
                                     "000201389900",
                                     "00020138040000",
                                     "0002013806000100",
                                     "000201620401",
                                     "0002012699",
                                     std::string(kWorkedExample) + "\r\n",
                                     "\xff\xfe\xfd\xfc"};
  for (int c = 0; c < 256; ++c) {
    std::string s(kWorkedExample);
    s[20] = static_cast<char>(c);
    inputs.push_back(s);
  }
  for (size_t n = 0; n <= kWorkedExample.size(); ++n) {
    inputs.emplace_back(kWorkedExample.substr(0, n));
  }
  for (const auto& input : inputs) {
    auto result = decode(input);
    EXPECT_NE(result.has_value(), result.error.has_value());
    if (result.error) {
      EXPECT_LE(result.error->at, input.size());
    }
  }
  EXPECT_EQ(decode(std::string(1 << 20, 'A')).error->code, "E-TOO-LONG");
  EXPECT_EQ(decode(std::string("0002\0"
                               "1",
                               6))
                .error->code,
            "E-CHARSET");
  EXPECT_EQ(decode("00020163040000").error->code, "E-CRC-MISMATCH");
}

TEST(Decode, CharsetErrorGivesTheOffsetOfTheFirstBadByte) {
  for (size_t i = 0; i < kWorkedExample.size(); ++i) {
    for (unsigned char bad : {0x00, 0x09, 0x1F, 0x7F, 0x80, 0xC3, 0xFF}) {
      std::string s(kWorkedExample);
      s[i] = static_cast<char>(bad);
      s[s.size() - 1 - i / 2] = static_cast<char>(0x7F);
      auto result = decode(s);
      ASSERT_FALSE(result.has_value());
      EXPECT_EQ(result.error->code, "E-CHARSET");
      EXPECT_EQ(result.error->at, std::min(i, s.size() - 1 - i / 2)) << i << " " << int{bad};
    }
  }
  for (char edge : {' ', '~'}) {
    std::string s = dynamic_code(std::string("0501") + edge);
    EXPECT_TRUE(decode(s).has_value()) << s;
  }
}

// --- round trip ---

std::string random_text(std::mt19937& rng, size_t min, size_t max, std::string_view alphabet) {
  std::uniform_int_distribution<size_t> len(min, max);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s(len(rng), ' ');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

TEST(RoundTrip, DecodeOfEncodeGivesTheRequestBack) {
  constexpr std::string_view kAlnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr std::string_view kDigits = "0123456789";
  std::string printable;
  for (char c = 0x20; c <= 0x7E; ++c) printable += c;
  constexpr std::string_view kPurpose[] = {"Thanh toán", "đơn", "CPK7Q2M9X", "Đà Lạt",
                                           "chè",        "-",   "mã_1.2",    "  "};
  const std::vector<std::string> banks = {
      "970436",    "vcb",    "Vietinbank", "ACB",  "MoMo",
      "Sacombank", "970454", "tpbank",     "Timo", "Ngân hàng TMCP Á Châu"};
  std::mt19937 rng(20240601);
  auto coin = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
  int encoded = 0;
  for (int i = 0; i < 3000; ++i) {
    EncodeRequest r;
    r.bank = banks[rng() % banks.size()];
    r.service = static_cast<Service>(rng() % 4);
    r.account = random_text(rng, 1, 19, r.service == Service::card ? kDigits : kAlnum);
    if (coin(70)) r.amount_vnd = static_cast<int64_t>(rng() % 9'999'999'999'999ull) + 1;
    r.force_static = coin(10);
    const bool merchant = r.service == Service::merchant_push || r.service == Service::cash;
    if (r.service == Service::merchant_push || (merchant && coin(50))) {
      r.mcc = random_text(rng, 4, 4, kDigits);
      r.merchant_name = random_text(rng, 1, 25, printable);
      r.merchant_city = random_text(rng, 1, 15, printable);
    }
    if (coin(20)) r.postal_code = random_text(rng, 1, 10, printable);
    AdditionalData& a = r.additional;
    auto maybe = [&](std::string& field, size_t max) {
      if (coin(15)) {
        do {
          field = random_text(rng, 1, max, printable);
        } while (field == "***");
      }
    };
    maybe(a.bill_number, 10);
    maybe(a.mobile, 10);
    maybe(a.store, 10);
    maybe(a.loyalty, 10);
    maybe(a.reference, 10);
    maybe(a.customer, 10);
    maybe(a.terminal, 10);
    if (r.service == Service::cash) {
      if (a.reference.empty()) a.reference = "REF";
      if (a.terminal.empty()) a.terminal = "TERM";
    }
    if (coin(60)) {
      for (int w = rng() % 3 + 1; w > 0; --w) a.purpose += std::string(kPurpose[rng() % 8]) + " ";
    }
    if (coin(15)) a.data_request = random_text(rng, 1, 3, "AME");

    auto result = encode(r);
    if (!result.has_value()) {
      // Only the 99-character limit of tag 62, or a purpose over 25 after folding, may refuse a
      // generated request.
      if (fold_description(a.purpose).size() > 25) {
        ASSERT_EQ(result.error->field, "purpose") << result.error->message;
      } else {
        ASSERT_EQ(result.error->field, "additional") << result.error->message;
      }
      continue;
    }
    ++encoded;
    const Encoded& e = *result.value;
    auto decoded = decode(e.payload);
    ASSERT_TRUE(decoded.has_value()) << decoded.error->code << " " << e.payload;
    const Decoded& d = *decoded.value;
    EXPECT_EQ(d.payload, e.payload);
    EXPECT_EQ(d.scheme, "vietqr");
    EXPECT_EQ(d.bin, e.bin);
    EXPECT_EQ(d.account, r.account);
    EXPECT_EQ(d.service, service_code(r.service));
    EXPECT_EQ(d.amount, r.amount_vnd);
    EXPECT_EQ(d.initiation, r.amount_vnd && !r.force_static ? "dynamic" : "static");
    auto opt = [](const std::string& s) {
      return s.empty() ? std::nullopt : std::optional<std::string>(s);
    };
    EXPECT_EQ(d.mcc, opt(r.mcc));
    EXPECT_EQ(d.merchant_name, opt(r.merchant_name));
    EXPECT_EQ(d.merchant_city, opt(r.merchant_city));
    EXPECT_EQ(d.postal_code, opt(r.postal_code));
    EXPECT_EQ(d.bill_number, opt(a.bill_number));
    EXPECT_EQ(d.mobile, opt(a.mobile));
    EXPECT_EQ(d.store, opt(a.store));
    EXPECT_EQ(d.loyalty, opt(a.loyalty));
    EXPECT_EQ(d.reference, opt(a.reference));
    EXPECT_EQ(d.customer, opt(a.customer));
    EXPECT_EQ(d.terminal, opt(a.terminal));
    EXPECT_EQ(d.purpose, opt(e.purpose));
    EXPECT_EQ(e.purpose, fold_description(a.purpose));
    EXPECT_EQ(d.data_request, opt(a.data_request));
    EXPECT_TRUE(d.unknown.empty());
    std::vector<std::string> expected_warnings;
    if (r.amount_vnd && r.force_static) expected_warnings.push_back("W-STATIC-WITH-AMOUNT");
    EXPECT_EQ(d.warnings, expected_warnings);
    // Deterministic.
    EXPECT_EQ(encode(r).value->payload, e.payload);
  }
  EXPECT_GT(encoded, 2500);
}

}  // namespace
}  // namespace chophien::qr
