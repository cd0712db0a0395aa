-- The ballot and the host's console (/ballot, /result console).
--
-- (`categories.telecast`, which `/ballot` shows by default, comes with 0008: a ceremony
-- that marks none (a CSV, an older file) shows every category instead.)

-- Where `/result console` posts its panel for every host to use; NULL: the panel is
-- shown to the host who asked for it only (ephemeral).
ALTER TABLE guild_settings ADD COLUMN host_channel_id INTEGER;

-- The outbox row of the announcement a result was logged with, so the console can
-- show whether it is still queued or already posted. NULL for results logged before.
ALTER TABLE results ADD COLUMN announcement_id INTEGER;
