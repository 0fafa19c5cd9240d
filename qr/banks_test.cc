#include "qr/banks.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace chophien::qr {
namespace {

std::string resolved_bin(std::string_view query) {
  const Bank* bank = resolve_bank(query);
  return bank ? bank->bin : "none";
}

TEST(Banks, DirectoryIsLoadedAndOrderedByBin) {
  auto list = banks();
  ASSERT_GE(list.size(), 60u);
  std::set<std::string> bins;
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i].bin.size(), 6u);
    EXPECT_FALSE(list[i].code.empty());
    EXPECT_FALSE(list[i].short_name.empty());
    EXPECT_FALSE(list[i].name.empty());
    if (i > 0) {
      EXPECT_LT(list[i - 1].bin, list[i].bin);
    }
    bins.insert(list[i].bin);
  }
  EXPECT_EQ(bins.size(), list.size());
}

TEST(Banks, FindsByBin) {
  const Bank* vcb = find_bank_by_bin("970436");
  ASSERT_NE(vcb, nullptr);
  EXPECT_EQ(vcb->code, "VCB");
  EXPECT_EQ(vcb->short_name, "Vietcombank");
  EXPECT_TRUE(vcb->napas_transfer);
  EXPECT_TRUE(vcb->vietqr_listed);
  EXPECT_EQ(find_bank_by_bin("000000"), nullptr);
  EXPECT_EQ(find_bank_by_bin("97043"), nullptr);
  EXPECT_EQ(find_bank_by_bin(""), nullptr);
}

TEST(Banks, ResolvesCodeNameAndBinIgnoringCaseAndDiacritics) {
  EXPECT_EQ(resolved_bin("vietcombank"), "970436");
  EXPECT_EQ(resolved_bin("VCB"), "970436");
  EXPECT_EQ(resolved_bin("vcb"), "970436");
  EXPECT_EQ(resolved_bin("970436"), "970436");
  EXPECT_EQ(resolved_bin("Vietcom Bank"), "970436");
  EXPECT_EQ(resolved_bin("Sacombank"), "970403");
  EXPECT_EQ(resolved_bin("STB"), "970403");
  EXPECT_EQ(resolved_bin("VietinBank"), "970415");
  EXPECT_EQ(resolved_bin("agribank"), "970405");
  EXPECT_EQ(resolved_bin("MB Bank"), "970422");
  EXPECT_EQ(resolved_bin("Ngân hàng TMCP Á Châu"), "970416");
  EXPECT_EQ(resolved_bin("ngan hang tmcp a chau"), "970416");
  EXPECT_EQ(resolved_bin("Ngân hàng Vietcombank"), "970436");
  EXPECT_EQ(resolved_bin("  timo "), "963388");
  EXPECT_EQ(resolved_bin("Vikki"), "970406");
}

TEST(Banks, FormerNamesResolveToTheCurrentBank) {
  EXPECT_EQ(resolved_bin("DongABank"), "970406");
  EXPECT_EQ(resolved_bin("Ngân hàng TMCP Đông Á"), "970406");
  EXPECT_EQ(resolved_bin("Oceanbank"), "970414");
  EXPECT_EQ(resolved_bin("LienVietPostBank"), "970449");
  EXPECT_EQ(resolved_bin("VietCapitalBank"), "970454");
  const Bank* lpb = find_bank_by_bin("970449");
  ASSERT_NE(lpb, nullptr);
  EXPECT_EQ(lpb->short_name, "LPBank");
  EXPECT_FALSE(lpb->former_names.empty());
}

TEST(Banks, SharedCodePrefersTheBankVietQrLists) {
  EXPECT_EQ(resolved_bin("CIMB"), "422589");
  EXPECT_EQ(resolved_bin("MAFC"), "977777");
}

TEST(Banks, UnknownQueriesResolveToNothing) {
  EXPECT_EQ(resolve_bank(""), nullptr);
  EXPECT_EQ(resolve_bank("   "), nullptr);
  EXPECT_EQ(resolve_bank("999999"), nullptr);
  EXPECT_EQ(resolve_bank("no such bank"), nullptr);
  EXPECT_EQ(resolve_bank("\xff\xfe"), nullptr);
}

TEST(Banks, EveryBankResolvesByItsBinAndShortName) {
  for (const Bank& bank : banks()) {
    EXPECT_EQ(resolve_bank(bank.bin), &bank);
    const Bank* by_name = resolve_bank(bank.short_name);
    ASSERT_NE(by_name, nullptr) << bank.short_name;
  }
}

}  // namespace
}  // namespace chophien::qr
