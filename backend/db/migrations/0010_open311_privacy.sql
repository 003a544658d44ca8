-- What the Open311 interface may publish, and what a hotline may file.
--
-- `public`: whether a category's requests appear in the Open311 read side at all. Disputes
-- (mediation) and leads (clues) name people and places that must not be published; they stay
-- off unless an admin turns them on. `photo_required_open311`: a call to the 12345 hotline has
-- no photo, so by default Open311 may file any category without one (the app still asks).
ALTER TABLE categories
    ADD COLUMN public                 boolean NOT NULL DEFAULT true,
    ADD COLUMN photo_required_open311 boolean NOT NULL DEFAULT false;
UPDATE categories SET public = false WHERE class IN ('mediation', 'clue') OR confidential;

-- The id a case is known by in public: random, so that no daily sequence shows how many
-- reports (clue reports among them) came in. The tracking number stays for staff and reporter.
ALTER TABLE cases
    ADD COLUMN public_id text NOT NULL DEFAULT translate(gen_random_uuid()::text, '-', '');
CREATE UNIQUE INDEX cases_public_id_key ON cases (public_id);
