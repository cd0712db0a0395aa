-- The live night: results (with ties), claims, picks and losses, and the totals
-- the leaderboards read. Everything a result causes is recorded against its
-- result id, so `/result undo` can take exactly that back.

-- One row per category whose result is logged; a tie adds winners to the same row.
-- AUTOINCREMENT: a result id is never reused after an undo, so a stale "undo"
-- button or a winner's tax of the undone result can never point at the re-log.
CREATE TABLE results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    ceremony_id INTEGER NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL UNIQUE REFERENCES categories (id) ON DELETE CASCADE,
    logged_by   INTEGER NOT NULL,
    logged_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX results_by_ceremony ON results (guild_id, ceremony_id);

CREATE TABLE result_winners (
    result_id  INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    nominee_id INTEGER NOT NULL UNIQUE REFERENCES nominees (id) ON DELETE CASCADE,
    guild_id   INTEGER NOT NULL,
    added_by   INTEGER NOT NULL,
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (result_id, nominee_id)
) STRICT;

-- The lounge's guest list: every nominee of a logged category who did not win.
CREATE VIEW lounge_guests AS
SELECT r.guild_id, r.ceremony_id, r.category_id, r.id AS result_id, n.id AS nominee_id
FROM results r
JOIN nominees n ON n.category_id = r.category_id
WHERE NOT EXISTS (SELECT 1 FROM result_winners w WHERE w.nominee_id = n.id);

-- "This nominee is me". One member per nomination; a member may claim several.
CREATE TABLE claims (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    ceremony_id INTEGER NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    nominee_id  INTEGER NOT NULL UNIQUE REFERENCES nominees (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    claimed_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX claims_by_member ON claims (guild_id, user_id, ceremony_id);
CREATE INDEX claims_by_category ON claims (category_id);
CREATE INDEX claims_by_ceremony ON claims (guild_id, ceremony_id);

-- A member's prediction for a category; outcome is set when the result is logged
-- (which also locks the pick) and cleared by an undo.
CREATE TABLE picks (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    ceremony_id INTEGER NOT NULL REFERENCES ceremonies (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    nominee_id  INTEGER NOT NULL REFERENCES nominees (id) ON DELETE CASCADE,
    outcome     TEXT CHECK (outcome IN ('right', 'wrong')),
    picked_at   TEXT    NOT NULL,
    resolved_at TEXT,
    CHECK ((outcome IS NULL) = (resolved_at IS NULL)),
    UNIQUE (category_id, user_id)
) STRICT;
CREATE INDEX picks_by_member ON picks (guild_id, user_id, ceremony_id);
CREATE INDEX picks_by_nominee ON picks (nominee_id);
CREATE INDEX picks_by_ceremony ON picks (guild_id, ceremony_id);

-- Every loss, by source. 'claim' and 'pick' losses belong to a result and are
-- removed by its undo (or by a tie that makes their nominee a winner);
-- 'declared' ones belong to no result and no undo touches them.
-- ceremony_id is NULL for a declaration made when the server had no ceremony.
CREATE TABLE losses (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    ceremony_id INTEGER REFERENCES ceremonies (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('declared', 'claim', 'pick')),
    result_id   INTEGER REFERENCES results (id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    nominee_id  INTEGER REFERENCES nominees (id) ON DELETE SET NULL,
    note        TEXT,
    created_at  TEXT    NOT NULL,
    CHECK ((source = 'declared') = (result_id IS NULL))
) STRICT;
CREATE INDEX losses_by_member ON losses (guild_id, user_id, ceremony_id);
CREATE INDEX losses_by_result ON losses (result_id, nominee_id) WHERE result_id IS NOT NULL;
CREATE UNIQUE INDEX losses_one_per_claim ON losses (result_id, nominee_id, user_id) WHERE source = 'claim';
CREATE UNIQUE INDEX losses_one_per_pick ON losses (result_id, user_id) WHERE source = 'pick';

-- Maintained loss totals per member, for leaderboards and cards: scope 0 is
-- all-time, any other scope is a ceremony id. reached_at is when the member
-- reached this count (ties on the board go to whoever got there first).
-- A member with no losses in a scope has no row.
CREATE TABLE loss_totals (
    guild_id   INTEGER NOT NULL,
    scope      INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    losses     INTEGER NOT NULL CHECK (losses > 0),
    reached_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, scope, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX loss_totals_ranking ON loss_totals (guild_id, scope, losses DESC, reached_at);

-- Maintained pick records per member, same scopes: resolved picks and how many
-- were right. reached_at is when the member reached this number of correct
-- picks (or, with none correct, their first resolved pick). Only members with
-- at least one resolved pick have a row.
CREATE TABLE pick_stats (
    guild_id   INTEGER NOT NULL,
    scope      INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    correct    INTEGER NOT NULL CHECK (correct >= 0),
    resolved   INTEGER NOT NULL CHECK (resolved > 0 AND correct <= resolved),
    reached_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, scope, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX pick_stats_ranking ON pick_stats (guild_id, scope, correct DESC, reached_at);

-- The loser role as this bot gave it: a member holds a grant while they have
-- any loss (all-time). result_id is the result that first gave it (NULL: a
-- declaration). Undo and ties remove the role only where no loss is left.
CREATE TABLE loser_role_grants (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    result_id  INTEGER REFERENCES results (id) ON DELETE SET NULL,
    granted_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, role_id)
) STRICT, WITHOUT ROWID;
