-- The one-live-tax rule of 0006 guards every statement that can break it.
--
-- 0006 refuses an INSERT of a second live (not cancelled) winner's tax for a
-- member, server and category. An UPDATE can make one too: a cancelled tax made
-- live again (the status order of 0003 refuses that today; this rule must not
-- depend on it), or a live tax moved to another category or member. This
-- trigger refuses those the same way.
--
-- Only a tax that becomes live, or live under another key, is checked: a paid
-- duplicate that 0006 deliberately left alone may still be verified or
-- cancelled. And a forgotten member's pledges all move to one new tombstone id
-- together (bot/domain/pledges/privacy.py): whatever they held moves as it was,
-- such a duplicate included, so that move is no new second charge either.
CREATE TRIGGER pledges_one_tax_per_category_on_update BEFORE UPDATE OF status, category_id, user_id ON pledges
WHEN NEW.kind = 'winner_tax' AND NEW.status != 'cancelled'
  AND (OLD.status = 'cancelled' OR OLD.category_id IS NOT NEW.category_id OR OLD.user_id != NEW.user_id)
  AND NOT (NEW.user_id < 0 AND OLD.user_id >= 0)
  AND EXISTS (
      SELECT 1 FROM pledges
      WHERE guild_id = NEW.guild_id AND category_id = NEW.category_id AND user_id = NEW.user_id
        AND kind = 'winner_tax' AND status != 'cancelled' AND id != NEW.id
  )
BEGIN
    SELECT RAISE(ABORT, 'a member owes one winner''s tax per category: reuse the live one');
END;
