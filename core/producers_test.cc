#include "core/producers.h"

#include <gtest/gtest.h>

#include <string>

namespace chophien::core {
namespace {

constexpr int64_t kJuly2025 = 1751328000;  // 2025-07-01T07:00:00+07:00
constexpr int64_t kMay2025 = 1746090000;   // 2025-05-01T16:00:00+07:00

ProducerFields sample() {
  ProducerFields f;
  f.name = "HTX Nông sản Bảo Lâm";
  f.entity_type = EntityType::cooperative;
  f.area_code = "01290";
  f.phone = "0912 345 678";
  f.address = "Thôn Nà Pồng, xã Bảo Lâm";
  // A receiving account belongs to one producer: each sample has its own.
  static int next_account = 0;
  f.bank = BankAccount{"970436", "00110012345" + std::to_string(10 + next_account++),
                       "HTX NONG SAN BAO LAM"};
  f.social.zalo = "0912345678";
  f.social.facebook = "https://facebook.com/htxbaolam";
  f.registration_no = "4800123456";
  f.representative = "Nông Văn Minh";
  f.ocop_registered_year = 2023;
  return f;
}

struct ProducersTest : ::testing::Test {
  ProducersTest() { areas_.load_default().value(); }
  Database db_ = Database::open_in_memory().value();
  AreaStore areas_{db_};
  ManualClock clock_{kJuly2025};
  ProducerStore producers_{db_, clock_};
};

TEST_F(ProducersTest, CreatesAndReadsBackAProducer) {
  auto created = producers_.create(sample());
  ASSERT_TRUE(created.has_value()) << created.error().message;
  auto got = producers_.get(created->id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->fields.name, "HTX Nông sản Bảo Lâm");
  EXPECT_EQ(got->fields.entity_type, EntityType::cooperative);
  EXPECT_EQ(got->fields.area_code, "01290");
  EXPECT_EQ(got->fields.area_valid_from, "2025-07-01");  // Xã Bảo Lâm, not Thị trấn Pác Miầu
  EXPECT_EQ(got->fields.phone, "0912345678");
  EXPECT_EQ(got->fields.bank.bin, "970436");
  EXPECT_EQ(got->fields.bank.holder, "HTX NONG SAN BAO LAM");
  EXPECT_EQ(got->fields.social.source, DeclaredBy::self_declared);
  EXPECT_EQ(got->fields.ocop_registered_year, 2023);
  EXPECT_EQ(got->fields.registered_at, kJuly2025);
  EXPECT_EQ(got->created_at, kJuly2025);
  EXPECT_EQ(got->updated_at, kJuly2025);
  EXPECT_EQ(got->fields.status, ProducerStatus::active);
  EXPECT_EQ(got->inactive_since, std::nullopt);
}

TEST_F(ProducersTest, AreaCodeResolvesToTheUnitValidWhenRegistered) {
  ProducerFields f = sample();
  f.registered_at = kMay2025;
  auto created = producers_.create(f);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->fields.area_valid_from, "1900-01-01");  // Thị trấn Pác Miầu
  f.area_code = "01309";                                     // Vĩnh Phong ceased on 1 July 2025
  f.registered_at.reset();
  auto too_late = producers_.create(f);
  ASSERT_FALSE(too_late.has_value());
  EXPECT_EQ(too_late.error().field, "area_code");
  f.area_valid_from = "1900-01-01";  // an explicit former unit is accepted
  f.bank = sample().bank;            // (an account belongs to one producer)
  EXPECT_TRUE(producers_.create(f).has_value());
  f.area_valid_from = "2024-01-01";
  EXPECT_EQ(producers_.create(f).error().field, "area_code");
}

TEST_F(ProducersTest, ValidationNamesTheField) {
  struct Case {
    void (*change)(ProducerFields&);
    const char* field;
  };
  const Case cases[] = {
      {[](ProducerFields& f) { f.name = "   "; }, "name"},
      {[](ProducerFields& f) { f.name = std::string(kMaxProducerName + 1, 'a'); }, "name"},
      {[](ProducerFields& f) { f.name = "bad \xff utf8"; }, "name"},
      {[](ProducerFields& f) { f.name = "overlong \xc0\xaf slash"; }, "name"},
      {[](ProducerFields& f) { f.name = "tab\tin name"; }, "name"},
      {[](ProducerFields& f) { f.area_code = ""; }, "area_code"},
      {[](ProducerFields& f) { f.area_code = "99999"; }, "area_code"},
      {[](ProducerFields& f) { f.area_code = "01290' OR 1=1 --"; }, "area_code"},
      {[](ProducerFields& f) { f.phone = "12345"; }, "phone"},
      {[](ProducerFields& f) { f.phone = "+1 415 555 0100"; }, "phone"},
      {[](ProducerFields& f) { f.phone = "0912abc678"; }, "phone"},
      {[](ProducerFields& f) { f.address = std::string(kMaxAddress + 1, 'x'); }, "address"},
      {[](ProducerFields& f) { f.bank.bin = "97043"; }, "bank.bin"},
      {[](ProducerFields& f) { f.bank.bin = "97043a"; }, "bank.bin"},
      {[](ProducerFields& f) { f.bank.account = ""; }, "bank.account"},
      {[](ProducerFields& f) { f.bank.account = std::string(20, '1'); }, "bank.account"},
      {[](ProducerFields& f) { f.bank.account = "0011-001"; }, "bank.account"},
      {[](ProducerFields& f) { f.bank.holder = ""; }, "bank.holder"},
      {[](ProducerFields& f) { f.social.tiktok = "\x01"; }, "social.tiktok"},
      {[](ProducerFields& f) { f.registration_no = "12;34"; }, "registration_no"},
      {[](ProducerFields& f) { f.ocop_registered_year = 2017; }, "ocop_registered_year"},
      {[](ProducerFields& f) { f.notes = std::string(kMaxNotes + 1, 'n'); }, "notes"},
  };
  for (const auto& c : cases) {
    ProducerFields f = sample();
    c.change(f);
    auto created = producers_.create(f);
    ASSERT_FALSE(created.has_value()) << c.field;
    EXPECT_EQ(created.error().code, ErrorCode::invalid_input) << c.field;
    EXPECT_EQ(created.error().field, c.field);
  }
  EXPECT_TRUE(producers_.list()->empty());
}

TEST_F(ProducersTest, NormalisesPhoneNumbers) {
  for (const char* phone : {"+84 912 345 678", "84912345678", "0912.345.678", "(091) 234-5678"}) {
    ProducerFields f = sample();
    f.phone = phone;
    auto created = producers_.create(f);
    ASSERT_TRUE(created.has_value()) << phone;
    EXPECT_EQ(created->fields.phone, "0912345678") << phone;
  }
  ProducerFields landline = sample();
  landline.phone = "0206 3870 123";
  EXPECT_EQ(producers_.create(landline)->fields.phone, "02063870123");
  ProducerFields none = sample();
  none.phone = "";
  EXPECT_EQ(producers_.create(none)->fields.phone, "");
}

TEST_F(ProducersTest, BankAccountIsAllOrNothing) {
  ProducerFields f = sample();
  f.bank = BankAccount{};
  auto created = producers_.create(f);
  ASSERT_TRUE(created.has_value());
  EXPECT_TRUE(created->fields.bank.empty());
  f.bank.holder = "NGUYEN VAN A";
  EXPECT_EQ(producers_.create(f).error().field, "bank.bin");
}

TEST_F(ProducersTest, BinCheckHookRejectsUnknownBanks) {
  ProducerStore checked(db_, clock_, [](std::string_view bin) { return bin == "970436"; });
  EXPECT_TRUE(checked.create(sample()).has_value());
  ProducerFields f = sample();
  f.bank.bin = "999999";
  auto created = checked.create(f);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().field, "bank.bin");
}

TEST_F(ProducersTest, StoresHostileTextVerbatimAndNfc) {
  ProducerFields f = sample();
  f.name = "Robert'); DROP TABLE producers;-- \"%_";
  f.notes = "Dòng 1\nDòng 2 -- ' OR '1'='1";
  f.address = "Mie\u0302\u0301n dong";  // decomposed
  auto created = producers_.create(f);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  auto got = producers_.get(created->id).value();
  EXPECT_EQ(got.fields.name, f.name);
  EXPECT_EQ(got.fields.notes, f.notes);
  EXPECT_EQ(got.fields.address, "Miến dong");
  EXPECT_EQ(producers_.list()->size(), 1u);
}

TEST_F(ProducersTest, UpdateReplacesFieldsAndTracksInactivity) {
  auto created = producers_.create(sample()).value();
  clock_.advance(3600);
  ProducerFields f = created.fields;
  f.name = "HTX Miến dong Bảo Lâm";
  f.social.source = DeclaredBy::officer;
  auto updated = producers_.update(created.id, f);
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(updated->fields.name, "HTX Miến dong Bảo Lâm");
  EXPECT_EQ(updated->fields.social.source, DeclaredBy::officer);
  EXPECT_EQ(updated->created_at, kJuly2025);
  EXPECT_EQ(updated->updated_at, kJuly2025 + 3600);
  EXPECT_EQ(updated->fields.registered_at, kJuly2025);

  clock_.advance(60);
  auto inactive = producers_.set_status(created.id, ProducerStatus::inactive);
  ASSERT_TRUE(inactive.has_value());
  EXPECT_EQ(inactive->inactive_since, kJuly2025 + 3660);
  clock_.advance(60);
  EXPECT_EQ(producers_.set_status(created.id, ProducerStatus::inactive)->inactive_since,
            kJuly2025 + 3660);
  EXPECT_EQ(producers_.set_status(created.id, ProducerStatus::active)->inactive_since,
            std::nullopt);

  ProducerFields bad = f;
  bad.name = "";
  EXPECT_EQ(producers_.update(created.id, bad).error().field, "name");
  EXPECT_EQ(producers_.get(created.id)->fields.name, "HTX Miến dong Bảo Lâm");
  EXPECT_EQ(producers_.update(created.id + 100, f).error().code, ErrorCode::not_found);
  EXPECT_EQ(producers_.get(created.id + 100).error().code, ErrorCode::not_found);
}

TEST_F(ProducersTest, ListFiltersByAreaTypeAndStatus) {
  ProducerFields a = sample();
  a.name = "B household";
  a.entity_type = EntityType::household_business;
  ProducerFields b = sample();
  b.name = "A cooperative";
  b.area_code = "01318";
  ProducerFields c = sample();
  c.name = "C enterprise";
  c.entity_type = EntityType::enterprise;
  c.status = ProducerStatus::inactive;
  ProducerFields d = sample();
  d.name = "D old township";
  d.registered_at = kMay2025;
  for (const auto& f : {a, b, c, d}) ASSERT_TRUE(producers_.create(f).has_value());

  auto all = producers_.list().value();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].fields.name, "A cooperative");
  ProducerFilter by_code;
  by_code.area_code = "01290";
  EXPECT_EQ(producers_.list(by_code)->size(), 3u);
  ProducerFilter by_unit;
  by_unit.area = AreaKey{"01290", "1900-01-01"};
  ASSERT_EQ(producers_.list(by_unit)->size(), 1u);
  EXPECT_EQ(producers_.list(by_unit)->front().fields.name, "D old township");
  ProducerFilter by_type;
  by_type.entity_type = EntityType::cooperative;
  EXPECT_EQ(producers_.list(by_type)->size(), 2u);
  ProducerFilter active;
  active.status = ProducerStatus::active;
  EXPECT_EQ(producers_.list(active)->size(), 3u);
  ProducerFilter page;
  page.limit = 2;
  page.offset = 3;
  ASSERT_EQ(producers_.list(page)->size(), 1u);
  EXPECT_EQ(producers_.list(page)->front().fields.name, "D old township");
  page.limit = 0;
  EXPECT_EQ(producers_.list(page).error().field, "limit");
  ProducerFilter hostile;
  hostile.area_code = "' OR 1=1 --";
  EXPECT_TRUE(producers_.list(hostile)->empty());
}

TEST(ProducerNames, RoundTripEnumNames) {
  for (auto t : {EntityType::enterprise, EntityType::cooperative, EntityType::cooperative_group,
                 EntityType::household_business}) {
    EXPECT_EQ(parse_entity_type(entity_type_name(t)), t);
  }
  EXPECT_EQ(parse_entity_type("Cooperative"), std::nullopt);
  EXPECT_EQ(parse_producer_status("inactive"), ProducerStatus::inactive);
  EXPECT_EQ(parse_declared_by("officer"), DeclaredBy::officer);
  EXPECT_EQ(parse_declared_by(""), std::nullopt);
}

TEST_F(ProducersTest, AReceivingAccountBelongsToOneProducer) {
  auto first = producers_.create(sample()).value();
  ProducerFields copy = sample();
  copy.bank = first.fields.bank;
  auto refused = producers_.create(copy);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_EQ(refused.error().field, "bank.account");
  auto second = producers_.create(sample()).value();
  ProducerFields changed = second.fields;
  changed.bank.account = first.fields.bank.account;
  EXPECT_EQ(producers_.update(second.id, changed).error().code, ErrorCode::conflict);
  EXPECT_EQ(producers_.get(second.id)->fields.bank.account, second.fields.bank.account);
  // The same number at another bank is another account; keeping one's own is no conflict.
  changed.bank.bin = "970418";
  EXPECT_TRUE(producers_.update(second.id, changed).has_value());
  first.fields.name = "HTX đổi tên";
  EXPECT_TRUE(producers_.update(first.id, first.fields).has_value());
}

}  // namespace
}  // namespace chophien::core
