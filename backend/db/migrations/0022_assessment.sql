-- 考核: a scheme of indicators per year and region; a period's result, its scores per unit
-- (a region or a department), manual items, objections while it is posted (公示) and the
-- 约谈 of the lowest ranked.

CREATE TABLE assessment_schemes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id    bigint NOT NULL REFERENCES regions (id),
    region_path  text COLLATE "C" NOT NULL,
    year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- [{key, name, nameEn, weight, source, target, direction}]
    indicators   jsonb NOT NULL,
    created_by   bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    UNIQUE (region_id, year, name)
);
CREATE INDEX assessment_schemes_scope_idx ON assessment_schemes (region_path, year);

CREATE TABLE assessment_results (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scheme_id        bigint NOT NULL REFERENCES assessment_schemes (id),
    region_id        bigint NOT NULL REFERENCES regions (id),
    region_path      text COLLATE "C" NOT NULL,
    period_label     text NOT NULL,
    first_day        date NOT NULL,
    last_day         date NOT NULL,
    state            text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'posted', 'final')),
    computed_at      timestamptz NOT NULL,
    posted_at        timestamptz,
    objection_until  timestamptz,
    final_at         timestamptz,
    created_by       bigint NOT NULL REFERENCES users (id),
    CHECK (last_day >= first_day),
    CHECK ((state = 'draft') = (posted_at IS NULL)),
    CHECK ((posted_at IS NULL) = (objection_until IS NULL)),
    CHECK ((state = 'final') = (final_at IS NOT NULL)),
    UNIQUE (scheme_id, first_day, last_day)
);
CREATE INDEX assessment_results_scope_idx ON assessment_results (region_path, first_day);

-- A unit is a region (unit_region_id) or a department (unit_department_id), never both.
CREATE TABLE assessment_scores (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result_id           bigint NOT NULL REFERENCES assessment_results (id),
    region_id           bigint NOT NULL REFERENCES regions (id),
    region_path         text COLLATE "C" NOT NULL,
    unit_region_id      bigint REFERENCES regions (id),
    unit_department_id  bigint REFERENCES departments (id),
    total               double precision NOT NULL,
    rank                integer NOT NULL CHECK (rank >= 1),
    -- Per indicator: its points and the raw figure they came from, so a score can be checked.
    breakdown           jsonb NOT NULL,
    vetoed              boolean NOT NULL DEFAULT false,
    veto_reasons        text[] NOT NULL DEFAULT '{}',
    eligible            boolean NOT NULL,
    CHECK ((unit_region_id IS NULL) <> (unit_department_id IS NULL)),
    UNIQUE NULLS NOT DISTINCT (result_id, unit_region_id, unit_department_id)
);

CREATE TABLE assessment_manual_scores (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result_id           bigint NOT NULL REFERENCES assessment_results (id),
    region_id           bigint NOT NULL REFERENCES regions (id),
    region_path         text COLLATE "C" NOT NULL,
    unit_region_id      bigint REFERENCES regions (id),
    unit_department_id  bigint REFERENCES departments (id),
    indicator_key       text NOT NULL,
    points              double precision NOT NULL CHECK (points >= 0),
    reason              text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    set_by              bigint NOT NULL REFERENCES users (id),
    set_at              timestamptz NOT NULL,
    CHECK ((unit_region_id IS NULL) <> (unit_department_id IS NULL)),
    UNIQUE NULLS NOT DISTINCT (result_id, unit_region_id, unit_department_id, indicator_key)
);

-- 异议 raised by a unit's own staff while the result is posted, and its answer.
CREATE TABLE assessment_objections (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result_id           bigint NOT NULL REFERENCES assessment_results (id),
    region_id           bigint NOT NULL REFERENCES regions (id),
    region_path         text COLLATE "C" NOT NULL,
    unit_region_id      bigint REFERENCES regions (id),
    unit_department_id  bigint REFERENCES departments (id),
    text                text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    raised_by           bigint NOT NULL REFERENCES users (id),
    raised_at           timestamptz NOT NULL,
    answer              text CHECK (length(answer) BETWEEN 1 AND 2000),
    answered_by         bigint REFERENCES users (id),
    answered_at         timestamptz,
    CHECK ((unit_region_id IS NULL) <> (unit_department_id IS NULL)),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX assessment_objections_result_idx ON assessment_objections (result_id, id);

-- 约谈 of a unit at the bottom of a result: when, who was talked to, what was said.
CREATE TABLE assessment_interviews (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result_id           bigint NOT NULL REFERENCES assessment_results (id),
    region_id           bigint NOT NULL REFERENCES regions (id),
    region_path         text COLLATE "C" NOT NULL,
    unit_region_id      bigint REFERENCES regions (id),
    unit_department_id  bigint REFERENCES departments (id),
    at                  timestamptz NOT NULL,
    who                 text NOT NULL DEFAULT '' CHECK (length(who) <= 200),
    notes               text NOT NULL CHECK (length(notes) BETWEEN 1 AND 2000),
    recorded_by         bigint NOT NULL REFERENCES users (id),
    recorded_at         timestamptz NOT NULL,
    CHECK ((unit_region_id IS NULL) <> (unit_department_id IS NULL))
);
CREATE INDEX assessment_interviews_result_idx ON assessment_interviews (result_id, id);

-- The result's life, append-only: computed, manual item, posted, objection, answer, final, 约谈.
CREATE TABLE assessment_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result_id   bigint NOT NULL REFERENCES assessment_results (id),
    region_id   bigint NOT NULL REFERENCES regions (id),
    region_path text COLLATE "C" NOT NULL,
    at          timestamptz NOT NULL,
    actor_id    bigint NOT NULL REFERENCES users (id),
    action      text NOT NULL,
    state       text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX assessment_events_result_idx ON assessment_events (result_id, at, id);
