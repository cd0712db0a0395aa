-- Foundation: process state, per-server settings, members, the audit log, and
-- the outbox of announcements and role changes delivered by background senders.
-- Every table that holds server data carries guild_id. Times are UTC ISO-8601 text.

CREATE TABLE bot_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE guild_settings (
    guild_id                     INTEGER PRIMARY KEY,
    announcement_channel_id      INTEGER,
    leaderboard_channel_id       INTEGER,
    loser_role_id                INTEGER,
    host_role_id                 INTEGER,
    charity_name                 TEXT    NOT NULL DEFAULT 'World Wide Orphans',
    goal_cents                   INTEGER NOT NULL DEFAULT 3000000 CHECK (goal_cents > 0),
    winner_tax_cents             INTEGER NOT NULL DEFAULT 100000 CHECK (winner_tax_cents >= 0),
    leaderboard_interval_minutes INTEGER NOT NULL DEFAULT 15
                                 CHECK (leaderboard_interval_minutes BETWEEN 0 AND 1440),
    max_pledge_cents             INTEGER NOT NULL DEFAULT 10000000 CHECK (max_pledge_cents > 0),
    big_pledge_cents             INTEGER NOT NULL DEFAULT 100000 CHECK (big_pledge_cents >= 0),
    spoiler_safe                 INTEGER NOT NULL DEFAULT 0 CHECK (spoiler_safe IN (0, 1)),
    updated_at                   TEXT    NOT NULL
) STRICT;

-- A member as the bot has seen them (display name kept for boards and exports).
CREATE TABLE members (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    display_name TEXT    NOT NULL,
    first_seen   TEXT    NOT NULL,
    left_at      TEXT,
    PRIMARY KEY (guild_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    actor_id   INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_log_by_guild ON audit_log (guild_id, id DESC);

-- Announcements, written in the same transaction as the change they announce.
-- channel_id NULL means "the server's announcement channel at send time".
-- batch_id is set when rows are claimed into one message; a retry re-sends the
-- same batch with the same nonce, so Discord never shows it twice.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    batch_id        INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    sent_at         TEXT,
    message_id      INTEGER,
    failure         TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (guild_id, id) WHERE sent_at IS NULL AND failure IS NULL;

-- Role grants and removals, paced by their own sender so a result that sends
-- thousands of members to the lounge never blocks announcements.
CREATE TABLE role_queue (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('add', 'remove')),
    reason     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    done_at    TEXT,
    failure    TEXT
) STRICT;
CREATE INDEX role_queue_pending ON role_queue (id) WHERE done_at IS NULL AND failure IS NULL;

-- Problems hosts must hear about (a missing permission, a deleted channel), shown by
-- /settings show and posted once; cleared when the problem is gone.
CREATE TABLE guild_alerts (
    guild_id   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, key)
) STRICT, WITHOUT ROWID;
