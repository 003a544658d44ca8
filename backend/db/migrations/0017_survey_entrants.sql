-- Who may not enter staff-collected answers into a survey: for a key area's acceptance
-- survey, the people answerable for the area's plan, so they do not grade their own work.
ALTER TABLE surveys ADD COLUMN barred_entrants bigint[] NOT NULL DEFAULT '{}';
