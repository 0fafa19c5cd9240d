#include "core/users.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>

namespace chophien::core {

namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr size_t kTokenBytes = 32;  // 256 bits
constexpr size_t kTokenChars = 43;  // base64url of 32 bytes, unpadded
constexpr size_t kMinLoginChars = 3;
constexpr size_t kMaxLoginChars = 64;
constexpr size_t kMaxDisplayNameChars = 100;
constexpr size_t kMinPasswordBytes = 8;
constexpr size_t kMaxPasswordBytes = 128;
// Bounds accepted from a stored row or from options, so a tampered row cannot ask for gigabytes.
constexpr uint64_t kMaxScryptN = uint64_t{1} << 20;
constexpr int64_t kSessionTouchSeconds = 60;  // refresh last_seen_at at most once a minute

constexpr std::string_view kBadCredentials = "Tên đăng nhập hoặc mật khẩu không đúng";
constexpr std::string_view kBadSession = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn";

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]);
    int lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (bytes.size() - i == 1) {
    uint32_t v = byte(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (bytes.size() - i == 2) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

bool is_token_shaped(std::string_view token) {
  if (token.size() != kTokenChars) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

Result<std::string> random_bytes(size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    return Error{ErrorCode::internal, "Không tạo được số ngẫu nhiên", {}};
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// utf8proc_map with the given options; nullopt for invalid UTF-8.
std::optional<std::string> utf8_map(std::string_view text, int options) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | options));
  if (n < 0) return std::nullopt;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
}

std::optional<std::string> nfc(std::string_view text) { return utf8_map(text, UTF8PROC_COMPOSE); }

// The key a login is unique under and looked up by: NFC, then case folded (and recomposed).
std::optional<std::string> login_key_of(std::string_view login) {
  return utf8_map(login, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
}

template <typename F>
bool for_each_code_point(std::string_view text, F&& f) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return false;
    if (!f(cp)) return false;
    p += n;
    left -= n;
  }
  return true;
}

bool is_login_char(utf8proc_int32_t cp) {
  if (cp == '.' || cp == '_' || cp == '-' || cp == '@') return true;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ND:
      return true;
    default:
      return false;
  }
}

// A login as it is stored: NFC, checked against the rules of NewUser::login.
Result<std::string> normalize_login(std::string_view login) {
  auto normalized = nfc(login);
  if (!normalized) return invalid_input("Tên đăng nhập không phải UTF-8 hợp lệ", "login");
  size_t count = 0;
  bool allowed = for_each_code_point(*normalized, [&](utf8proc_int32_t cp) {
    ++count;
    return is_login_char(cp);
  });
  if (!allowed) {
    return invalid_input("Tên đăng nhập chỉ gồm chữ, số và các dấu . _ - @", "login");
  }
  if (count < kMinLoginChars || count > kMaxLoginChars) {
    return invalid_input("Tên đăng nhập phải dài từ 3 đến 64 ký tự", "login");
  }
  return *normalized;
}

Result<std::string> normalize_display_name(std::string_view name, std::string_view login) {
  auto normalized = nfc(name);
  if (!normalized) return invalid_input("Tên hiển thị không phải UTF-8 hợp lệ", "display_name");
  std::string& s = *normalized;
  auto not_space = [](unsigned char c) { return c != ' ' && c != '\t'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  size_t count = 0;
  bool printable = for_each_code_point(s, [&](utf8proc_int32_t cp) {
    ++count;
    auto category = utf8proc_category(cp);
    return category != UTF8PROC_CATEGORY_CC && category != UTF8PROC_CATEGORY_CF &&
           category != UTF8PROC_CATEGORY_ZL && category != UTF8PROC_CATEGORY_ZP;
  });
  if (!printable) return invalid_input("Tên hiển thị có ký tự điều khiển", "display_name");
  if (count > kMaxDisplayNameChars) {
    return invalid_input("Tên hiển thị dài quá 100 ký tự", "display_name");
  }
  if (s.empty()) return std::string(login);
  return s;
}

// The password as hashed: NFC, so the same word typed on different keyboards (precomposed or
// combining Vietnamese marks) gives the same hash. Checked against the policy when `login_key`
// is given (new passwords only).
Result<std::string> normalize_new_password(std::string_view password, std::string_view login_key) {
  auto normalized = nfc(password);
  if (!normalized) return invalid_input("Mật khẩu không phải UTF-8 hợp lệ", "password");
  if (normalized->size() < kMinPasswordBytes || normalized->size() > kMaxPasswordBytes) {
    return invalid_input("Mật khẩu phải dài từ 8 đến 128 byte", "password");
  }
  auto folded = login_key_of(*normalized);
  if (folded && *folded == login_key) {
    return invalid_input("Mật khẩu không được trùng tên đăng nhập", "password");
  }
  return *normalized;
}

std::string normalize_presented_password(std::string_view password) {
  auto normalized = nfc(password);
  return normalized ? *normalized : std::string(password);
}

Role role_from_column(std::string_view name) {
  auto role = parse_role(name);
  if (!role) throw std::logic_error("users.role holds an unknown role");
  return *role;
}

constexpr std::string_view kUserColumns =
    "u.id, u.login, u.display_name, u.role, u.producer_id, u.status, u.created_at, "
    "u.password_changed_at, u.must_change_password";
constexpr int kUserColumnCount = 9;

User read_user(const Statement& row, int first) {
  User user;
  user.id = row.column_int(first);
  user.login = row.column_text(first + 1);
  user.display_name = row.column_text(first + 2);
  user.role = role_from_column(row.column_text(first + 3));
  user.producer_id = row.column_optional_int(first + 4);
  user.status =
      row.column_text(first + 5) == "disabled" ? UserStatus::disabled : UserStatus::active;
  user.created_at = row.column_int(first + 6);
  user.password_changed_at = row.column_int(first + 7);
  user.must_change_password = row.column_int(first + 8) != 0;
  return user;
}

Error rate_limited_error(int64_t seconds) {
  int64_t minutes = (seconds + 59) / 60;
  return Error{
      ErrorCode::rate_limited,
      "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau " + std::to_string(minutes) + " phút",
      {}};
}

// The throttling key of one login from one address: the login key, a line feed (never part of
// a login or an address), the address.
std::string pair_key(std::string_view login_key, std::string_view client_addr) {
  std::string key(login_key);
  key += '\n';
  key += client_addr;
  return key;
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::admin:
      return "admin";
    case Role::officer:
      return "officer";
    case Role::producer:
      return "producer";
  }
  return "officer";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "admin") return Role::admin;
  if (name == "officer") return Role::officer;
  if (name == "producer") return Role::producer;
  return std::nullopt;
}

const char* user_status_name(UserStatus status) {
  return status == UserStatus::disabled ? "disabled" : "active";
}

Result<std::string> scrypt(std::string_view password, std::string_view salt,
                           const ScryptParams& params, size_t length) {
  if (params.n < 2 || params.n > kMaxScryptN || (params.n & (params.n - 1)) != 0) {
    return invalid_input("scrypt N must be a power of two between 2 and 2^20", "scrypt.n");
  }
  if (params.r < 1 || params.p < 1 || uint64_t{params.r} * params.p >= (uint64_t{1} << 30)) {
    return invalid_input("scrypt r and p must be positive with r * p < 2^30", "scrypt.r");
  }
  if (length < 1 || length > 1024) {
    return invalid_input("scrypt output length must be 1..1024 bytes", "scrypt.length");
  }
  // OpenSSL refuses work needing more than maxmem; allow exactly what these parameters need
  // (V: 128 * r * N bytes, B: 128 * r * p bytes) plus slack for its bookkeeping.
  uint64_t maxmem = 128 * uint64_t{params.r} * (params.n + 2) +
                    128 * uint64_t{params.r} * params.p + (uint64_t{1} << 20);
  std::string out(length, '\0');
  int ok = EVP_PBE_scrypt(password.data(), password.size(),
                          reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                          params.n, params.r, params.p, maxmem,
                          reinterpret_cast<unsigned char*>(out.data()), out.size());
  if (ok != 1) return Error{ErrorCode::internal, "scrypt failed", {}};
  return out;
}

struct Users::Credentials {
  ScryptParams params;
  std::string salt;  // raw bytes
  std::string hash;  // raw bytes
};

Users::Users(Database& db, const Clock& clock, UsersOptions options)
    : db_(db), clock_(clock), options_(options) {}

Result<Users::Credentials> Users::hash_password(std::string_view password) const {
  auto salt = random_bytes(kSaltBytes);
  if (!salt) return salt.error();
  auto hash = scrypt(password, *salt, options_.scrypt, kHashBytes);
  if (!hash) return hash.error();
  return Credentials{options_.scrypt, std::move(*salt), std::move(*hash)};
}

Result<bool> Users::verify_password(std::string_view password, const Credentials& stored) const {
  if (stored.hash.empty() || stored.hash.size() > 64) {
    return Error{ErrorCode::internal, "stored password hash has a bad length", {}};
  }
  auto computed = scrypt(password, stored.salt, stored.params, stored.hash.size());
  if (!computed) return Error{ErrorCode::internal, "stored scrypt parameters are unusable", {}};
  return CRYPTO_memcmp(computed->data(), stored.hash.data(), stored.hash.size()) == 0;
}

Result<User> Users::create_user(const NewUser& input) {
  auto login = normalize_login(input.login);
  if (!login) return login.error();
  auto key = login_key_of(*login);
  if (!key) return invalid_input("Tên đăng nhập không hợp lệ", "login");
  if (input.role == Role::producer && !input.producer_id) {
    return invalid_input("Người dùng vai trò producer phải gắn với một cơ sở sản xuất",
                         "producer_id");
  }
  if (input.role != Role::producer && input.producer_id) {
    return invalid_input("Chỉ người dùng vai trò producer mới gắn với cơ sở sản xuất",
                         "producer_id");
  }
  auto display_name = normalize_display_name(input.display_name, *login);
  if (!display_name) return display_name.error();
  auto password = normalize_new_password(input.password, *key);
  if (!password) return password.error();

  if (input.producer_id) {
    auto producer = db_.prepare("SELECT 1 FROM producers WHERE id = ?1");
    if (!producer) return producer.error();
    producer->bind(1, *input.producer_id);
    auto found = producer->step();
    if (!found) return found.error();
    if (!*found) {
      return Error{ErrorCode::not_found, "Không có cơ sở sản xuất này", "producer_id"};
    }
  }
  auto existing = find_user_by_login(*login);
  if (existing) return Error{ErrorCode::conflict, "Tên đăng nhập đã có người dùng", "login"};
  if (existing.error().code != ErrorCode::not_found) return existing.error();

  auto credentials = hash_password(*password);
  if (!credentials) return credentials.error();
  int64_t now = clock_.now();
  // The first-login rule is part of the insert, so two officers at once cannot both add one.
  auto insert = db_.prepare(R"sql(
    INSERT INTO users (login, login_key, display_name, role, producer_id, status, password_algo,
                       password_n, password_r, password_p, password_salt, password_hash,
                       created_at, password_changed_at, must_change_password)
    SELECT ?1, ?2, ?3, ?4, ?5, 'active', 'scrypt', ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12
    WHERE ?13 = 0 OR NOT EXISTS (SELECT 1 FROM users WHERE producer_id = ?5))sql");
  if (!insert) return insert.error();
  insert->bind(1, *login)
      .bind(2, *key)
      .bind(3, *display_name)
      .bind(4, role_name(input.role))
      .bind(5, input.producer_id)
      .bind(6, static_cast<int64_t>(credentials->params.n))
      .bind(7, static_cast<int64_t>(credentials->params.r))
      .bind(8, static_cast<int64_t>(credentials->params.p))
      .bind(9, to_hex(credentials->salt))
      .bind(10, to_hex(credentials->hash))
      .bind(11, now)
      .bind(12, int64_t{input.must_change_password ? 1 : 0})
      .bind(13, int64_t{input.only_first_login ? 1 : 0});
  auto inserted = insert->run();
  if (!inserted) {
    // Another connection created the same login between the check and the insert.
    if (inserted.error().code == ErrorCode::conflict) {
      return Error{ErrorCode::conflict, "Tên đăng nhập đã có người dùng", "login"};
    }
    return inserted.error();
  }
  if (db_.changes() == 0) {
    return Error{ErrorCode::forbidden,
                 "Cơ sở này đã có tài khoản; chỉ quản trị viên mới thêm được tài khoản khác",
                 "producer_id"};
  }
  return find_user(db_.last_insert_id());
}

int64_t Users::retry_after_at(const std::optional<std::string>& login_key,
                              std::string_view client_addr, int64_t now) {
  auto statement = db_.prepare(R"sql(
    SELECT failures, window_start, kind FROM login_failures
    WHERE (kind = 'pair' AND key = ?1) OR (kind = 'address' AND key = ?2))sql");
  // Storage trouble here must not lock people out; authenticate() will meet it again anyway.
  if (!statement) return 0;
  statement->bind(1, login_key ? pair_key(*login_key, client_addr) : std::string())
      .bind(2, client_addr);
  int64_t wait = 0;
  while (true) {
    auto row = statement->step();
    if (!row || !*row) break;
    int64_t failures = statement->column_int(0);
    int64_t window_end = statement->column_int(1) + options_.failure_window_seconds;
    bool is_pair = statement->column_text(2) == "pair";
    if (is_pair && !login_key) continue;
    int64_t limit = is_pair ? options_.max_failures_per_pair : options_.max_failures_per_address;
    if (failures >= limit && window_end > now) wait = std::max(wait, window_end - now);
  }
  return wait;
}

int64_t Users::login_retry_after(std::string_view login, std::string_view client_addr) {
  return retry_after_at(login_key_of(login), client_addr, clock_.now());
}

Result<void> Users::record_failure(const std::optional<std::string>& login_key,
                                   std::string_view client_addr, int64_t now) {
  auto transaction = db_.begin();
  if (!transaction) return transaction.error();
  if (auto counted = count_failure(login_key, client_addr, now); !counted) return counted;
  return transaction->commit();
}

Result<int64_t> Users::reserve_attempt(const std::optional<std::string>& login_key,
                                       std::string_view client_addr, int64_t now) {
  // The check and the count in one write transaction: attempts at the same moment (one
  // connection each, or several processes on the file) are counted one after the other.
  auto transaction = db_.begin();
  if (!transaction) return transaction.error();
  if (int64_t wait = retry_after_at(login_key, client_addr, now); wait > 0) return wait;
  if (auto counted = count_failure(login_key, client_addr, now); !counted) return counted.error();
  if (auto done = transaction->commit(); !done) return done.error();
  return int64_t{0};
}

Result<void> Users::count_failure(const std::optional<std::string>& login_key,
                                  std::string_view client_addr, int64_t now) {
  // One statement per key: a failure inside the window adds one, otherwise a new window starts.
  auto upsert = db_.prepare(R"sql(
    INSERT INTO login_failures (kind, key, failures, window_start) VALUES (?1, ?2, 1, ?3)
    ON CONFLICT (kind, key) DO UPDATE SET
      failures = CASE WHEN window_start + ?4 > ?3 THEN failures + 1 ELSE 1 END,
      window_start = CASE WHEN window_start + ?4 > ?3 THEN window_start ELSE ?3 END)sql");
  if (!upsert) return upsert.error();
  if (login_key) {
    upsert->bind(1, "pair")
        .bind(2, pair_key(*login_key, client_addr))
        .bind(3, now)
        .bind(4, options_.failure_window_seconds);
    if (auto done = upsert->run(); !done) return done;
    upsert->reset();
  }
  upsert->bind(1, "address")
      .bind(2, client_addr)
      .bind(3, now)
      .bind(4, options_.failure_window_seconds);
  if (auto done = upsert->run(); !done) return done;
  // Old windows are dead weight; the table stays the size of the last quarter hour's failures.
  auto prune = db_.prepare("DELETE FROM login_failures WHERE window_start + ?1 <= ?2");
  if (!prune) return prune.error();
  prune->bind(1, options_.failure_window_seconds).bind(2, now);
  return prune->run();
}

Result<Session> Users::authenticate(std::string_view login, std::string_view password,
                                    std::string_view client_addr) {
  int64_t now = clock_.now();
  // A login that cannot be valid is treated like an unknown one, but its failures are counted
  // only against the address (there is no sensible key to count them under).
  std::optional<std::string> key;
  if (auto normalized = normalize_login(login)) key = login_key_of(*normalized);

  // Counted as a failure before the slow check, and taken back when it succeeds: attempts made at
  // the same moment (one connection each) would otherwise all pass the throttle together.
  auto wait = reserve_attempt(key, client_addr, now);
  if (!wait) return wait.error();
  if (*wait > 0) return rate_limited_error(*wait);

  std::optional<User> user;
  std::optional<Credentials> stored;
  if (key) {
    auto statement = db_.prepare(std::string("SELECT ") + std::string(kUserColumns) + R"sql(,
        u.password_n, u.password_r, u.password_p, u.password_salt, u.password_hash
        FROM users u WHERE u.login_key = ?1)sql");
    if (!statement) return statement.error();
    statement->bind(1, *key);
    auto row = statement->step();
    if (!row) return row.error();
    if (*row) {
      user = read_user(*statement, 0);
      auto salt = from_hex(statement->column_text(kUserColumnCount + 3));
      auto hash = from_hex(statement->column_text(kUserColumnCount + 4));
      if (!salt || !hash) return Error{ErrorCode::internal, "stored password is corrupt", {}};
      stored = Credentials{
          ScryptParams{static_cast<uint64_t>(statement->column_int(kUserColumnCount)),
                       static_cast<uint32_t>(statement->column_int(kUserColumnCount + 1)),
                       static_cast<uint32_t>(statement->column_int(kUserColumnCount + 2))},
          std::move(*salt), std::move(*hash)};
    }
  }

  std::string presented = normalize_presented_password(password.substr(0, 4 * kMaxPasswordBytes));
  bool matches = false;
  if (stored) {
    auto verified = verify_password(presented, *stored);
    if (!verified) return verified.error();
    matches = *verified;
  } else {
    // Spend the same work as a real check so response time does not tell whether a login exists.
    static constexpr std::string_view kDummySalt = "chophien-no-user";
    auto dummy = scrypt(presented, kDummySalt, options_.scrypt, kHashBytes);
    if (!dummy) return dummy.error();
  }

  if (!matches) return Error{ErrorCode::unauthenticated, std::string(kBadCredentials), {}};
  if (user->status == UserStatus::disabled) {
    return Error{ErrorCode::forbidden, "Tài khoản đã bị khoá", {}};
  }

  if (auto forgotten = forget_attempt(*key, client_addr); !forgotten) return forgotten.error();

  // Upgrade a hash made with other parameters now that the password is known.
  if (!(stored->params == options_.scrypt)) {
    auto fresh = hash_password(presented);
    if (!fresh) return fresh.error();
    auto update = db_.prepare(R"sql(
      UPDATE users SET password_n = ?2, password_r = ?3, password_p = ?4, password_salt = ?5,
                       password_hash = ?6
      WHERE id = ?1)sql");
    if (!update) return update.error();
    update->bind(1, user->id)
        .bind(2, static_cast<int64_t>(fresh->params.n))
        .bind(3, static_cast<int64_t>(fresh->params.r))
        .bind(4, static_cast<int64_t>(fresh->params.p))
        .bind(5, to_hex(fresh->salt))
        .bind(6, to_hex(fresh->hash));
    if (auto done = update->run(); !done) return done.error();
  }
  if (auto pruned = prune_sessions(); !pruned) return pruned.error();
  return open_session(*user, now);
}

Result<Session> Users::open_session(const User& user, int64_t now) {
  auto token_bytes = random_bytes(kTokenBytes);
  if (!token_bytes) return token_bytes.error();
  auto csrf_bytes = random_bytes(kTokenBytes);
  if (!csrf_bytes) return csrf_bytes.error();
  Session session;
  session.token = base64url(*token_bytes);
  session.csrf_token = base64url(*csrf_bytes);
  session.user = user;
  int64_t absolute_end = now + options_.session_absolute_seconds;
  session.expires_at = std::min(absolute_end, now + options_.session_idle_seconds);
  auto insert = db_.prepare(R"sql(
    INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
    VALUES (?1, ?2, ?3, ?4, ?4, ?5))sql");
  if (!insert) return insert.error();
  insert->bind(1, sha256_hex(session.token))
      .bind(2, user.id)
      .bind(3, session.csrf_token)
      .bind(4, now)
      .bind(5, absolute_end);
  if (auto done = insert->run(); !done) return done.error();
  return session;
}

Result<Session> Users::find_session(std::string_view token) {
  Error rejected{ErrorCode::unauthenticated, std::string(kBadSession), {}};
  if (!is_token_shaped(token)) return rejected;
  int64_t now = clock_.now();
  std::string token_hash = sha256_hex(token);
  auto statement = db_.prepare(std::string("SELECT ") + std::string(kUserColumns) + R"sql(,
        s.id, s.csrf_token, s.last_seen_at, s.expires_at
        FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1)sql");
  if (!statement) return statement.error();
  statement->bind(1, token_hash);
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return rejected;
  User user = read_user(*statement, 0);
  int64_t session_id = statement->column_int(kUserColumnCount);
  std::string csrf = statement->column_text(kUserColumnCount + 1);
  int64_t last_seen = statement->column_int(kUserColumnCount + 2);
  int64_t absolute_end = statement->column_int(kUserColumnCount + 3);
  statement->reset();

  if (now >= absolute_end || now >= last_seen + options_.session_idle_seconds) {
    auto remove = db_.prepare("DELETE FROM sessions WHERE id = ?1");
    if (!remove) return remove.error();
    remove->bind(1, session_id);
    if (auto done = remove->run(); !done) return done.error();
    return rejected;
  }
  if (user.status != UserStatus::active) return rejected;
  if (now - last_seen >= kSessionTouchSeconds) {
    auto touch = db_.prepare("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1");
    if (!touch) return touch.error();
    touch->bind(1, session_id).bind(2, now);
    if (auto done = touch->run(); !done) return done.error();
    last_seen = now;
  }
  Session session;
  session.token = std::string(token);
  session.csrf_token = std::move(csrf);
  session.user = std::move(user);
  session.expires_at = std::min(absolute_end, last_seen + options_.session_idle_seconds);
  return session;
}

Result<void> Users::logout(std::string_view token) {
  if (!is_token_shaped(token)) return {};
  auto remove = db_.prepare("DELETE FROM sessions WHERE token_hash = ?1");
  if (!remove) return remove.error();
  remove->bind(1, sha256_hex(token));
  return remove->run();
}

bool Users::csrf_matches(const Session& session, std::string_view submitted) {
  if (session.csrf_token.empty() || submitted.size() != session.csrf_token.size()) return false;
  return CRYPTO_memcmp(session.csrf_token.data(), submitted.data(), submitted.size()) == 0;
}

Result<void> Users::clear_failures(const std::string& login_key, std::string_view client_addr) {
  auto clear = db_.prepare("DELETE FROM login_failures WHERE kind = 'pair' AND key = ?1");
  if (!clear) return clear.error();
  clear->bind(1, pair_key(login_key, client_addr));
  return clear->run();
}

Result<void> Users::forget_attempt(const std::string& login_key, std::string_view client_addr) {
  auto transaction = db_.begin();
  if (!transaction) return transaction.error();
  if (auto cleared = clear_failures(login_key, client_addr); !cleared) return cleared;
  auto give_back = db_.prepare(
      "UPDATE login_failures SET failures = failures - 1 "
      "WHERE kind = 'address' AND key = ?1 AND failures > 0");
  if (!give_back) return give_back.error();
  give_back->bind(1, client_addr);
  if (auto done = give_back->run(); !done) return done;
  return transaction->commit();
}

Result<void> Users::change_password(const Session& session, std::string_view current,
                                    std::string_view fresh, std::string_view client_addr) {
  const int64_t now = clock_.now();
  auto key = login_key_of(session.user.login);
  if (!key) return Error{ErrorCode::internal, "stored login is not UTF-8", {}};
  if (int64_t wait = retry_after_at(key, client_addr, now); wait > 0) {
    return rate_limited_error(wait);
  }
  auto statement = db_.prepare(R"sql(
    SELECT password_n, password_r, password_p, password_salt, password_hash FROM users
    WHERE id = ?1)sql");
  if (!statement) return statement.error();
  statement->bind(1, session.user.id);
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return not_found("Không có người dùng này");
  auto salt = from_hex(statement->column_text(3));
  auto hash = from_hex(statement->column_text(4));
  if (!salt || !hash) return Error{ErrorCode::internal, "stored password is corrupt", {}};
  Credentials stored{ScryptParams{static_cast<uint64_t>(statement->column_int(0)),
                                  static_cast<uint32_t>(statement->column_int(1)),
                                  static_cast<uint32_t>(statement->column_int(2))},
                     std::move(*salt), std::move(*hash)};
  statement->reset();
  const std::string presented =
      normalize_presented_password(current.substr(0, 4 * kMaxPasswordBytes));
  auto verified = verify_password(presented, stored);
  if (!verified) return verified.error();
  if (!*verified) {
    if (auto recorded = record_failure(key, client_addr, now); !recorded) return recorded.error();
    return Error{ErrorCode::unauthenticated, "Mật khẩu hiện tại không đúng", "current_password"};
  }
  auto password = normalize_new_password(fresh, *key);
  if (!password) return Error{password.error().code, password.error().message, "new_password"};
  if (*password == presented) {
    return invalid_input("Mật khẩu mới phải khác mật khẩu hiện tại", "new_password");
  }
  auto credentials = hash_password(*password);
  if (!credentials) return credentials.error();

  auto transaction = db_.begin_or_join();
  if (!transaction) return transaction.error();
  auto update = db_.prepare(R"sql(
    UPDATE users SET password_algo = 'scrypt', password_n = ?2, password_r = ?3, password_p = ?4,
                     password_salt = ?5, password_hash = ?6, password_changed_at = ?7,
                     must_change_password = 0
    WHERE id = ?1)sql");
  if (!update) return update.error();
  update->bind(1, session.user.id)
      .bind(2, static_cast<int64_t>(credentials->params.n))
      .bind(3, static_cast<int64_t>(credentials->params.r))
      .bind(4, static_cast<int64_t>(credentials->params.p))
      .bind(5, to_hex(credentials->salt))
      .bind(6, to_hex(credentials->hash))
      .bind(7, now);
  if (auto done = update->run(); !done) return done;
  // Whoever else knew the old password may hold a session: it ends; this one stays.
  auto end_others = db_.prepare("DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2");
  if (!end_others) return end_others.error();
  end_others->bind(1, session.user.id).bind(2, sha256_hex(session.token));
  if (auto done = end_others->run(); !done) return done;
  if (auto cleared = clear_failures(*key, client_addr); !cleared) return cleared;
  return transaction->commit();
}

Result<void> Users::reset_password(int64_t user_id, std::string_view new_password,
                                   bool must_change) {
  auto user = find_user(user_id);
  if (!user) return user.error();
  auto key = login_key_of(user->login);
  if (!key) return Error{ErrorCode::internal, "stored login is not UTF-8", {}};
  auto password = normalize_new_password(new_password, *key);
  if (!password) return password.error();
  auto credentials = hash_password(*password);
  if (!credentials) return credentials.error();

  auto transaction = db_.begin_or_join();
  if (!transaction) return transaction.error();
  auto update = db_.prepare(R"sql(
    UPDATE users SET password_algo = 'scrypt', password_n = ?2, password_r = ?3, password_p = ?4,
                     password_salt = ?5, password_hash = ?6, password_changed_at = ?7,
                     must_change_password = ?8
    WHERE id = ?1)sql");
  if (!update) return update.error();
  update->bind(1, user_id)
      .bind(2, static_cast<int64_t>(credentials->params.n))
      .bind(3, static_cast<int64_t>(credentials->params.r))
      .bind(4, static_cast<int64_t>(credentials->params.p))
      .bind(5, to_hex(credentials->salt))
      .bind(6, to_hex(credentials->hash))
      .bind(7, clock_.now())
      .bind(8, int64_t{must_change ? 1 : 0});
  if (auto done = update->run(); !done) return done;
  auto end_sessions = db_.prepare("DELETE FROM sessions WHERE user_id = ?1");
  if (!end_sessions) return end_sessions.error();
  end_sessions->bind(1, user_id);
  if (auto done = end_sessions->run(); !done) return done;
  // Every address's count for this login: the new password is a fresh start.
  auto clear = db_.prepare(
      "DELETE FROM login_failures WHERE kind = 'pair' AND key >= ?1 || char(10) AND "
      "key < ?1 || char(11)");
  if (!clear) return clear.error();
  clear->bind(1, *key);
  if (auto done = clear->run(); !done) return done;
  return transaction->commit();
}

Result<void> Users::set_status(int64_t user_id, UserStatus status) {
  auto transaction = db_.begin_or_join();
  if (!transaction) return transaction.error();
  auto update = db_.prepare("UPDATE users SET status = ?2 WHERE id = ?1");
  if (!update) return update.error();
  update->bind(1, user_id).bind(2, user_status_name(status));
  if (auto done = update->run(); !done) return done;
  if (db_.changes() == 0) return not_found("Không có người dùng này");
  if (status == UserStatus::disabled) {
    auto end_sessions = db_.prepare("DELETE FROM sessions WHERE user_id = ?1");
    if (!end_sessions) return end_sessions.error();
    end_sessions->bind(1, user_id);
    if (auto done = end_sessions->run(); !done) return done;
  }
  return transaction->commit();
}

Result<User> Users::find_user(int64_t user_id) {
  auto statement = db_.prepare(std::string("SELECT ") + std::string(kUserColumns) +
                               " FROM users u WHERE u.id = ?1");
  if (!statement) return statement.error();
  statement->bind(1, user_id);
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return not_found("Không có người dùng này");
  return read_user(*statement, 0);
}

Result<User> Users::find_user_by_login(std::string_view login) {
  auto key = login_key_of(login);
  if (!key) return not_found("Không có người dùng này");
  auto statement = db_.prepare(std::string("SELECT ") + std::string(kUserColumns) +
                               " FROM users u WHERE u.login_key = ?1");
  if (!statement) return statement.error();
  statement->bind(1, *key);
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return not_found("Không có người dùng này");
  return read_user(*statement, 0);
}

Result<std::vector<User>> Users::list_users() {
  auto statement = db_.prepare(std::string("SELECT ") + std::string(kUserColumns) +
                               " FROM users u ORDER BY u.login_key");
  if (!statement) return statement.error();
  std::vector<User> users;
  while (true) {
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    users.push_back(read_user(*statement, 0));
  }
  return users;
}

Result<int> Users::prune_sessions() {
  auto remove = db_.prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2");
  if (!remove) return remove.error();
  int64_t now = clock_.now();
  remove->bind(1, now).bind(2, now - options_.session_idle_seconds);
  if (auto done = remove->run(); !done) return done.error();
  return db_.changes();
}

}  // namespace chophien::core
