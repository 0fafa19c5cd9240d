-- Users, their sessions and the login throttling state.
-- Passwords: scrypt with a per-user random salt; the parameters are stored with each hash so
-- they can be raised later (a user's hash is upgraded at their next successful login).
-- Salt and hash are lower-case hex. Session tokens are stored only as their SHA-256 (hex).
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL,                      -- NFC, as entered
  login_key TEXT NOT NULL UNIQUE,           -- NFC + case folded: what uniqueness and lookups use
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'producer')),
  producer_id INTEGER REFERENCES producers (id),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  password_algo TEXT NOT NULL CHECK (password_algo = 'scrypt'),
  password_n INTEGER NOT NULL,
  password_r INTEGER NOT NULL,
  password_p INTEGER NOT NULL,
  password_salt TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  CHECK ((role = 'producer') = (producer_id IS NOT NULL))
);
CREATE INDEX users_producer ON users (producer_id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,          -- hex SHA-256 of the bearer token
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL               -- absolute end; the idle limit is applied on lookup
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed logins in the current window, per login key ('login') and per client address ('address').
CREATE TABLE login_failures (
  kind TEXT NOT NULL CHECK (kind IN ('login', 'address')),
  key TEXT NOT NULL,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX login_failures_window ON login_failures (window_start);
