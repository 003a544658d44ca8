-- 督导检查: inspections (明察/暗访) and their findings, the 问题台账 closed item by item (销号).

-- One visit of an inspection team to a region (and perhaps a department). `client_id` is the
-- filing phone's (or desk's) own id of the record, so a replay lands once per author;
-- `body_hash` tells a true replay from another inspection sent under the same id.
CREATE TABLE inspections (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id      uuid NOT NULL,
    created_by     bigint NOT NULL REFERENCES users (id),
    region_id      bigint NOT NULL REFERENCES regions (id),
    region_path    text COLLATE "C" NOT NULL,
    department_id  bigint REFERENCES departments (id),
    manner         text NOT NULL CHECK (manner IN ('open', 'covert')),
    plan           text NOT NULL CHECK (plan IN ('scheduled', 'random')),
    focus          text NOT NULL CHECK (focus IN ('special', 'general')),
    team           text NOT NULL CHECK (length(team) BETWEEN 1 AND 200),
    day            date NOT NULL,
    lat            double precision,
    lng            double precision,
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    body_hash      text NOT NULL,
    created_at     timestamptz NOT NULL,
    UNIQUE (created_by, client_id)
);
CREATE INDEX inspections_scope_idx ON inspections (region_path, created_at DESC, id DESC);
CREATE INDEX inspections_page_idx ON inspections (created_at DESC, id DESC);

-- A finding of an inspection: one responsible unit (a region or a department), perhaps a
-- named person, a deadline. `region_path` scopes it: the responsible region, or the
-- inspected region when a department answers for it. `reported_at` is the last 整改反馈,
-- `reopened` how many times the 复查 sent it back. `deadline` is the one owed now (a reopen
-- moves it); `first_deadline` the one set at filing, against which 按期 is measured.
CREATE TABLE findings (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id              bigint NOT NULL REFERENCES inspections (id),
    seq                        integer NOT NULL CHECK (seq >= 1),
    region_id                  bigint NOT NULL REFERENCES regions (id),
    region_path                text COLLATE "C" NOT NULL,
    text                       text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    category_code              text REFERENCES categories (code),
    responsible_region_id      bigint REFERENCES regions (id),
    responsible_path           text COLLATE "C",
    responsible_department_id  bigint REFERENCES departments (id),
    responsible_user_id        bigint REFERENCES users (id),
    deadline                   timestamptz NOT NULL,
    first_deadline             timestamptz NOT NULL,
    state                      text NOT NULL DEFAULT 'open' CHECK (state IN (
                                   'open', 'rectifying', 'reported', 'rechecked', 'closed',
                                   'reopened')),
    reported_at                timestamptz,
    closed_at                  timestamptz,
    reopened                   integer NOT NULL DEFAULT 0 CHECK (reopened >= 0),
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    UNIQUE (inspection_id, seq),
    CHECK ((responsible_region_id IS NULL) <> (responsible_department_id IS NULL)),
    CHECK ((responsible_region_id IS NULL) = (responsible_path IS NULL))
);
CREATE INDEX findings_scope_idx ON findings (region_path, id DESC);
CREATE INDEX findings_department_idx ON findings (responsible_department_id, id DESC)
    WHERE responsible_department_id IS NOT NULL;
CREATE INDEX findings_user_idx ON findings (responsible_user_id)
    WHERE responsible_user_id IS NOT NULL;
CREATE INDEX findings_deadline_idx ON findings (deadline);
CREATE INDEX findings_first_deadline_idx ON findings (first_deadline);

-- A finding's timeline, append-only: filing, each move, each 催办/督办. `client_id` makes a
-- move replayed from a phone's queue land once per actor.
CREATE TABLE finding_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    finding_id  bigint NOT NULL REFERENCES findings (id),
    region_id   bigint NOT NULL REFERENCES regions (id),
    at          timestamptz NOT NULL,
    actor_id    bigint REFERENCES users (id),
    actor_role  text NOT NULL,
    action      text NOT NULL,
    from_state  text,
    to_state    text NOT NULL,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    deadline    timestamptz,
    client_id   uuid,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX finding_events_finding_idx ON finding_events (finding_id, at, id);
CREATE UNIQUE INDEX finding_events_client_idx ON finding_events (actor_id, client_id)
    WHERE client_id IS NOT NULL;
