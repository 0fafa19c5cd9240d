// The `chophien qr` command line, run as a separate process: exit codes, output formats, stdin.
// CHOPHIEN_BINARY is the path of the built binary (a compile definition).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_run.h"

namespace {

using chophien::testing_support::chophien;
using chophien::testing_support::read_file;
using chophien::testing_support::Run;
using chophien::testing_support::TempDir;
using chophien::testing_support::write_file;

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  pclose(pipe);
  return out;
}

const std::vector<std::string> kDemo = {"--bank",   "970436", "--account", "0011001234567",
                                        "--amount", "150000", "--purpose", "CPK7Q2M9X thanh toán"};

std::string demo_payload() {
  std::vector<std::string> args = {"qr", "encode"};
  args.insert(args.end(), kDemo.begin(), kDemo.end());
  const auto run = chophien(args);
  if (run.status != 0 || run.out.empty()) throw std::logic_error("demo encode failed: " + run.err);
  return run.out.substr(0, run.out.size() - 1);
}

std::vector<std::string> keys_of(const Json& j) {
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  return keys;
}

TEST(QrEncodeCommand, PrintsOnePayloadLineAndReportsTheFoldedPurpose) {
  std::vector<std::string> args = {"qr", "encode"};
  args.insert(args.end(), kDemo.begin(), kDemo.end());
  const auto run = chophien(args);
  ASSERT_EQ(run.status, 0) << run.err;
  ASSERT_FALSE(run.out.empty());
  EXPECT_EQ(run.out.back(), '\n');
  EXPECT_EQ(lines_of(run.out).size(), 1u);
  EXPECT_EQ(run.out.rfind("000201", 0), 0u);
  EXPECT_NE(run.out.find("CPK7Q2M9X thanh toan"), std::string::npos);
  EXPECT_NE(run.err.find("CPK7Q2M9X thanh toan"), std::string::npos) << "folded purpose reported";
}

TEST(QrEncodeCommand, RefusalNamesTheFieldAndExitsOne) {
  const auto run =
      chophien({"qr", "encode", "--bank", "970436", "--account", "12345678901234567890"});
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("account"), std::string::npos) << run.err;

  const auto purpose = chophien({"qr", "encode", "--bank", "VCB", "--account", "123", "--purpose",
                                 "CPK7Q2M9X thanh toan don hang mat ong rung"});
  EXPECT_EQ(purpose.status, 1);
  EXPECT_NE(purpose.err.find("purpose"), std::string::npos) << purpose.err;
}

TEST(QrEncodeCommand, MerchantOptionsMakeAMerchantCode) {
  const auto run = chophien({"qr", "encode", "--bank", "970436", "--merchant", "MC12345", "--mcc",
                             "5499", "--name", "HTX Che Tan Cuong", "--city", "Thai Nguyen"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto decoded = chophien({"qr", "decode", lines_of(run.out).at(0)});
  ASSERT_EQ(decoded.status, 0) << decoded.out;
  const auto j = Json::parse(decoded.out);
  EXPECT_EQ(j["service"], "QRPUSH");
  EXPECT_EQ(j["mcc"], "5499");
  EXPECT_EQ(j["account"], "MC12345");
  EXPECT_EQ(j["initiation"], "static");
}

TEST(QrCommand, UsageErrorsExitTwoWithAMessage) {
  const std::vector<std::vector<std::string>> cases = {
      {"qr"},
      {"qr", "wat"},
      {"qr", "encode", "--bank", "970436", "--account", "123", "--wat"},
      {"qr", "encode", "--bank", "970436", "--account"},
      {"qr", "encode", "--account", "123"},
      {"qr", "encode", "--bank", "970436", "--account", "123", "--amount", "15O000"},
      {"qr", "encode", "--bank", "970436", "--account", "123", "--amount", "150000.0"},
      {"qr", "encode", "--bank", "970436", "--account", "123", "--amount", "-5"},
      {"qr", "encode", "--bank", "970436", "--account", "1", "--account", "2"},
      {"qr", "encode", "--bank", "970436", "--account", "1", "--static=yes"},
      {"qr", "encode", "--bank", "970436", "--account", "1", "--mcc", "5499"},
      {"qr", "encode", "--bank", "970436", "--account", "1", "stray"},
      {"qr", "svg", "--payload", "x", "--bank", "970436"},
      {"qr", "svg", "--bank", "970436", "--account", "1", "--ecc", "X"},
      {"qr", "svg", "--bank", "970436", "--account", "1", "--scale", "0"},
      {"qr", "svg", "--bank", "970436", "--account", "1", "--margin", "-1"},
      {"qr", "term", "--bank", "970436", "--account", "1", "--out", "x.txt"},
      {"qr", "decode", "--json"},
      {"qr", "banks", "--csv"},
  };
  for (const auto& args : cases) {
    const auto run = chophien(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(run.status, 2) << joined;
    EXPECT_FALSE(run.err.empty()) << joined;
    EXPECT_TRUE(run.out.empty()) << joined;
  }
}

TEST(QrCommand, HelpOnEveryLevelExitsZero) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                {"qr", "--help"},
                                                                {"qr", "encode", "--help"},
                                                                {"qr", "decode", "--help"},
                                                                {"qr", "png", "--help"},
                                                                {"qr", "svg", "--help"},
                                                                {"qr", "term", "--help"},
                                                                {"qr", "banks", "--help"}}) {
    const auto run = chophien(args);
    EXPECT_EQ(run.status, 0) << args.back();
    EXPECT_NE(run.out.find("usage:"), std::string::npos) << args.back();
  }
}

TEST(QrDecodeCommand, ValidPayloadHasEveryKeyInOrder) {
  const auto run = chophien({"qr", "decode", demo_payload()});
  ASSERT_EQ(run.status, 0) << run.out;
  ASSERT_EQ(lines_of(run.out).size(), 1u);
  const auto j = Json::parse(run.out);
  const std::vector<std::string> expected = {
      "valid",       "payload",      "scheme",        "initiation",    "bin",         "bank",
      "account",     "service",      "amount",        "currency",      "country",     "purpose",
      "bill_number", "mobile",       "store",         "loyalty",       "reference",   "customer",
      "terminal",    "data_request", "merchant_name", "merchant_city", "postal_code", "mcc",
      "merchant_id", "crc",          "warnings",      "unknown"};
  EXPECT_EQ(keys_of(j), expected);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["scheme"], "vietqr");
  EXPECT_EQ(j["initiation"], "dynamic");
  EXPECT_EQ(j["bin"], "970436");
  EXPECT_EQ(j["bank"], "VCB");
  EXPECT_EQ(j["account"], "0011001234567");
  EXPECT_EQ(j["service"], "QRIBFTTA");
  EXPECT_EQ(j["amount"], 150000);
  EXPECT_EQ(j["currency"], "704");
  EXPECT_EQ(j["country"], "VN");
  EXPECT_EQ(j["purpose"], "CPK7Q2M9X thanh toan");
  EXPECT_TRUE(j["bill_number"].is_null());
  EXPECT_TRUE(j["mcc"].is_null());
  EXPECT_TRUE(j["warnings"].is_array());
  EXPECT_TRUE(j["unknown"].is_object());
  EXPECT_EQ(j["crc"].get<std::string>().size(), 4u);
}

TEST(QrDecodeCommand, InvalidPayloadGivesErrorCodeMessageAndOffsetAndExitsOne) {
  std::string broken = demo_payload();
  broken.back() = broken.back() == '0' ? '1' : '0';  // wrong CRC
  const auto run = chophien({"qr", "decode", demo_payload(), broken});
  EXPECT_EQ(run.status, 1);
  const auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Json::parse(lines[0])["valid"], true);
  const auto j = Json::parse(lines[1]);
  EXPECT_EQ(keys_of(j), (std::vector<std::string>{"valid", "error", "message", "at"}));
  EXPECT_EQ(j["valid"], false);
  EXPECT_EQ(j["error"], "E-CRC-MISMATCH");
  EXPECT_TRUE(j["at"].is_number_unsigned());
}

TEST(QrDecodeCommand, ReadsStdinLinesStrippingOnlyTheLineTerminator) {
  const std::string p = demo_payload();
  // CRLF and LF are terminators; a leading space or trailing tab belongs to the payload; the last
  // line needs no terminator.
  const auto run = chophien({"qr", "decode"}, p + "\r\n" + p + "\n " + p + "\n" + p + "\t\n" + p);
  EXPECT_EQ(run.status, 1);
  const auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 5u);
  const bool expected_valid[] = {true, true, false, false, true};
  for (size_t i = 0; i < 5; ++i) {
    const auto j = Json::parse(lines[i]);
    EXPECT_EQ(j["valid"], expected_valid[i]) << i;
  }
  EXPECT_EQ(Json::parse(lines[3])["error"], "E-CHARSET");  // the tab is kept

  const auto all_valid = chophien({"qr", "decode"}, p + "\n" + p + "\n");
  EXPECT_EQ(all_valid.status, 0);
  EXPECT_EQ(lines_of(all_valid.out).size(), 2u);
}

TEST(QrDecodeCommand, SurvivesAMegabyteLineAndBinaryGarbage) {
  std::string garbage(1 << 20, 'A');
  garbage += '\n';
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) & 0xFF);
  garbage += "\n\xFF\xFE\x00\xC3(\n";
  const auto run = chophien({"qr", "decode"}, garbage);
  EXPECT_EQ(run.status, 1);
  const auto lines = lines_of(run.out);
  ASSERT_GE(lines.size(), 3u);
  for (const auto& line : lines) {
    const auto j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line.substr(0, 80);
    EXPECT_EQ(j["valid"], false);
  }
  EXPECT_EQ(Json::parse(lines[0])["error"], "E-TOO-LONG");
}

TEST(QrImageCommand, PngFileDecodesBackToThePayload) {
  TempDir dir;
  const auto file = dir.path() / "demo.png";
  std::vector<std::string> args = {"qr",    "png", "--out",   file.string(),
                                   "--ecc", "Q",   "--scale", "4"};
  args.insert(args.end(), kDemo.begin(), kDemo.end());
  const auto run = chophien(args);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(run.out.empty());
  EXPECT_EQ(shell("zbarimg --raw -q '" + file.string() + "' 2>/dev/null"), demo_payload() + "\n");

  // --payload draws the given text; PNG goes to stdout when stdout is not a terminal.
  const auto piped = chophien({"qr", "png", "--payload", demo_payload(), "--margin", "2"});
  ASSERT_EQ(piped.status, 0) << piped.err;
  const auto file2 = dir.path() / "piped.png";
  write_file(file2, piped.out);
  EXPECT_EQ(shell("zbarimg --raw -q '" + file2.string() + "' 2>/dev/null"), demo_payload() + "\n");
}

TEST(QrImageCommand, SvgOnStdoutIsWellFormedXml) {
  TempDir dir;
  const auto run = chophien({"qr", "svg", "--payload", demo_payload()});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind("<svg", 0), 0u);
  write_file(dir.path() / "a.svg", run.out);
  EXPECT_EQ(std::system(("xmllint --noout '" + (dir.path() / "a.svg").string() + "'").c_str()), 0);
}

TEST(QrImageCommand, TermDrawsHalfBlocksWithTheQuietZone) {
  const auto run = chophien({"qr", "term", "--payload", demo_payload(), "--margin", "1"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto lines = lines_of(run.out);
  ASSERT_GT(lines.size(), 10u);
  EXPECT_EQ(lines[0].find(' '), std::string::npos) << "light quiet zone drawn as blocks";
  const auto inverted =
      chophien({"qr", "term", "--payload", demo_payload(), "--margin", "1", "--invert"});
  ASSERT_EQ(inverted.status, 0);
  EXPECT_NE(inverted.out, run.out);
  EXPECT_EQ(lines_of(inverted.out).size(), lines.size());
}

TEST(QrImageCommand, InvalidPayloadIsRefusedUnlessForced) {
  const auto refused = chophien({"qr", "svg", "--payload", "hello"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(refused.out.empty());
  EXPECT_FALSE(refused.err.empty());
  const auto forced = chophien({"qr", "svg", "--payload", "hello", "--force"});
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(forced.out.rfind("<svg", 0), 0u);
}

TEST(QrImageCommand, EncoderRefusalExitsOne) {
  const auto run = chophien({"qr", "png", "--bank", "970436", "--account", "bad account!"});
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("account"), std::string::npos);
}

TEST(QrBanksCommand, JsonIsAnArrayOfBanksAndTheTableListsThemToo) {
  const auto json = chophien({"qr", "banks", "--json"});
  ASSERT_EQ(json.status, 0);
  const auto banks = Json::parse(json.out, nullptr, false);
  ASSERT_TRUE(banks.is_array());
  ASSERT_GT(banks.size(), 40u);
  bool found = false;
  for (const auto& b : banks) {
    ASSERT_TRUE(b.contains("bin") && b.contains("code") && b.contains("short_name") &&
                b.contains("name"));
    if (b["bin"] == "970436") found = b["code"] == "VCB";
  }
  EXPECT_TRUE(found);

  const auto table = chophien({"qr", "banks"});
  ASSERT_EQ(table.status, 0);
  const auto lines = lines_of(table.out);
  EXPECT_EQ(lines.size(), banks.size() + 1) << "header plus one line per bank";
  EXPECT_NE(table.out.find("970436"), std::string::npos);
  EXPECT_NE(table.out.find("Vietcombank"), std::string::npos);
}

}  // namespace
