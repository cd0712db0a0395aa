-- Pledges to the server's charity, and their totals.
--
-- Money is INTEGER cents. A pledge's amount, owner, ceremony, kind and anonymity
-- never change after it is written (a trigger refuses it); only its status moves:
-- pending -> paid -> verified, or pending/paid -> cancelled.
--
-- Totals are MAINTAINED by the triggers below, in the same transaction as the
-- change, so progress bars and leaderboards read a handful of rows and never
-- scan pledges. A "scope" is 0 for all-time, otherwise a ceremony id.

CREATE TABLE pledges (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    display_name   TEXT    NOT NULL,               -- as it was when the pledge was made
    ceremony_id    INTEGER,                        -- the current ceremony then; NULL = all-time only
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
    kind           TEXT    NOT NULL DEFAULT 'pledge' CHECK (kind IN ('pledge', 'winner_tax')),
    status         TEXT    NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'paid', 'verified', 'cancelled')),
    anonymous      INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    note           TEXT,
    interaction_id INTEGER UNIQUE,                 -- a redelivered interaction never counts twice
    category_id    INTEGER,                        -- winner's tax: the category won
    result_id      INTEGER,                        -- winner's tax: the result that charged it
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    cancelled_by   INTEGER,
    cancel_reason  TEXT,
    CHECK ((kind = 'winner_tax') = (result_id IS NOT NULL))
) STRICT;
CREATE INDEX pledges_by_member ON pledges (guild_id, user_id, id);
CREATE INDEX pledges_by_guild ON pledges (guild_id, id);
-- One live winner's tax per member per result: charging twice returns the first.
CREATE UNIQUE INDEX pledges_one_tax_per_result ON pledges (result_id, user_id)
    WHERE kind = 'winner_tax' AND status != 'cancelled';
CREATE INDEX pledges_by_result ON pledges (guild_id, result_id) WHERE result_id IS NOT NULL;

-- Per server per scope. The four status sums are exclusive of each other;
-- raised_cents = pending + paid + verified (everything not cancelled).
CREATE TABLE pledge_totals (
    guild_id       INTEGER NOT NULL,
    scope          INTEGER NOT NULL,
    raised_cents   INTEGER NOT NULL DEFAULT 0,
    pending_cents  INTEGER NOT NULL DEFAULT 0,
    paid_cents     INTEGER NOT NULL DEFAULT 0,     -- marked paid, not yet verified
    verified_cents INTEGER NOT NULL DEFAULT 0,
    pledge_count   INTEGER NOT NULL DEFAULT 0,     -- pledges not cancelled
    pledger_count  INTEGER NOT NULL DEFAULT 0,     -- members whose total is above zero
    PRIMARY KEY (guild_id, scope)
) STRICT, WITHOUT ROWID;

-- Per member per scope, for leaderboards. total_cents excludes cancelled pledges;
-- anonymous_cents is the part of it pledged anonymously (above zero: the board
-- shows the member as "Anonymous"). reached_at is when the total last went UP:
-- among equal totals, whoever got there first ranks higher.
CREATE TABLE pledge_member_totals (
    guild_id        INTEGER NOT NULL,
    scope           INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    total_cents     INTEGER NOT NULL,
    anonymous_cents INTEGER NOT NULL,
    pledge_count    INTEGER NOT NULL,
    reached_at      TEXT    NOT NULL,
    PRIMARY KEY (guild_id, scope, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX pledge_member_totals_board
    ON pledge_member_totals (guild_id, scope, total_cents DESC, reached_at);

-- Goal milestones already announced (25, 50, 75, 100, 200, 300 ... percent of
-- the goal), once each per scope: the unique key is what makes it "once".
CREATE TABLE pledge_milestones (
    guild_id     INTEGER NOT NULL,
    scope        INTEGER NOT NULL,
    percent      INTEGER NOT NULL,
    goal_cents   INTEGER NOT NULL,
    raised_cents INTEGER NOT NULL,
    pledge_id    INTEGER NOT NULL,
    reached_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, scope, percent)
) STRICT, WITHOUT ROWID;

-- Guard rails: what the totals rely on. (The owner may change, for a member who
-- asks to be forgotten: the trigger pledges_count_owner moves their totals.)
CREATE TRIGGER pledges_immutable BEFORE UPDATE OF guild_id, ceremony_id, amount_cents, kind, anonymous
ON pledges
BEGIN
    SELECT RAISE(ABORT, 'a pledge''s amount, server, ceremony, kind and anonymity never change');
END;

CREATE TRIGGER pledges_status_order BEFORE UPDATE OF status ON pledges
WHEN NOT (
    OLD.status = NEW.status
    OR (OLD.status = 'pending' AND NEW.status IN ('paid', 'cancelled'))
    OR (OLD.status = 'paid' AND NEW.status IN ('verified', 'cancelled'))
)
BEGIN
    SELECT RAISE(ABORT, 'pledge status may only move pending -> paid -> verified, or to cancelled');
END;

-- A new pledge: add it to its server's and its member's totals, all-time and
-- (when it has one) its ceremony's.
CREATE TRIGGER pledges_count_new AFTER INSERT ON pledges
WHEN NEW.status != 'cancelled'
BEGIN
    INSERT INTO pledge_totals
        (guild_id, scope, raised_cents, pending_cents, paid_cents, verified_cents, pledge_count, pledger_count)
    SELECT NEW.guild_id, scopes.scope, NEW.amount_cents,
           NEW.amount_cents * (NEW.status = 'pending'),
           NEW.amount_cents * (NEW.status = 'paid'),
           NEW.amount_cents * (NEW.status = 'verified'),
           1, 0
    FROM (SELECT 0 AS scope UNION ALL SELECT NEW.ceremony_id WHERE NEW.ceremony_id IS NOT NULL) AS scopes
    WHERE true
    ON CONFLICT (guild_id, scope) DO UPDATE SET
        raised_cents   = raised_cents + excluded.raised_cents,
        pending_cents  = pending_cents + excluded.pending_cents,
        paid_cents     = paid_cents + excluded.paid_cents,
        verified_cents = verified_cents + excluded.verified_cents,
        pledge_count   = pledge_count + 1;

    INSERT INTO pledge_member_totals
        (guild_id, scope, user_id, total_cents, anonymous_cents, pledge_count, reached_at)
    SELECT NEW.guild_id, scopes.scope, NEW.user_id, NEW.amount_cents, NEW.amount_cents * NEW.anonymous, 1,
           NEW.created_at
    FROM (SELECT 0 AS scope UNION ALL SELECT NEW.ceremony_id WHERE NEW.ceremony_id IS NOT NULL) AS scopes
    WHERE true
    ON CONFLICT (guild_id, scope, user_id) DO UPDATE SET
        total_cents     = total_cents + excluded.total_cents,
        anonymous_cents = anonymous_cents + excluded.anonymous_cents,
        pledge_count    = pledge_count + 1,
        reached_at      = excluded.reached_at;
END;

-- A status change moves the amount between the status sums; cancelling takes it
-- out of the totals. Only an increase moves reached_at.
CREATE TRIGGER pledges_count_status AFTER UPDATE OF status ON pledges
WHEN OLD.status != NEW.status
BEGIN
    UPDATE pledge_totals SET
        raised_cents   = raised_cents + NEW.amount_cents * ((NEW.status != 'cancelled') - (OLD.status != 'cancelled')),
        pending_cents  = pending_cents + NEW.amount_cents * ((NEW.status = 'pending') - (OLD.status = 'pending')),
        paid_cents     = paid_cents + NEW.amount_cents * ((NEW.status = 'paid') - (OLD.status = 'paid')),
        verified_cents = verified_cents + NEW.amount_cents * ((NEW.status = 'verified') - (OLD.status = 'verified')),
        pledge_count   = pledge_count + (NEW.status != 'cancelled') - (OLD.status != 'cancelled')
    WHERE guild_id = NEW.guild_id AND (scope = 0 OR scope = NEW.ceremony_id);

    UPDATE pledge_member_totals SET
        total_cents     = total_cents
                          + NEW.amount_cents * ((NEW.status != 'cancelled') - (OLD.status != 'cancelled')),
        anonymous_cents = anonymous_cents
                          + NEW.anonymous * NEW.amount_cents * ((NEW.status != 'cancelled') - (OLD.status != 'cancelled')),
        pledge_count    = pledge_count + (NEW.status != 'cancelled') - (OLD.status != 'cancelled'),
        reached_at      = CASE WHEN (NEW.status != 'cancelled') > (OLD.status != 'cancelled')
                               THEN NEW.updated_at ELSE reached_at END
    WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND (scope = 0 OR scope = NEW.ceremony_id)
      AND (NEW.status = 'cancelled') != (OLD.status = 'cancelled');
END;

-- A pledge handed to another owner (a forgotten member's tombstone id) moves
-- between the two members' totals; the server's totals do not change.
CREATE TRIGGER pledges_count_owner AFTER UPDATE OF user_id ON pledges
WHEN OLD.user_id != NEW.user_id AND NEW.status != 'cancelled'
BEGIN
    UPDATE pledge_member_totals SET
        total_cents     = total_cents - NEW.amount_cents,
        anonymous_cents = anonymous_cents - NEW.amount_cents * NEW.anonymous,
        pledge_count    = pledge_count - 1
    WHERE guild_id = NEW.guild_id AND user_id = OLD.user_id AND (scope = 0 OR scope = NEW.ceremony_id);

    INSERT INTO pledge_member_totals
        (guild_id, scope, user_id, total_cents, anonymous_cents, pledge_count, reached_at)
    SELECT NEW.guild_id, scopes.scope, NEW.user_id, NEW.amount_cents, NEW.amount_cents * NEW.anonymous, 1,
           NEW.updated_at
    FROM (SELECT 0 AS scope UNION ALL SELECT NEW.ceremony_id WHERE NEW.ceremony_id IS NOT NULL) AS scopes
    WHERE true
    ON CONFLICT (guild_id, scope, user_id) DO UPDATE SET
        total_cents     = total_cents + excluded.total_cents,
        anonymous_cents = anonymous_cents + excluded.anonymous_cents,
        pledge_count    = pledge_count + 1,
        reached_at      = MAX(reached_at, excluded.reached_at);
END;

-- Deleting a member's data keeps the totals true.
CREATE TRIGGER pledges_count_deleted AFTER DELETE ON pledges
WHEN OLD.status != 'cancelled'
BEGIN
    UPDATE pledge_totals SET
        raised_cents   = raised_cents - OLD.amount_cents,
        pending_cents  = pending_cents - OLD.amount_cents * (OLD.status = 'pending'),
        paid_cents     = paid_cents - OLD.amount_cents * (OLD.status = 'paid'),
        verified_cents = verified_cents - OLD.amount_cents * (OLD.status = 'verified'),
        pledge_count   = pledge_count - 1
    WHERE guild_id = OLD.guild_id AND (scope = 0 OR scope = OLD.ceremony_id);

    UPDATE pledge_member_totals SET
        total_cents     = total_cents - OLD.amount_cents,
        anonymous_cents = anonymous_cents - OLD.anonymous * OLD.amount_cents,
        pledge_count    = pledge_count - 1
    WHERE guild_id = OLD.guild_id AND user_id = OLD.user_id AND (scope = 0 OR scope = OLD.ceremony_id);
END;

-- The number of pledgers follows the member totals crossing zero.
CREATE TRIGGER pledge_member_totals_first AFTER INSERT ON pledge_member_totals
WHEN NEW.total_cents > 0
BEGIN
    UPDATE pledge_totals SET pledger_count = pledger_count + 1
    WHERE guild_id = NEW.guild_id AND scope = NEW.scope;
END;

CREATE TRIGGER pledge_member_totals_crossing AFTER UPDATE OF total_cents ON pledge_member_totals
WHEN (OLD.total_cents > 0) != (NEW.total_cents > 0)
BEGIN
    UPDATE pledge_totals SET pledger_count = pledger_count + CASE WHEN NEW.total_cents > 0 THEN 1 ELSE -1 END
    WHERE guild_id = NEW.guild_id AND scope = NEW.scope;
END;
