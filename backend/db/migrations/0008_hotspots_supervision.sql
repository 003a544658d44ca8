-- Hotspot levels (红黄蓝三级预警) and 挂牌督办 (a region flagged until it meets its exit bar).

-- A flag on a region: raised by a supervisor with a reason and a deadline, lifted (摘牌) once,
-- either because the region met its exit bar or by a supervisor's written override. Rows are
-- never deleted: the table is the region's history. The region's path is read from `regions`
-- at query time, so a region moved by a later import keeps its flags.
CREATE TABLE region_flags (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id     bigint NOT NULL REFERENCES regions (id),
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    deadline      date NOT NULL,
    flagged_by    bigint NOT NULL REFERENCES users (id),
    flagged_at    timestamptz NOT NULL,
    lifted_by     bigint REFERENCES users (id),
    lifted_at     timestamptz,
    lift_reason   text,
    lift_path     text CHECK (lift_path IN ('exit_bar', 'override')),
    -- What the exit bar measured when the flag was lifted (ratings, satisfaction, level).
    lift_measure  jsonb,
    CHECK ((lifted_at IS NULL) = (lift_path IS NULL)),
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
);
-- One active flag per region; the active ones are also what every case list looks up.
CREATE UNIQUE INDEX region_flags_active_idx ON region_flags (region_id) WHERE lifted_at IS NULL;
CREATE INDEX region_flags_history_idx ON region_flags (region_id, flagged_at DESC, id DESC);

-- Hotspot counts read the valid reports (not 不予受理, not merged duplicates) of a rolling
-- window: this index holds exactly those, by creation time, with what the grouping needs,
-- so a window is one index-only range scan whatever the table's size.
CREATE INDEX cases_valid_created_idx ON cases (created_at) INCLUDE (region_path, confidential)
    WHERE status NOT IN ('rejected', 'merged');

-- The exit bar counts the ratings given since a flag was raised, in the flagged subtree.
CREATE INDEX cases_rated_idx ON cases (rated_at) INCLUDE (region_path, rating)
    WHERE rating IS NOT NULL;
