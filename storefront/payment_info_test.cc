// The payment block: the producer's account, the amount due and a payload that decodes back.
#include "storefront/payment_info.h"

#include <gtest/gtest.h>

#include "qr/payload.h"

namespace chophien::storefront {
namespace {

core::Producer producer_with_account(std::string bin, std::string account) {
  core::Producer producer;
  producer.id = 7;
  producer.fields.name = "HTX Nông sản Bảo Lâm";
  producer.fields.bank = {std::move(bin), std::move(account), "HTX NONG SAN BAO LAM"};
  return producer;
}

core::Order pending_order(int64_t total, int64_t paid) {
  core::Order order;
  order.code = "CPK7Q2M9XA";
  order.producer_id = 7;
  order.total_vnd = total;
  order.paid_vnd = paid;
  return order;
}

TEST(PaymentInfo, HoldsTheAccountTheAmountAndTheCodeAsDescription) {
  auto info =
      payment_info(pending_order(240000, 0), producer_with_account("970436", "0011001234567"));
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->bin, "970436");
  EXPECT_EQ(info->bank, "Vietcombank");
  EXPECT_EQ(info->account, "0011001234567");
  EXPECT_EQ(info->holder, "HTX NONG SAN BAO LAM");
  EXPECT_EQ(info->amount_vnd, 240000);
  EXPECT_EQ(info->description, "CPK7Q2M9XA");
}

TEST(PaymentInfo, PayloadIsADynamicVietQrWithTheCodeAsPurpose) {
  auto info =
      payment_info(pending_order(240000, 0), producer_with_account("970436", "0011001234567"));
  ASSERT_TRUE(info.has_value());
  auto decoded = qr::decode(info->vietqr);
  ASSERT_TRUE(decoded.has_value()) << decoded.error->message;
  EXPECT_EQ(decoded.value->initiation, "dynamic");
  EXPECT_EQ(decoded.value->bin, "970436");
  EXPECT_EQ(decoded.value->account, "0011001234567");
  EXPECT_EQ(decoded.value->amount, 240000);
  EXPECT_EQ(decoded.value->purpose, "CPK7Q2M9XA");
}

TEST(PaymentInfo, AmountIsWhatIsStillDueAfterAPartPayment) {
  auto info = payment_info(pending_order(240000, 40000), producer_with_account("970436", "1234"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->amount_vnd, 200000);
  EXPECT_EQ(qr::decode(info->vietqr).value->amount, 200000);
}

TEST(PaymentInfo, ProducerWithoutAccountIsNotFound) {
  auto info = payment_info(pending_order(240000, 0), producer_with_account("", ""));
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::not_found);
}

TEST(PaymentInfo, AccountABankCannotTakeIsInvalidInput) {
  auto info = payment_info(pending_order(240000, 0),
                           producer_with_account("970436", "0011-00 12 34 56 78 90 12 34 56"));
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::invalid_input);
}

}  // namespace
}  // namespace chophien::storefront
