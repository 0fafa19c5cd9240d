#pragma once
// People who sign in: administrators, officers and producers (a producer user is bound to one
// producer). Passwords are hashed with scrypt (OpenSSL) under a per-user random salt, with the
// parameters stored beside each hash; sessions are random bearer tokens of which only the SHA-256
// is stored; failed logins are counted per (login, client address) pair and, with a higher limit,
// per client address in the database, so throttling survives restarts and is shared by every
// process on the file. There is no count per login alone: typos from elsewhere never lock an
// account (the administrator's included) out of another address.
//
// A login whose password another person chose (an officer or administrator created it) carries
// must_change_password until its owner picks a new one with change_password().
//
// Errors are values: invalid_input (with `field`) for bad input, conflict for a duplicate login,
// not_found, unauthenticated (bad credentials, unknown or expired session), forbidden (a disabled
// account with the right password), rate_limited (too many failures: see login_retry_after()),
// unavailable/internal from storage or the crypto library.
//
// Thread-safety: a Users works on one Database connection and is used by one thread at a time,
// like the Database itself. Times are unix seconds from the Clock given at construction.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"

namespace chophien::core {

enum class Role { admin, officer, producer };
enum class UserStatus { active, disabled };

const char* role_name(Role role);  // "admin", "officer", "producer"
std::optional<Role> parse_role(std::string_view name);
const char* user_status_name(UserStatus status);  // "active", "disabled"

struct User {
  int64_t id = 0;
  std::string login;  // NFC, as entered at creation
  std::string display_name;
  Role role = Role::officer;
  std::optional<int64_t> producer_id;  // set exactly when role == producer
  UserStatus status = UserStatus::active;
  int64_t created_at = 0;
  int64_t password_changed_at = 0;
  bool must_change_password = false;  // set by someone else: change it before anything else
};

struct NewUser {
  std::string login;  // 3..64 characters: letters, digits, '.', '_', '-', '@'; unique ignoring case
  std::string password;  // 8..128 bytes of UTF-8, not the login
  Role role = Role::officer;
  std::optional<int64_t> producer_id;  // required for Role::producer, refused otherwise
  std::string display_name;            // optional (<= 100 characters); defaults to the login
  // Another person chose the password: the user must change it at first sign-in.
  bool must_change_password = false;
  // Refuse (forbidden, field producer_id) when the producer already has a login: what an officer
  // may create is a producer's first login only. Checked in the same statement as the insert.
  bool only_first_login = false;
};

// A signed-in user. `token` is the bearer token (cookie or Authorization header) and is known
// only to the client: the database keeps its SHA-256. Every form of the pages carries `csrf_token`.
struct Session {
  std::string token;
  std::string csrf_token;
  User user;
  int64_t expires_at = 0;  // when the session ends unless used again (idle or absolute limit)
};

// scrypt cost parameters (RFC 7914): N a power of two > 1, r and p >= 1.
struct ScryptParams {
  uint64_t n = uint64_t{1} << 15;  // 32 MiB of memory per hash with r = 8
  uint32_t r = 8;
  uint32_t p = 1;
  bool operator==(const ScryptParams&) const = default;
};

// scrypt(password, salt) -> `length` bytes (1..1024). invalid_input for parameters out of range
// (N not a power of two, N > 2^20, r * p >= 2^30), internal if OpenSSL fails.
Result<std::string> scrypt(std::string_view password, std::string_view salt,
                           const ScryptParams& params, size_t length);

struct UsersOptions {
  // Production strength by default. Tests lower it (e.g. N = 1024) to stay fast under sanitizers;
  // stored hashes keep their own parameters and are upgraded at the next successful login.
  ScryptParams scrypt;
  int64_t session_idle_seconds = 12 * 3600;
  int64_t session_absolute_seconds = 7 * 24 * 3600;
  // Throttling: after this many failures within the window, further attempts for that login from
  // that address (or any attempt from that address) are refused without looking at the password
  // until the window ends.
  int max_failures_per_pair = 5;
  int max_failures_per_address = 30;  // higher: a commune office shares one address
  int64_t failure_window_seconds = 15 * 60;
};

class Users {
 public:
  // `db` and `clock` must outlive this object.
  Users(Database& db, const Clock& clock, UsersOptions options = {});

  // Creates an active user. invalid_input (field login/password/role/producer_id/display_name),
  // conflict (field login) when the login exists ignoring case, not_found (field producer_id),
  // forbidden (field producer_id) under only_first_login when the producer has a login.
  Result<User> create_user(const NewUser& user);

  // Checks a login and password and opens a session. Refused with rate_limited before the
  // password is looked at when the (login, address) pair or the client address is throttled. An
  // unknown login costs the same hashing work as a known one and gives the same unauthenticated
  // error as a wrong password. A disabled account with the right password gives forbidden.
  // Success resets the pair's failure count (not the address's). A session opens even when the
  // user must change its password: the caller (storefront/auth.h) then allows nothing else.
  Result<Session> authenticate(std::string_view login, std::string_view password,
                               std::string_view client_addr);

  // The signed-in user's own change: `current` must be its password (unauthenticated otherwise,
  // counted and throttled like a failed sign-in from `client_addr`: rate_limited), `fresh` follows
  // the policy of creation (field new_password) and differs from `current` (invalid_input, field
  // new_password). Clears must_change_password and ends the user's other sessions; `session`
  // stays open. Nothing changes on an error.
  Result<void> change_password(const Session& session, std::string_view current,
                               std::string_view fresh, std::string_view client_addr);

  // Seconds until authenticate() would look at a password for this login and address again;
  // 0 when it would now. For the Retry-After header after rate_limited.
  int64_t login_retry_after(std::string_view login, std::string_view client_addr);

  // The session for a bearer token, refreshing its idle timer. unauthenticated when the token is
  // malformed, unknown, expired (the row is then deleted) or its user is disabled.
  Result<Session> find_session(std::string_view token);

  // Ends the session (deletes its row). Unknown tokens are not an error: logging out twice is fine.
  Result<void> logout(std::string_view token);

  // Constant-time comparison of a submitted CSRF token with the session's.
  static bool csrf_matches(const Session& session, std::string_view submitted);

  // Sets a new password (same policy as creation) and ends all of the user's sessions; with
  // `must_change` the user must then change it at its next sign-in (the password was chosen by
  // someone else), without it the flag is cleared. not_found for an unknown user. Joins a
  // transaction already open on the connection (so a caller can write its action-log record with
  // the change).
  Result<void> reset_password(int64_t user_id, std::string_view new_password,
                              bool must_change = false);

  // Disabling ends all of the user's sessions. not_found for an unknown user. Joins an open
  // transaction like reset_password().
  Result<void> set_status(int64_t user_id, UserStatus status);

  Result<User> find_user(int64_t user_id);
  Result<User> find_user_by_login(std::string_view login);  // ignoring case
  Result<std::vector<User>> list_users();                   // ordered by login

  // Deletes sessions past their idle or absolute limit; returns how many. Also run at each login.
  Result<int> prune_sessions();

 private:
  struct Credentials;
  Result<Credentials> hash_password(std::string_view password) const;
  Result<bool> verify_password(std::string_view password, const Credentials& stored) const;
  // In one transaction: the seconds to wait when throttled (nothing counted), else 0 with this
  // attempt counted as a failure (forget_attempt() takes it back when it succeeds).
  Result<int64_t> reserve_attempt(const std::optional<std::string>& login_key,
                                  std::string_view client_addr, int64_t now);
  // Inside a transaction: one more failure for the pair and the address.
  Result<void> count_failure(const std::optional<std::string>& login_key,
                             std::string_view client_addr, int64_t now);
  Result<void> record_failure(const std::optional<std::string>& login_key,
                              std::string_view client_addr, int64_t now);
  Result<void> clear_failures(const std::string& login_key, std::string_view client_addr);
  // After a sign-in that succeeded: its attempt, counted beforehand, is taken back from the
  // address and the pair's failures are forgotten.
  Result<void> forget_attempt(const std::string& login_key, std::string_view client_addr);
  int64_t retry_after_at(const std::optional<std::string>& login_key, std::string_view client_addr,
                         int64_t now);
  Result<Session> open_session(const User& user, int64_t now);

  Database& db_;
  const Clock& clock_;
  UsersOptions options_;
};

}  // namespace chophien::core
