-- Getting the night's nominees right (editing a ceremony, pasting a list, presets).
--
-- 1. A category is presented on the broadcast itself or at the Creative Arts
--    ceremonies: `telecast` (the emmys-2013/2014 files mark it; a host sets it with
--    `/ceremony add-category … telecast`). Every category so far is 0.
ALTER TABLE categories ADD COLUMN telecast INTEGER NOT NULL DEFAULT 0 CHECK (telecast IN (0, 1));

-- 2. A pasted list waiting for the host's Confirm: the parsed list as JSON, keyed by
--    the id the Confirm button carries, so what is imported is exactly what was
--    previewed (a button can't alter it) and survives a restart. A preview is used
--    once (confirming or cancelling deletes it) and expires (bot/domain/ceremonies/previews.py).
--    AUTOINCREMENT: an id is never reused, so an old button never finds a newer paste.
CREATE TABLE paste_previews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    ceremony_id INTEGER NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    parsed      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX paste_previews_by_age ON paste_previews (created_at);
