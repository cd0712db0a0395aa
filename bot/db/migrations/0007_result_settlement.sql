-- A result is recorded and announced in one commit and settled in the next
-- (bot/domain/results.py): its picks' outcomes, losses, tallies, loser roles and
-- winner's tax follow in a second unit, so the announcement reaches the sender
-- without waiting for thousands of members' tallies to be recounted.
--
-- `unsettled` is 1 from the commit that records a result until the commit that
-- settles it. The settling unit runs right after the recording one; a result
-- left unsettled by a crash in between is settled when the bot starts, and
-- before any other result, tie or undo of its server. Every result written
-- before this migration (and any row inserted without the flag) is settled.
ALTER TABLE results ADD COLUMN unsettled INTEGER NOT NULL DEFAULT 0 CHECK (unsettled IN (0, 1));
CREATE INDEX results_unsettled ON results (guild_id, id) WHERE unsettled = 1;
