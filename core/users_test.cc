#include "core/users.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>

#include "core/clock.h"
#include "core/database.h"

namespace chophien::core {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

// Cheap parameters so the suite stays fast under sanitizers; production uses the defaults.
UsersOptions test_options() {
  UsersOptions options;
  options.scrypt = ScryptParams{1024, 8, 1};
  return options;
}

constexpr int64_t kStart = 1'750'000'000;  // June 2025

constexpr std::string_view kInsertProducer =
    "INSERT INTO producers (name, entity_type) VALUES ('HTX Miến dong Thử', 'cooperative')";

struct UsersTest : ::testing::Test {
  Database db_ = Database::open_in_memory().value();
  ManualClock clock_{kStart};
  Users users_{db_, clock_, test_options()};

  int64_t add_producer() {
    auto insert = db_.prepare(kInsertProducer);
    EXPECT_TRUE(insert.has_value());
    EXPECT_TRUE(insert->run().has_value());
    return db_.last_insert_id();
  }

  User add_officer(const std::string& login, const std::string& password) {
    return users_.create_user({login, password, Role::officer, std::nullopt, ""}).value();
  }

  std::string text_of(const std::string& sql, int64_t id) {
    auto statement = db_.prepare(sql);
    statement->bind(1, id);
    EXPECT_TRUE(statement->step().value());
    return statement->column_text(0);
  }

  int64_t count(const std::string& sql) {
    auto statement = db_.prepare(sql);
    EXPECT_TRUE(statement->step().value());
    return statement->column_int(0);
  }
};

// RFC 7914 section 12, third vector: an independent check that the wrapper passes the
// parameters through to the real scrypt.
TEST(Scrypt, MatchesRfc7914TestVector) {
  auto out = scrypt("password", "NaCl", ScryptParams{1024, 8, 16}, 64);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(hex(*out),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

TEST(Scrypt, MatchesRfc7914EmptyVector) {
  auto out = scrypt("", "", ScryptParams{16, 1, 1}, 64);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(hex(*out),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
}

TEST(Scrypt, RefusesParametersOutOfRange) {
  EXPECT_EQ(scrypt("pw", "salt", ScryptParams{1000, 8, 1}, 32).error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(scrypt("pw", "salt", ScryptParams{uint64_t{1} << 30, 8, 1}, 32).error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(scrypt("pw", "salt", ScryptParams{1024, 0, 1}, 32).error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(scrypt("pw", "salt", ScryptParams{1024, 8, 1}, 0).error().code,
            ErrorCode::invalid_input);
}

TEST(UsersOptions, DefaultsAreProductionStrength) {
  UsersOptions options;
  EXPECT_GE(options.scrypt.n, uint64_t{1} << 15);
  EXPECT_GE(options.scrypt.r, 8u);
  EXPECT_GE(options.scrypt.p, 1u);
}

TEST_F(UsersTest, RightPasswordOpensSessionAndWrongOneDoesNot) {
  User created = add_officer("can.bo", "mat-khau-dai");
  auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1");
  ASSERT_TRUE(session.has_value()) << session.error().message;
  EXPECT_EQ(session->user.id, created.id);
  EXPECT_EQ(session->user.role, Role::officer);
  EXPECT_EQ(session->token.size(), 43u);
  EXPECT_FALSE(session->csrf_token.empty());
  EXPECT_NE(session->csrf_token, session->token);

  auto wrong = users_.authenticate("can.bo", "mat-khau-sai", "10.0.0.1");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::unauthenticated);
}

TEST_F(UsersTest, StoresParametersAndSaltWithTheHash) {
  User user = add_officer("can.bo", "mat-khau-dai");
  auto row = db_.prepare(
      "SELECT password_algo, password_n, password_r, password_p, length(password_salt), "
      "length(password_hash) FROM users WHERE id = ?1");
  row->bind(1, user.id);
  ASSERT_TRUE(row->step().value());
  EXPECT_EQ(row->column_text(0), "scrypt");
  EXPECT_EQ(row->column_int(1), 1024);
  EXPECT_EQ(row->column_int(2), 8);
  EXPECT_EQ(row->column_int(3), 1);
  EXPECT_EQ(row->column_int(4), 32);  // 16 bytes, hex
  EXPECT_EQ(row->column_int(5), 64);  // 32 bytes, hex
}

TEST_F(UsersTest, SamePasswordGivesDifferentSaltsAndHashes) {
  User a = add_officer("mot.nguoi", "cung-mat-khau");
  User b = add_officer("hai.nguoi", "cung-mat-khau");
  const std::string salt = "SELECT password_salt FROM users WHERE id = ?1";
  const std::string hash = "SELECT password_hash FROM users WHERE id = ?1";
  EXPECT_NE(text_of(salt, a.id), text_of(salt, b.id));
  EXPECT_NE(text_of(hash, a.id), text_of(hash, b.id));
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE password_hash LIKE '%cung%'"), 0);
}

TEST_F(UsersTest, HashIsScryptOfThePasswordUnderTheStoredSalt) {
  User user = add_officer("can.bo", "mat-khau-dai");
  std::string salt_hex = text_of("SELECT password_salt FROM users WHERE id = ?1", user.id);
  std::string salt;
  for (size_t i = 0; i < salt_hex.size(); i += 2) {
    salt.push_back(static_cast<char>(std::stoi(salt_hex.substr(i, 2), nullptr, 16)));
  }
  auto expected = scrypt("mat-khau-dai", salt, ScryptParams{1024, 8, 1}, 32);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(text_of("SELECT password_hash FROM users WHERE id = ?1", user.id), hex(*expected));
}

TEST_F(UsersTest, StoresOnlyTheHashOfTheSessionToken) {
  add_officer("can.bo", "mat-khau-dai");
  auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value();
  EXPECT_EQ(count("SELECT count(*) FROM sessions"), 1);
  auto rows = db_.prepare("SELECT token_hash FROM sessions");
  ASSERT_TRUE(rows->step().value());
  std::string stored = rows->column_text(0);
  EXPECT_EQ(stored.size(), 64u);
  EXPECT_EQ(stored.find(session.token), std::string::npos);
  auto raw = db_.prepare("SELECT count(*) FROM sessions WHERE token_hash = ?1 OR csrf_token = ?1");
  raw->bind(1, session.token);
  ASSERT_TRUE(raw->step().value());
  EXPECT_EQ(raw->column_int(0), 0);

  auto found = users_.find_session(session.token);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->user.login, "can.bo");
  EXPECT_EQ(found->csrf_token, session.csrf_token);
}

TEST_F(UsersTest, SessionEndsAfterIdleLimit) {
  add_officer("can.bo", "mat-khau-dai");
  auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value();
  clock_.advance(11 * 3600);
  ASSERT_TRUE(users_.find_session(session.token).has_value());  // refreshes the idle timer
  clock_.advance(11 * 3600);
  ASSERT_TRUE(users_.find_session(session.token).has_value());
  clock_.advance(12 * 3600);
  auto expired = users_.find_session(session.token);
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, ErrorCode::unauthenticated);
  EXPECT_EQ(count("SELECT count(*) FROM sessions"), 0);
}

TEST_F(UsersTest, SessionEndsAfterAbsoluteLimitEvenWhenUsed) {
  add_officer("can.bo", "mat-khau-dai");
  auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value();
  for (int hour = 6; hour < 7 * 24; hour += 6) {
    clock_.advance(6 * 3600);
    ASSERT_TRUE(users_.find_session(session.token).has_value()) << "hour " << hour;
  }
  clock_.advance(6 * 3600);
  EXPECT_EQ(users_.find_session(session.token).error().code, ErrorCode::unauthenticated);
}

TEST_F(UsersTest, LogoutEndsTheSessionAndIsIdempotent) {
  add_officer("can.bo", "mat-khau-dai");
  auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value();
  ASSERT_TRUE(users_.logout(session.token).has_value());
  EXPECT_EQ(users_.find_session(session.token).error().code, ErrorCode::unauthenticated);
  EXPECT_TRUE(users_.logout(session.token).has_value());
}

TEST_F(UsersTest, CsrfTokenMustMatchExactly) {
  add_officer("can.bo", "mat-khau-dai");
  auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value();
  EXPECT_TRUE(Users::csrf_matches(session, session.csrf_token));
  std::string altered = session.csrf_token;
  altered[5] = altered[5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Users::csrf_matches(session, altered));
  EXPECT_FALSE(Users::csrf_matches(session, ""));
  EXPECT_FALSE(Users::csrf_matches(session, session.csrf_token + "x"));
}

TEST_F(UsersTest, SixthAttemptRefusedEvenWithRightPasswordUntilWindowEnds) {
  add_officer("can.bo", "mat-khau-dai");
  for (int i = 0; i < 5; ++i) {
    auto attempt = users_.authenticate("can.bo", "sai-mat-khau", "10.0.0.1");
    ASSERT_EQ(attempt.error().code, ErrorCode::unauthenticated) << i;
    clock_.advance(10);
  }
  auto refused = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::rate_limited);
  // The refused attempt was not judged: it did not count as another failure.
  EXPECT_EQ(users_.authenticate("can.bo", "sai-mat-khau", "10.0.0.1").error().code,
            ErrorCode::rate_limited);
  EXPECT_EQ(count("SELECT failures FROM login_failures WHERE kind = 'pair'"), 5);
  int64_t wait = users_.login_retry_after("can.bo", "10.0.0.1");
  EXPECT_EQ(wait, 15 * 60 - 50);
  // Another spelling of the same login is the same login.
  EXPECT_EQ(users_.authenticate("CAN.BO", "mat-khau-dai", "10.0.0.1").error().code,
            ErrorCode::rate_limited);
  // Issue 17: the failures at 10.0.0.1 do not lock the account out at another address.
  EXPECT_EQ(users_.login_retry_after("can.bo", "10.0.0.2"), 0);
  EXPECT_TRUE(users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.2").has_value());

  clock_.advance(wait);
  EXPECT_EQ(users_.login_retry_after("can.bo", "10.0.0.1"), 0);
  auto allowed = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1");
  EXPECT_TRUE(allowed.has_value());
}

TEST_F(UsersTest, SuccessResetsTheLoginFailureCount) {
  add_officer("can.bo", "mat-khau-dai");
  for (int i = 0; i < 4; ++i) (void)users_.authenticate("can.bo", "sai-mat-khau", "10.0.0.1");
  ASSERT_TRUE(users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").has_value());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(users_.authenticate("can.bo", "sai-mat-khau", "10.0.0.1").error().code,
              ErrorCode::unauthenticated);
  }
  EXPECT_TRUE(users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").has_value());
}

TEST_F(UsersTest, ThrottlesOneAddressTryingManyLogins) {
  add_officer("can.bo", "mat-khau-dai");
  // Issue 17 raised the per-address limit (an office shares one address): count it from there.
  for (int i = 0; i < UsersOptions{}.max_failures_per_address; ++i) {
    EXPECT_EQ(
        users_.authenticate("khach" + std::to_string(i), "doan-bua-di", "203.0.113.9").error().code,
        ErrorCode::unauthenticated);
  }
  EXPECT_EQ(users_.authenticate("can.bo", "mat-khau-dai", "203.0.113.9").error().code,
            ErrorCode::rate_limited);
  EXPECT_TRUE(users_.authenticate("can.bo", "mat-khau-dai", "198.51.100.7").has_value());
}

TEST_F(UsersTest, UnknownLoginLooksLikeWrongPassword) {
  add_officer("can.bo", "mat-khau-dai");
  auto unknown = users_.authenticate("khong.co", "mat-khau-dai", "10.0.0.1");
  auto wrong = users_.authenticate("can.bo", "mat-khau-sai", "10.0.0.1");
  ASSERT_FALSE(unknown.has_value());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(unknown.error().code, wrong.error().code);
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_EQ(unknown.error().field, wrong.error().field);
}

TEST_F(UsersTest, DisabledUserCannotLogInAndLosesSessions) {
  User user = add_officer("can.bo", "mat-khau-dai");
  auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value();
  ASSERT_TRUE(users_.set_status(user.id, UserStatus::disabled).has_value());
  EXPECT_EQ(users_.find_session(session.token).error().code, ErrorCode::unauthenticated);
  EXPECT_EQ(users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").error().code,
            ErrorCode::forbidden);
  EXPECT_EQ(users_.authenticate("can.bo", "mat-khau-sai", "10.0.0.1").error().code,
            ErrorCode::unauthenticated);
  ASSERT_TRUE(users_.set_status(user.id, UserStatus::active).has_value());
  EXPECT_TRUE(users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").has_value());
  EXPECT_EQ(users_.set_status(9999, UserStatus::disabled).error().code, ErrorCode::not_found);
}

TEST_F(UsersTest, ResetPasswordReplacesItAndEndsSessions) {
  User user = add_officer("can.bo", "mat-khau-cu");
  auto session = users_.authenticate("can.bo", "mat-khau-cu", "10.0.0.1").value();
  clock_.advance(100);
  ASSERT_TRUE(users_.reset_password(user.id, "mat-khau-moi").has_value());
  EXPECT_EQ(users_.find_session(session.token).error().code, ErrorCode::unauthenticated);
  EXPECT_EQ(users_.authenticate("can.bo", "mat-khau-cu", "10.0.0.1").error().code,
            ErrorCode::unauthenticated);
  EXPECT_TRUE(users_.authenticate("can.bo", "mat-khau-moi", "10.0.0.1").has_value());
  EXPECT_EQ(users_.find_user(user.id)->password_changed_at, kStart + 100);
  EXPECT_EQ(users_.reset_password(user.id, "short").error().field, "password");
  EXPECT_EQ(users_.reset_password(4242, "mat-khau-moi").error().code, ErrorCode::not_found);
}

TEST_F(UsersTest, ProducerRoleRequiresAnExistingProducer) {
  auto missing = users_.create_user({"co.so", "mat-khau-dai", Role::producer, std::nullopt, ""});
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(missing.error().field, "producer_id");

  auto unknown = users_.create_user({"co.so", "mat-khau-dai", Role::producer, 777, ""});
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_EQ(unknown.error().field, "producer_id");

  int64_t producer = add_producer();
  auto officer = users_.create_user({"can.bo", "mat-khau-dai", Role::officer, producer, ""});
  EXPECT_EQ(officer.error().field, "producer_id");

  auto created =
      users_.create_user({"co.so", "mat-khau-dai", Role::producer, producer, "HTX Miến dong"});
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->producer_id, producer);
  EXPECT_EQ(created->display_name, "HTX Miến dong");
  EXPECT_EQ(created->created_at, kStart);
}

TEST_F(UsersTest, DuplicateLoginIgnoringCaseIsConflict) {
  add_officer("Nguyễn.An", "mat-khau-dai");
  auto duplicate = users_.create_user({"NGUYỄN.an", "khac-hoan-toan", Role::admin, {}, ""});
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::conflict);
  EXPECT_EQ(duplicate.error().field, "login");
  EXPECT_TRUE(users_.authenticate("nguyễn.AN", "mat-khau-dai", "10.0.0.1").has_value());
}

TEST_F(UsersTest, LoginIsStoredNfcAndMatchesDecomposedInput) {
  // "Lê" with U+0302 combining circumflex instead of the precomposed U+00EA.
  User user = add_officer("Le\xCC\x82.Hoa", "mat-khau-dai");
  EXPECT_EQ(user.login, "L\xC3\xAA.Hoa");
  EXPECT_TRUE(users_.authenticate("lê.hoa", "mat-khau-dai", "10.0.0.1").has_value());
  EXPECT_EQ(users_.find_user_by_login("LÊ.HOA")->id, user.id);
}

TEST_F(UsersTest, RejectsHostileOrMalformedInput) {
  auto field_of = [&](const NewUser& input) {
    auto result = users_.create_user(input);
    return result.has_value() ? std::string("accepted") : result.error().field;
  };
  EXPECT_EQ(field_of({"ab", "mat-khau-dai", Role::officer, {}, ""}), "login");
  EXPECT_EQ(field_of({std::string(65, 'a'), "mat-khau-dai", Role::officer, {}, ""}), "login");
  EXPECT_EQ(field_of({"a b c", "mat-khau-dai", Role::officer, {}, ""}), "login");
  EXPECT_EQ(field_of({"x'; DROP TABLE users;--", "mat-khau-dai", Role::officer, {}, ""}), "login");
  EXPECT_EQ(field_of({"abc\xff", "mat-khau-dai", Role::officer, {}, ""}), "login");
  EXPECT_EQ(field_of({std::string("ab\0c", 4), "mat-khau-dai", Role::officer, {}, ""}), "login");
  EXPECT_EQ(field_of({"admin\n", "mat-khau-dai", Role::officer, {}, ""}), "login");
  EXPECT_EQ(field_of({"can.bo", "1234567", Role::officer, {}, ""}), "password");
  EXPECT_EQ(field_of({"can.bo", std::string(129, 'x'), Role::officer, {}, ""}), "password");
  EXPECT_EQ(field_of({"can.bo", "CAN.BO.1", Role::officer, {}, ""}), "accepted");
  EXPECT_EQ(field_of({"nguoi.dung", "NGUOI.DUNG", Role::officer, {}, ""}), "password");
  EXPECT_EQ(field_of({"nguoi.dung", "mat\xc3khau-dai", Role::officer, {}, ""}), "password");
  EXPECT_EQ(field_of({"nguoi.dung", "mat-khau-dai", Role::officer, {}, "a\x01z"}), "display_name");
  EXPECT_EQ(field_of({"nguoi.dung", "mat-khau-dai", Role::officer, {}, std::string(101, 'n')}),
            "display_name");
  EXPECT_EQ(count("SELECT count(*) FROM users"), 1);

  // Sessions: garbage tokens are refused before any lookup, and nothing breaks.
  for (std::string token : {std::string(), std::string("' OR 1=1 --"), std::string(43, '*'),
                            std::string(100000, 'A'), std::string(43, 'A')}) {
    EXPECT_EQ(users_.find_session(token).error().code, ErrorCode::unauthenticated);
    EXPECT_TRUE(users_.logout(token).has_value());
  }
  // Logins that cannot exist, and absurd passwords, are just wrong credentials.
  EXPECT_EQ(users_.authenticate(std::string(10000, 'x'), "mat-khau", "10.0.0.9").error().code,
            ErrorCode::unauthenticated);
  EXPECT_EQ(users_.authenticate("can.bo", std::string(1 << 20, 'p'), "10.0.0.9").error().code,
            ErrorCode::unauthenticated);
  EXPECT_EQ(users_.authenticate("\xff\xfe", "", "").error().code, ErrorCode::unauthenticated);
}

TEST_F(UsersTest, UpgradesWeakerHashAtNextLogin) {
  User user = add_officer("can.bo", "mat-khau-dai");
  UsersOptions stronger = test_options();
  stronger.scrypt.n = 2048;
  Users upgraded{db_, clock_, stronger};
  ASSERT_TRUE(upgraded.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").has_value());
  EXPECT_EQ(text_of("SELECT password_n FROM users WHERE id = ?1", user.id), "2048");
  EXPECT_TRUE(upgraded.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").has_value());
  EXPECT_TRUE(users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").has_value());
}

TEST_F(UsersTest, ListsUsersByLogin) {
  add_officer("cuong", "mat-khau-dai");
  add_officer("Anh", "mat-khau-dai");
  add_officer("binh", "mat-khau-dai");
  auto users = users_.list_users();
  ASSERT_TRUE(users.has_value());
  ASSERT_EQ(users->size(), 3u);
  EXPECT_EQ((*users)[0].login, "Anh");
  EXPECT_EQ((*users)[1].login, "binh");
  EXPECT_EQ((*users)[2].login, "cuong");
}

TEST_F(UsersTest, TokensAreDistinct) {
  add_officer("can.bo", "mat-khau-dai");
  std::set<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    auto session = users_.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value();
    tokens.insert(session.token);
    tokens.insert(session.csrf_token);
  }
  EXPECT_EQ(tokens.size(), 40u);
}

TEST(UsersOnFile, SessionsAndThrottlingSurviveReopening) {
  std::string path = ::testing::TempDir() + "users_test_" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  ManualClock clock{kStart};
  std::string token;
  {
    Database db = Database::open(path).value();
    Users users{db, clock, test_options()};
    ASSERT_TRUE(
        users.create_user({"can.bo", "mat-khau-dai", Role::officer, std::nullopt, ""}).has_value());
    token = users.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").value().token;
    for (int i = 0; i < 5; ++i) (void)users.authenticate("can.bo", "sai-mat-khau", "10.0.0.1");
  }
  {
    Database db = Database::open(path).value();
    Users users{db, clock, test_options()};
    EXPECT_EQ(users.find_session(token)->user.login, "can.bo");
    EXPECT_EQ(users.authenticate("can.bo", "mat-khau-dai", "10.0.0.1").error().code,
              ErrorCode::rate_limited);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

}  // namespace
}  // namespace chophien::core
