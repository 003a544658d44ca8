-- Indexes for counting by category and by place.

-- The valid-cases index also holds each case's category: a period's reports of one category,
-- by hour of day and weekday (时段分布) or by place, are then one index-only range scan too.
-- The same name and predicate as before, so every reader of the old index reads this one.
DROP INDEX cases_valid_created_idx;
CREATE INDEX cases_valid_created_idx ON cases (created_at)
    INCLUDE (region_path, confidential, category_code)
    WHERE status NOT IN ('rejected', 'merged');

-- A place drawn today is filled with the cases already inside it: they are found by the H3
-- cells that cover its outline (then tested point by point), never by geometry in SQL.
CREATE INDEX cases_h3_r9_idx ON cases (h3_r9);
