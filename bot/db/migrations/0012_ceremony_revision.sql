-- A ceremony's revision: a counter bumped by every change to what its ballot shows (issue 17).
--
-- A ballot click reads the ceremony's categories, their nominees and which are logged (and
-- their winners): 103 categories and some 600 nominees at the 2014 Emmys, the same on every
-- click of every member until a host logs a result or edits the ceremony. The bot keeps that
-- layout in memory (bot/domain/ceremonies/layout.py) under the revision it was read at, and
-- reads only the ceremony's row (its revision with it) and the member's own picks per click.
--
-- The counter is kept by triggers on the four tables the layout is read from, in the writer's
-- own transaction, so no change can be made without it (the ceremony editor, an import, a
-- result logged, changed or undone, a category renamed or deleted, a ceremony's cascade).
-- The layout is read after the ceremony's row: if a change lands in between, the layout kept
-- is newer than its revision, and never used again (the ceremony already has a higher one).
ALTER TABLE ceremonies ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER ceremony_revision_category_in AFTER INSERT ON categories
BEGIN
    UPDATE ceremonies SET revision = revision + 1 WHERE id = NEW.ceremony_id;
END;
CREATE TRIGGER ceremony_revision_category_changed AFTER UPDATE ON categories
BEGIN
    UPDATE ceremonies SET revision = revision + 1 WHERE id IN (OLD.ceremony_id, NEW.ceremony_id);
END;
CREATE TRIGGER ceremony_revision_category_out AFTER DELETE ON categories
BEGIN
    UPDATE ceremonies SET revision = revision + 1 WHERE id = OLD.ceremony_id;
END;

CREATE TRIGGER ceremony_revision_nominee_in AFTER INSERT ON nominees
BEGIN
    UPDATE ceremonies SET revision = revision + 1
    WHERE id = (SELECT ceremony_id FROM categories WHERE id = NEW.category_id);
END;
CREATE TRIGGER ceremony_revision_nominee_changed AFTER UPDATE ON nominees
BEGIN
    UPDATE ceremonies SET revision = revision + 1
    WHERE id IN (SELECT ceremony_id FROM categories WHERE id IN (OLD.category_id, NEW.category_id));
END;
CREATE TRIGGER ceremony_revision_nominee_out AFTER DELETE ON nominees
BEGIN
    UPDATE ceremonies SET revision = revision + 1
    WHERE id = (SELECT ceremony_id FROM categories WHERE id = OLD.category_id);
END;

CREATE TRIGGER ceremony_revision_result_in AFTER INSERT ON results
BEGIN
    UPDATE ceremonies SET revision = revision + 1 WHERE id = NEW.ceremony_id;
END;
CREATE TRIGGER ceremony_revision_result_moved AFTER UPDATE OF ceremony_id, category_id ON results
BEGIN
    UPDATE ceremonies SET revision = revision + 1 WHERE id IN (OLD.ceremony_id, NEW.ceremony_id);
END;
CREATE TRIGGER ceremony_revision_result_out AFTER DELETE ON results
BEGIN
    UPDATE ceremonies SET revision = revision + 1 WHERE id = OLD.ceremony_id;
END;

CREATE TRIGGER ceremony_revision_winner_in AFTER INSERT ON result_winners
BEGIN
    UPDATE ceremonies SET revision = revision + 1
    WHERE id = (SELECT ceremony_id FROM results WHERE id = NEW.result_id);
END;
CREATE TRIGGER ceremony_revision_winner_changed AFTER UPDATE ON result_winners
BEGIN
    UPDATE ceremonies SET revision = revision + 1
    WHERE id IN (SELECT ceremony_id FROM results WHERE id IN (OLD.result_id, NEW.result_id));
END;
CREATE TRIGGER ceremony_revision_winner_out AFTER DELETE ON result_winners
BEGIN
    UPDATE ceremonies SET revision = revision + 1
    WHERE id = (SELECT ceremony_id FROM results WHERE id = OLD.result_id);
END;
