-- What people did in the workspace, per producer: every change a producer, an officer (also on a
-- producer's behalf, in helper mode) or an administrator made through the pages. Append-only.
--   user_id      who acted (users are disabled, never deleted)
--   producer_id  whose data it touched (NULL for installation-wide actions)
--   on_behalf    1 when an officer or administrator acted for the producer in helper mode
--   action       a short key: product.create, order.fulfil, producer.update, ...
--   subject      what it touched, for people: "Miến dong 500 g", "CPAB12CDE"
CREATE TABLE workspace_actions (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id),
  producer_id INTEGER REFERENCES producers (id) ON DELETE CASCADE,
  on_behalf INTEGER NOT NULL DEFAULT 0 CHECK (on_behalf IN (0, 1)),
  action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
  subject TEXT NOT NULL DEFAULT '' CHECK (length(subject) <= 200)
);
CREATE INDEX workspace_actions_producer ON workspace_actions (producer_id, at);

CREATE TRIGGER workspace_actions_no_update BEFORE UPDATE ON workspace_actions
BEGIN
  SELECT RAISE(ABORT, 'workspace_actions is append-only');
END;
