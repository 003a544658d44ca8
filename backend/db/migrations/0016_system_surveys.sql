-- A key area's acceptance survey may be opened by the system (no person acting).
ALTER TABLE surveys ALTER COLUMN created_by DROP NOT NULL;
