-- 定期访查: the report a unit owes for each month (places visited, problems found, or a 零报告
-- saying nothing was found), and its timeline.

-- One row per unit and month, made when the month has ended: the owner is a department, or a
-- street (街道/乡镇) when streets report too. `region_path` is the department's region or the
-- street itself, for scope in SQL. `due_at` is the first moment a filing is late (00:00 of
-- the day after the due day). `due → submitted` (filed before `due_at`) | `missing` (the
-- due time passed unfiled) → `late` (filed at or after `due_at`).
CREATE TABLE monthly_reports (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month                date NOT NULL CHECK (extract(day FROM month) = 1),
    owner_department_id  bigint REFERENCES departments (id),
    owner_region_id      bigint REFERENCES regions (id),
    region_id            bigint NOT NULL REFERENCES regions (id),
    region_path          text COLLATE "C" NOT NULL,
    due_at               timestamptz NOT NULL,
    state                text NOT NULL DEFAULT 'due'
                         CHECK (state IN ('due', 'submitted', 'late', 'missing')),
    places_visited       integer CHECK (places_visited >= 0),
    problems_found       integer CHECK (problems_found >= 0),
    -- 零报告: nothing found, filed all the same.
    zero_report          boolean,
    note                 text CHECK (length(note) <= 2000),
    submitted_by         bigint REFERENCES users (id),
    submitted_at         timestamptz,
    created_at           timestamptz NOT NULL,
    CHECK ((owner_department_id IS NULL) <> (owner_region_id IS NULL)),
    CHECK ((state IN ('submitted', 'late')) = (submitted_at IS NOT NULL)),
    CHECK (NOT zero_report OR problems_found = 0)
);
CREATE UNIQUE INDEX monthly_reports_department_idx ON monthly_reports (owner_department_id, month)
    WHERE owner_department_id IS NOT NULL;
CREATE UNIQUE INDEX monthly_reports_region_idx ON monthly_reports (owner_region_id, month)
    WHERE owner_region_id IS NOT NULL;
CREATE INDEX monthly_reports_scope_idx ON monthly_reports (region_path, month);
CREATE INDEX monthly_reports_month_idx ON monthly_reports (month, state);

-- Append-only: the report asked for (owe), filed (submit), 催办 (remind, which marks it
-- missing) and 督办 (supervise).
CREATE TABLE monthly_report_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id   bigint NOT NULL REFERENCES monthly_reports (id),
    region_id   bigint NOT NULL REFERENCES regions (id),
    at          timestamptz NOT NULL,
    actor_id    bigint REFERENCES users (id),
    action      text NOT NULL CHECK (action IN ('owe', 'submit', 'remind', 'supervise')),
    from_state  text,
    to_state    text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX monthly_report_events_report_idx ON monthly_report_events (report_id, at, id);

-- Worker performance counts the 处置 (resolve) each grid worker did in a period.
CREATE INDEX case_events_resolver_idx ON case_events (actor_id, at) WHERE action = 'resolve';
