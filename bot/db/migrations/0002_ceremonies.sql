-- Ceremonies and their nominations. One ceremony per server is current.

CREATE TABLE ceremonies (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'live', 'ended')),
    is_current  INTEGER NOT NULL DEFAULT 1 CHECK (is_current IN (0, 1)),
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    started_at  TEXT,
    ended_at    TEXT,
    start_channel_id INTEGER
) STRICT;
CREATE UNIQUE INDEX ceremonies_one_current ON ceremonies (guild_id) WHERE is_current = 1;
CREATE INDEX ceremonies_by_guild ON ceremonies (guild_id, id);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    ceremony_id INTEGER NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    UNIQUE (ceremony_id, name COLLATE NOCASE)
) STRICT;
CREATE INDEX categories_by_guild ON categories (guild_id, ceremony_id, position);

-- Each nomination is its own row: the same name may stand twice in a category
-- (Derek Hough, 2013 choreography). `label` tells such rows apart.
CREATE TABLE nominees (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    show        TEXT,
    episode     TEXT,
    label       TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    UNIQUE (category_id, label COLLATE NOCASE)
) STRICT;
CREATE INDEX nominees_by_category ON nominees (category_id, position);
CREATE INDEX nominees_by_guild ON nominees (guild_id);
