-- Leaderboards, their scheduled posts, the night's recap, and forgotten members.
--
-- The boards read the maintained totals of 0003 and 0004 (pledge_member_totals,
-- loss_totals, pick_stats) through their ranking indexes. A page is ten rows
-- after a cursor: an index seek. A rank is "how many listed members have a
-- better score": counting index entries for that costs O(rank) (5 ms per
-- 35,000 at 100,000 members), so this migration keeps a histogram of scores,
-- board_scores, maintained by triggers on those three tables in the same
-- transaction as the change; a rank is then a sum over the distinct better
-- scores (26 for losses, a few hundred for picks, the distinct totals for money).

-- Pickers rank by correct picks, then by fewer resolved picks (the better
-- accuracy), then by who got there first: an index in exactly that order lets a
-- page read ten entries.
CREATE INDEX pick_stats_board ON pick_stats (guild_id, scope, correct DESC, resolved, reached_at);

-- How many members hold each score, per server, scope and board; higher is better.
-- losers: losses (> 0); donors: total_cents (> 0); pickers: correct * 1000000 -
-- resolved, for members with at least 3 resolved picks (the board's minimum; keep
-- it equal to MIN_RESOLVED_PICKS in bot/domain/leaderboards/service.py). Members who left
-- are still counted here; the boards take them off (there are few).
CREATE TABLE board_scores (
    guild_id INTEGER NOT NULL,
    scope    INTEGER NOT NULL,
    board    TEXT    NOT NULL CHECK (board IN ('losers', 'donors', 'pickers')),
    score    INTEGER NOT NULL,
    members  INTEGER NOT NULL CHECK (members >= 0),   -- rows reaching 0 are deleted at once
    PRIMARY KEY (guild_id, scope, board, score)
) STRICT, WITHOUT ROWID;

INSERT INTO board_scores (guild_id, scope, board, score, members)
SELECT guild_id, scope, 'losers', losses, COUNT(*) FROM loss_totals WHERE losses > 0
GROUP BY guild_id, scope, losses;
INSERT INTO board_scores (guild_id, scope, board, score, members)
SELECT guild_id, scope, 'donors', total_cents, COUNT(*) FROM pledge_member_totals WHERE total_cents > 0
GROUP BY guild_id, scope, total_cents;
INSERT INTO board_scores (guild_id, scope, board, score, members)
SELECT guild_id, scope, 'pickers', correct * 1000000 - resolved, COUNT(*) FROM pick_stats WHERE resolved >= 3
GROUP BY guild_id, scope, correct * 1000000 - resolved;

-- Keeping board_scores in step with the three totals tables, in the writer's transaction.

CREATE TRIGGER board_scores_loss_totals_in AFTER INSERT ON loss_totals
WHEN NEW.losses > 0
BEGIN
    INSERT INTO board_scores (guild_id, scope, board, score, members)
    VALUES (NEW.guild_id, NEW.scope, 'losers', NEW.losses, 1)
    ON CONFLICT (guild_id, scope, board, score) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_scores_loss_totals_out AFTER DELETE ON loss_totals
WHEN OLD.losses > 0
BEGIN
    UPDATE board_scores SET members = members - 1
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND score = OLD.losses;
    DELETE FROM board_scores
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND score = OLD.losses AND members = 0;
END;

CREATE TRIGGER board_scores_loss_totals_moved AFTER UPDATE OF losses ON loss_totals
WHEN (OLD.losses > 0) IS NOT (NEW.losses > 0) OR OLD.losses != NEW.losses
BEGIN
    UPDATE board_scores SET members = members - 1
    WHERE OLD.losses > 0
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND score = OLD.losses;
    DELETE FROM board_scores
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND score = OLD.losses AND members = 0;
    INSERT INTO board_scores (guild_id, scope, board, score, members)
    SELECT NEW.guild_id, NEW.scope, 'losers', NEW.losses, 1 WHERE NEW.losses > 0
    ON CONFLICT (guild_id, scope, board, score) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_scores_pledge_member_totals_in AFTER INSERT ON pledge_member_totals
WHEN NEW.total_cents > 0
BEGIN
    INSERT INTO board_scores (guild_id, scope, board, score, members)
    VALUES (NEW.guild_id, NEW.scope, 'donors', NEW.total_cents, 1)
    ON CONFLICT (guild_id, scope, board, score) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_scores_pledge_member_totals_out AFTER DELETE ON pledge_member_totals
WHEN OLD.total_cents > 0
BEGIN
    UPDATE board_scores SET members = members - 1
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND score = OLD.total_cents;
    DELETE FROM board_scores
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND score = OLD.total_cents AND members = 0;
END;

CREATE TRIGGER board_scores_pledge_member_totals_moved AFTER UPDATE OF total_cents ON pledge_member_totals
WHEN (OLD.total_cents > 0) IS NOT (NEW.total_cents > 0) OR OLD.total_cents != NEW.total_cents
BEGIN
    UPDATE board_scores SET members = members - 1
    WHERE OLD.total_cents > 0
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND score = OLD.total_cents;
    DELETE FROM board_scores
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND score = OLD.total_cents AND members = 0;
    INSERT INTO board_scores (guild_id, scope, board, score, members)
    SELECT NEW.guild_id, NEW.scope, 'donors', NEW.total_cents, 1 WHERE NEW.total_cents > 0
    ON CONFLICT (guild_id, scope, board, score) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_scores_pick_stats_in AFTER INSERT ON pick_stats
WHEN NEW.resolved >= 3
BEGIN
    INSERT INTO board_scores (guild_id, scope, board, score, members)
    VALUES (NEW.guild_id, NEW.scope, 'pickers', NEW.correct * 1000000 - NEW.resolved, 1)
    ON CONFLICT (guild_id, scope, board, score) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_scores_pick_stats_out AFTER DELETE ON pick_stats
WHEN OLD.resolved >= 3
BEGIN
    UPDATE board_scores SET members = members - 1
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers' AND score = OLD.correct * 1000000 - OLD.resolved;
    DELETE FROM board_scores
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers'
      AND score = OLD.correct * 1000000 - OLD.resolved AND members = 0;
END;

CREATE TRIGGER board_scores_pick_stats_moved AFTER UPDATE OF correct, resolved ON pick_stats
WHEN (OLD.resolved >= 3) IS NOT (NEW.resolved >= 3)
  OR OLD.correct * 1000000 - OLD.resolved != NEW.correct * 1000000 - NEW.resolved
BEGIN
    UPDATE board_scores SET members = members - 1
    WHERE OLD.resolved >= 3
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers'
      AND score = OLD.correct * 1000000 - OLD.resolved;
    DELETE FROM board_scores
    WHERE guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers'
      AND score = OLD.correct * 1000000 - OLD.resolved AND members = 0;
    INSERT INTO board_scores (guild_id, scope, board, score, members)
    SELECT NEW.guild_id, NEW.scope, 'pickers', NEW.correct * 1000000 - NEW.resolved, 1 WHERE NEW.resolved >= 3
    ON CONFLICT (guild_id, scope, board, score) DO UPDATE SET members = members + 1;
END;

-- Members known to have left (the bot has no members intent, so only those the
-- bot was told about). Few, so a rank takes them off by reading them all; left_at
-- is in the index so that read never touches the members table itself.
CREATE INDEX members_left ON members (guild_id, user_id, left_at) WHERE left_at IS NOT NULL;

-- One row per scheduled leaderboard post: slot = floor((now - started_at) / interval).
-- Inserted with ON CONFLICT DO NOTHING in the unit that queues the post, so a
-- slot is posted once even across restarts or two processes. The interval is
-- part of the key: after a host changes it mid-show, slot numbers mean other
-- times, and the new interval's slots must not collide with the old ones.
CREATE TABLE leaderboard_posts (
    guild_id         INTEGER NOT NULL,
    ceremony_id      INTEGER NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes > 0),
    slot             INTEGER NOT NULL CHECK (slot >= 0),
    outbox_id        INTEGER,                       -- the queued post, set right after the claim
    posted_at        TEXT    NOT NULL,
    PRIMARY KEY (guild_id, ceremony_id, interval_minutes, slot)
) STRICT, WITHOUT ROWID;

-- The night's recap, queued once per ceremony (the key is what makes it once).
CREATE TABLE recaps (
    guild_id    INTEGER NOT NULL,
    ceremony_id INTEGER NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    outbox_id   INTEGER,                            -- the queued recap, set right after the claim
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, ceremony_id)
) STRICT, WITHOUT ROWID;

-- A member who used /privacy forget-me. Their pledges stay in the totals under
-- user id -id (a tombstone: never a Discord id, and unrelated to theirs), so
-- each forgotten member's money still adds up in one anonymous row. Nothing
-- here links back to who they were.
CREATE TABLE forgotten_members (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    forgotten_at TEXT    NOT NULL
) STRICT;
