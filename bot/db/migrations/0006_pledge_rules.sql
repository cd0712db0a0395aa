-- Two rules of 0003 made right.
--
-- 1. The winner's tax is owed once per win of a category, not once per result row.
--    An undo deletes a result and cancels its unpaid taxes, but a paid or verified
--    tax stays (the money changed hands); a re-log creates a new result id, and
--    the per-result key of 0003 (pledges_one_tax_per_result, kept) let it charge
--    the member a second time for the same win. From now on a member has at most
--    one live (not cancelled) winner's tax per server and category; a re-log, a tie
--    or a retry finds that one and charges nothing new (bot/domain/pledges/recording.py).
--
-- 2. Goal milestones are remembered per goal amount. 0003 keyed them by percent
--    alone, so once a host raised the goal, "100%" of the new goal had already
--    been "announced" for the old one and was never celebrated.

-- 1a. Repair what the old rule charged: a pending tax for a category in which the
--     same member already has a paid or verified tax, or an older pending one, is a
--     second charge for one win. (Paid or verified duplicates are left alone: that
--     money really arrived, and only a host can decide what it was for.) The
--     totals follow through the 0003 and 0005 triggers.
UPDATE pledges
SET status = 'cancelled',
    updated_at = strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000+00:00',
    cancel_reason = 'charged twice for one win'
WHERE kind = 'winner_tax' AND status = 'pending' AND category_id IS NOT NULL
  AND EXISTS (
      SELECT 1 FROM pledges AS other
      WHERE other.guild_id = pledges.guild_id AND other.category_id = pledges.category_id
        AND other.user_id = pledges.user_id AND other.kind = 'winner_tax' AND other.id != pledges.id
        AND (other.status IN ('paid', 'verified') OR (other.status = 'pending' AND other.id < pledges.id))
  );

-- 1b. The lookup the tax takes before charging (and the guard below): a few rows per server.
CREATE INDEX pledges_live_tax_by_category ON pledges (guild_id, category_id, user_id)
    WHERE kind = 'winner_tax' AND status != 'cancelled';

-- 1c. The rule itself, for new taxes. A trigger rather than a unique index: a unique
--     index would refuse to build over a member who (under the old rule) paid twice,
--     and that money must stay as it is. A cancelled status is final, so an insert
--     is the only way a second live tax could appear.
CREATE TRIGGER pledges_one_tax_per_category BEFORE INSERT ON pledges
WHEN NEW.kind = 'winner_tax' AND NEW.status != 'cancelled' AND EXISTS (
    SELECT 1 FROM pledges
    WHERE guild_id = NEW.guild_id AND category_id = NEW.category_id AND user_id = NEW.user_id
      AND kind = 'winner_tax' AND status != 'cancelled'
)
BEGIN
    SELECT RAISE(ABORT, 'a member owes one winner''s tax per category: reuse the live one');
END;

-- 2. Milestones already announced, once each per server, scope AND goal: a raised
--    goal (or a new one) has milestones of its own; going back to a goal already
--    celebrated announces nothing again. 0003 required goal_cents on every row, so
--    each one carries over with the goal it was announced for; the current setting
--    (then the default goal) only stands in for a row that somehow lacks one.
CREATE TABLE pledge_milestones_by_goal (
    guild_id     INTEGER NOT NULL,
    scope        INTEGER NOT NULL,
    goal_cents   INTEGER NOT NULL CHECK (goal_cents > 0),
    percent      INTEGER NOT NULL,
    raised_cents INTEGER NOT NULL,
    pledge_id    INTEGER NOT NULL,
    reached_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, scope, goal_cents, percent)
) STRICT, WITHOUT ROWID;

INSERT INTO pledge_milestones_by_goal (guild_id, scope, goal_cents, percent, raised_cents, pledge_id, reached_at)
SELECT m.guild_id, m.scope,
       CASE WHEN m.goal_cents > 0 THEN m.goal_cents
            ELSE COALESCE((SELECT g.goal_cents FROM guild_settings AS g WHERE g.guild_id = m.guild_id), 3000000)
       END,
       m.percent, m.raised_cents, m.pledge_id, m.reached_at
FROM pledge_milestones AS m
WHERE true
ON CONFLICT DO NOTHING;

DROP TABLE pledge_milestones;
ALTER TABLE pledge_milestones_by_goal RENAME TO pledge_milestones;
