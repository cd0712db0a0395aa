-- Leaderboard pages whose SQLite work does not grow with the board (issue 17).
--
-- 1. Each board in one ascending order. A board is ordered best first: score
--    descending, then reached_at, then user_id, ascending. As one ascending key
--    (board_order = minus the rank key, a VIRTUAL generated column: nothing stored,
--    nothing written), a page after (or before) a cursor is a single row-value range
--    seek, (board_order, reached_at, user_id) > (?, ?, ?), reading the rows it shows
--    and no others. Each index is partial, holding only the board's own rows (who is
--    on it: losses > 0, total_cents > 0, resolved >= 3), so a walk never crosses rows
--    that are not on the board (pickers with fewer than 3 decided picks used to be
--    walked by the hundred thousand).
--
-- 2. board_counts: how many LISTED members (not known to have left) hold each
--    score, at 6 levels of coarseness: level l counts the members whose
--    rank key >> (6 * l) equals bucket. A rank ("how many listed members
--    have a better score") is then a sum, at each level, over the buckets that
--    share the key's parent bucket (the next level's) and are better: at most
--    63 rows per level, whatever the board's size or the rank's depth,
--    and no departures to take off (0005's board_scores counts every member and
--    the ranks read all of those who left: 12,000 VM steps a rank at 100,000
--    members). Kept by triggers on the three totals tables and on members.left_at,
--    in the writer's transaction; tests/domain/leaderboards/test_board_counts.py
--    checks it equals a recount after every kind of change.
--    Keep SHIFT and LEVELS equal to BUCKET_SHIFT and BUCKET_LEVELS in
--    bot/domain/leaderboards/service.py.
ALTER TABLE loss_totals ADD COLUMN board_order INTEGER GENERATED ALWAYS AS (-losses) VIRTUAL;
CREATE INDEX loss_totals_board ON loss_totals (guild_id, scope, board_order, reached_at, user_id) WHERE losses > 0;
ALTER TABLE pledge_member_totals ADD COLUMN board_order INTEGER GENERATED ALWAYS AS (-total_cents) VIRTUAL;
CREATE INDEX pledge_member_totals_listing ON pledge_member_totals (guild_id, scope, board_order, reached_at, user_id) WHERE total_cents > 0;
ALTER TABLE pick_stats ADD COLUMN board_order INTEGER GENERATED ALWAYS AS (resolved - correct * 1000000) VIRTUAL;
CREATE INDEX pick_stats_listing ON pick_stats (guild_id, scope, board_order, reached_at, user_id) WHERE resolved >= 3;
-- Replaced by pick_stats_listing (nothing else reads it).
DROP INDEX pick_stats_board;

CREATE TABLE board_counts (
    guild_id INTEGER NOT NULL,
    scope    INTEGER NOT NULL,
    board    TEXT    NOT NULL CHECK (board IN ('losers', 'donors', 'pickers')),
    level    INTEGER NOT NULL CHECK (level BETWEEN 0 AND 5),
    bucket   INTEGER NOT NULL,                     -- rank key >> (6 * level); higher is better
    members  INTEGER NOT NULL CHECK (members >= 0), -- rows reaching 0 are deleted at once
    PRIMARY KEY (guild_id, scope, board, level, bucket)
) STRICT, WITHOUT ROWID;

INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
SELECT t.guild_id, t.scope, 'losers', l.column1, (t.losses) >> (6 * l.column1), COUNT(*)
FROM loss_totals t, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.losses > 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = t.guild_id AND m.user_id = t.user_id AND m.left_at IS NOT NULL)
GROUP BY 1, 2, 4, 5;
INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
SELECT t.guild_id, t.scope, 'donors', l.column1, (t.total_cents) >> (6 * l.column1), COUNT(*)
FROM pledge_member_totals t, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.total_cents > 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = t.guild_id AND m.user_id = t.user_id AND m.left_at IS NOT NULL)
GROUP BY 1, 2, 4, 5;
INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
SELECT t.guild_id, t.scope, 'pickers', l.column1, (t.correct * 1000000 - t.resolved) >> (6 * l.column1), COUNT(*)
FROM pick_stats t, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.resolved >= 3 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = t.guild_id AND m.user_id = t.user_id AND m.left_at IS NOT NULL)
GROUP BY 1, 2, 4, 5;

CREATE TRIGGER board_counts_loss_totals_in AFTER INSERT ON loss_totals
WHEN NEW.losses > 0
BEGIN
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT NEW.guild_id, NEW.scope, 'losers', column1, (NEW.losses) >> (6 * column1), 1 FROM (VALUES (0), (1), (2), (3), (4), (5))
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id AND m.left_at IS NOT NULL)
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_counts_loss_totals_out AFTER DELETE ON loss_totals
WHEN OLD.losses > 0
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = OLD.guild_id AND m.user_id = OLD.user_id AND m.left_at IS NOT NULL)
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.losses) >> (6 * level);
    DELETE FROM board_counts WHERE members = 0 AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.losses) >> (6 * level);
END;

CREATE TRIGGER board_counts_loss_totals_moved AFTER UPDATE OF losses, guild_id, scope, user_id ON loss_totals
WHEN (OLD.losses > 0) IS NOT (NEW.losses > 0) OR OLD.losses != NEW.losses
  OR OLD.guild_id != NEW.guild_id OR OLD.scope != NEW.scope OR OLD.user_id != NEW.user_id
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE OLD.losses > 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = OLD.guild_id AND m.user_id = OLD.user_id AND m.left_at IS NOT NULL)
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.losses) >> (6 * level);
    DELETE FROM board_counts WHERE members = 0 AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'losers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.losses) >> (6 * level);
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT NEW.guild_id, NEW.scope, 'losers', column1, (NEW.losses) >> (6 * column1), 1 FROM (VALUES (0), (1), (2), (3), (4), (5))
    WHERE NEW.losses > 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id AND m.left_at IS NOT NULL)
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_counts_pledge_member_totals_in AFTER INSERT ON pledge_member_totals
WHEN NEW.total_cents > 0
BEGIN
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT NEW.guild_id, NEW.scope, 'donors', column1, (NEW.total_cents) >> (6 * column1), 1 FROM (VALUES (0), (1), (2), (3), (4), (5))
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id AND m.left_at IS NOT NULL)
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_counts_pledge_member_totals_out AFTER DELETE ON pledge_member_totals
WHEN OLD.total_cents > 0
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = OLD.guild_id AND m.user_id = OLD.user_id AND m.left_at IS NOT NULL)
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND level BETWEEN 0 AND 5 AND bucket = (OLD.total_cents) >> (6 * level);
    DELETE FROM board_counts WHERE members = 0 AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND level BETWEEN 0 AND 5 AND bucket = (OLD.total_cents) >> (6 * level);
END;

CREATE TRIGGER board_counts_pledge_member_totals_moved AFTER UPDATE OF total_cents, guild_id, scope, user_id ON pledge_member_totals
WHEN (OLD.total_cents > 0) IS NOT (NEW.total_cents > 0) OR OLD.total_cents != NEW.total_cents
  OR OLD.guild_id != NEW.guild_id OR OLD.scope != NEW.scope OR OLD.user_id != NEW.user_id
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE OLD.total_cents > 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = OLD.guild_id AND m.user_id = OLD.user_id AND m.left_at IS NOT NULL)
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND level BETWEEN 0 AND 5 AND bucket = (OLD.total_cents) >> (6 * level);
    DELETE FROM board_counts WHERE members = 0 AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'donors' AND level BETWEEN 0 AND 5 AND bucket = (OLD.total_cents) >> (6 * level);
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT NEW.guild_id, NEW.scope, 'donors', column1, (NEW.total_cents) >> (6 * column1), 1 FROM (VALUES (0), (1), (2), (3), (4), (5))
    WHERE NEW.total_cents > 0 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id AND m.left_at IS NOT NULL)
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_counts_pick_stats_in AFTER INSERT ON pick_stats
WHEN NEW.resolved >= 3
BEGIN
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT NEW.guild_id, NEW.scope, 'pickers', column1, (NEW.correct * 1000000 - NEW.resolved) >> (6 * column1), 1 FROM (VALUES (0), (1), (2), (3), (4), (5))
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id AND m.left_at IS NOT NULL)
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_counts_pick_stats_out AFTER DELETE ON pick_stats
WHEN OLD.resolved >= 3
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = OLD.guild_id AND m.user_id = OLD.user_id AND m.left_at IS NOT NULL)
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.correct * 1000000 - OLD.resolved) >> (6 * level);
    DELETE FROM board_counts WHERE members = 0 AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.correct * 1000000 - OLD.resolved) >> (6 * level);
END;

CREATE TRIGGER board_counts_pick_stats_moved AFTER UPDATE OF correct, resolved, guild_id, scope, user_id ON pick_stats
WHEN (OLD.resolved >= 3) IS NOT (NEW.resolved >= 3) OR OLD.correct * 1000000 - OLD.resolved != NEW.correct * 1000000 - NEW.resolved
  OR OLD.guild_id != NEW.guild_id OR OLD.scope != NEW.scope OR OLD.user_id != NEW.user_id
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE OLD.resolved >= 3 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = OLD.guild_id AND m.user_id = OLD.user_id AND m.left_at IS NOT NULL)
      AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.correct * 1000000 - OLD.resolved) >> (6 * level);
    DELETE FROM board_counts WHERE members = 0 AND guild_id = OLD.guild_id AND scope = OLD.scope AND board = 'pickers' AND level BETWEEN 0 AND 5 AND bucket = (OLD.correct * 1000000 - OLD.resolved) >> (6 * level);
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT NEW.guild_id, NEW.scope, 'pickers', column1, (NEW.correct * 1000000 - NEW.resolved) >> (6 * column1), 1 FROM (VALUES (0), (1), (2), (3), (4), (5))
    WHERE NEW.resolved >= 3 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.guild_id = NEW.guild_id AND m.user_id = NEW.user_id AND m.left_at IS NOT NULL)
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;

-- A member known to have left is off every board; coming back (or being deleted: forget-me) puts
-- whatever rows they still have back. Rare: each reads the member's rows scope by scope (a scope
-- is all time, 0, or one of the server's own ceremonies, which are never deleted).
CREATE TRIGGER board_counts_member_left AFTER UPDATE OF left_at ON members
WHEN OLD.left_at IS NULL AND NEW.left_at IS NOT NULL
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE guild_id = NEW.guild_id AND board = 'losers' AND (scope, level, bucket) IN (
        SELECT t.scope, l.column1, (t.losses) >> (6 * l.column1)
        FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN loss_totals t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.losses > 0);
    UPDATE board_counts SET members = members - 1
    WHERE guild_id = NEW.guild_id AND board = 'donors' AND (scope, level, bucket) IN (
        SELECT t.scope, l.column1, (t.total_cents) >> (6 * l.column1)
        FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN pledge_member_totals t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.total_cents > 0);
    UPDATE board_counts SET members = members - 1
    WHERE guild_id = NEW.guild_id AND board = 'pickers' AND (scope, level, bucket) IN (
        SELECT t.scope, l.column1, (t.correct * 1000000 - t.resolved) >> (6 * l.column1)
        FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN pick_stats t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.resolved >= 3);
    DELETE FROM board_counts WHERE guild_id = NEW.guild_id AND members = 0;
END;

CREATE TRIGGER board_counts_member_back AFTER UPDATE OF left_at ON members
WHEN OLD.left_at IS NOT NULL AND NEW.left_at IS NULL
BEGIN
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT t.guild_id, t.scope, 'losers', l.column1, (t.losses) >> (6 * l.column1), 1
    FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN loss_totals t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.losses > 0
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT t.guild_id, t.scope, 'donors', l.column1, (t.total_cents) >> (6 * l.column1), 1
    FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN pledge_member_totals t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.total_cents > 0
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT t.guild_id, t.scope, 'pickers', l.column1, (t.correct * 1000000 - t.resolved) >> (6 * l.column1), 1
    FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN pick_stats t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.resolved >= 3
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;

CREATE TRIGGER board_counts_member_arrived_gone AFTER INSERT ON members
WHEN NEW.left_at IS NOT NULL
BEGIN
    UPDATE board_counts SET members = members - 1
    WHERE guild_id = NEW.guild_id AND board = 'losers' AND (scope, level, bucket) IN (
        SELECT t.scope, l.column1, (t.losses) >> (6 * l.column1)
        FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN loss_totals t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.losses > 0);
    UPDATE board_counts SET members = members - 1
    WHERE guild_id = NEW.guild_id AND board = 'donors' AND (scope, level, bucket) IN (
        SELECT t.scope, l.column1, (t.total_cents) >> (6 * l.column1)
        FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN pledge_member_totals t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.total_cents > 0);
    UPDATE board_counts SET members = members - 1
    WHERE guild_id = NEW.guild_id AND board = 'pickers' AND (scope, level, bucket) IN (
        SELECT t.scope, l.column1, (t.correct * 1000000 - t.resolved) >> (6 * l.column1)
        FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = NEW.guild_id) s JOIN pick_stats t ON t.guild_id = NEW.guild_id AND t.scope = s.scope AND t.user_id = NEW.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.resolved >= 3);
    DELETE FROM board_counts WHERE guild_id = NEW.guild_id AND members = 0;
END;

CREATE TRIGGER board_counts_member_deleted_gone AFTER DELETE ON members
WHEN OLD.left_at IS NOT NULL
BEGIN
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT t.guild_id, t.scope, 'losers', l.column1, (t.losses) >> (6 * l.column1), 1
    FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = OLD.guild_id) s JOIN loss_totals t ON t.guild_id = OLD.guild_id AND t.scope = s.scope AND t.user_id = OLD.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.losses > 0
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT t.guild_id, t.scope, 'donors', l.column1, (t.total_cents) >> (6 * l.column1), 1
    FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = OLD.guild_id) s JOIN pledge_member_totals t ON t.guild_id = OLD.guild_id AND t.scope = s.scope AND t.user_id = OLD.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.total_cents > 0
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
    INSERT INTO board_counts (guild_id, scope, board, level, bucket, members)
    SELECT t.guild_id, t.scope, 'pickers', l.column1, (t.correct * 1000000 - t.resolved) >> (6 * l.column1), 1
    FROM (SELECT 0 AS scope UNION ALL SELECT id FROM ceremonies WHERE guild_id = OLD.guild_id) s JOIN pick_stats t ON t.guild_id = OLD.guild_id AND t.scope = s.scope AND t.user_id = OLD.user_id, (VALUES (0), (1), (2), (3), (4), (5)) l WHERE t.resolved >= 3
    ON CONFLICT (guild_id, scope, board, level, bucket) DO UPDATE SET members = members + 1;
END;
