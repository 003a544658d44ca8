-- 重点地区排查整治: key areas from 排查 to 回头看, their plans, tasks, meetings and acceptance.

CREATE TABLE key_areas (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id        bigint NOT NULL UNIQUE REFERENCES places (id),
    -- The region that answers for the area (the street for a listing, the district for a
    -- flag), and its path: every read is scoped by it.
    region_id       bigint NOT NULL REFERENCES regions (id),
    region_path     text COLLATE "C" NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    area_type       text NOT NULL CHECK (area_type IN (
                        'urban_village', 'urban_fringe', 'old_estate', 'back_street',
                        'transport_hub', 'school_surroundings', 'entertainment', 'market',
                        'other')),
    problems        text NOT NULL DEFAULT '' CHECK (length(problems) <= 2000),
    problem_categories text[] NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'candidate' CHECK (state IN (
                        'candidate', 'proposed', 'listed', 'flagged', 'accepting', 'lifted',
                        'extended', 'watching', 'closed', 'relisted', 'dismissed')),
    level           text CHECK (level IN ('red', 'yellow', 'blue')),
    tier            text CHECK (tier IN ('street', 'district')),
    source          text NOT NULL CHECK (source IN ('level', 'staff', 'patrol', 'inspection')),
    deadline        date,
    -- What the area showed when it was listed or flagged: the baseline of before/after and
    -- of the recurrence alert ({"reports": n, "days": d, "alert": "red", "categories": {...}}).
    baseline        jsonb,
    listed_at       timestamptz,
    flagged_at      timestamptz,
    lifted_at       timestamptz,
    watch_until     timestamptz,
    created_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX key_areas_scope_idx ON key_areas (region_path, state);
CREATE INDEX key_areas_register_idx ON key_areas (updated_at DESC, id DESC);

-- The area's life, append-only: every transition and every step of its plan.
CREATE TABLE key_area_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id     bigint NOT NULL REFERENCES key_areas (id),
    region_id   bigint NOT NULL REFERENCES regions (id),
    at          timestamptz NOT NULL,
    actor_id    bigint REFERENCES users (id),
    actor_role  text NOT NULL,
    action      text NOT NULL,
    from_state  text,
    to_state    text NOT NULL,
    reason      text,
    media_ids   uuid[] NOT NULL DEFAULT '{}',
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX key_area_events_area_idx ON key_area_events (area_id, at, id);

-- 一地一策: who answers for the area and how it will be put right. A new plan (at an
-- extension or a relisting) replaces the current one; old plans stay as history.
CREATE TABLE key_area_plans (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id                 bigint NOT NULL REFERENCES key_areas (id),
    first_responsible_id    bigint NOT NULL REFERENCES users (id),
    direct_responsible_id   bigint NOT NULL REFERENCES users (id),
    lead_region_id          bigint REFERENCES regions (id),
    lead_department_id      bigint REFERENCES departments (id),
    cooperating_region_ids  bigint[] NOT NULL DEFAULT '{}',
    cooperating_department_ids bigint[] NOT NULL DEFAULT '{}',
    goals                   text NOT NULL CHECK (length(goals) BETWEEN 1 AND 2000),
    deadline                date NOT NULL,
    current                 boolean NOT NULL DEFAULT true,
    created_by              bigint NOT NULL REFERENCES users (id),
    created_at              timestamptz NOT NULL,
    CHECK ((lead_region_id IS NULL) <> (lead_department_id IS NULL))
);
CREATE UNIQUE INDEX key_area_plans_current_idx ON key_area_plans (area_id) WHERE current;

-- A task of the plan (倒排工期): a unit, a person, a measure, a due date. Its deadline is a
-- duty (subject_kind 'area_task'), watched by the one watcher.
CREATE TABLE key_area_tasks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id         bigint NOT NULL REFERENCES key_areas (id),
    plan_id         bigint NOT NULL REFERENCES key_area_plans (id),
    region_id       bigint NOT NULL REFERENCES regions (id),
    region_path     text COLLATE "C" NOT NULL,
    owner_id        bigint NOT NULL REFERENCES users (id),
    unit_region_id  bigint REFERENCES regions (id),
    unit_department_id bigint REFERENCES departments (id),
    kind            text NOT NULL DEFAULT 'measure' CHECK (kind IN ('measure', 'recheck')),
    measure         text NOT NULL CHECK (length(measure) BETWEEN 1 AND 1000),
    due_at          timestamptz NOT NULL,
    state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'done', 'cancelled')),
    accepted_at     timestamptz,
    done_at         timestamptz,
    created_at      timestamptz NOT NULL,
    CHECK ((unit_region_id IS NULL) <> (unit_department_id IS NULL))
);
CREATE INDEX key_area_tasks_area_idx ON key_area_tasks (area_id, state);
CREATE INDEX key_area_tasks_owner_idx ON key_area_tasks (owner_id, state, due_at);

-- Each step on a task from the phone: accepted, progress, done. `client_id` is the phone's
-- own id of the step, so its offline queue can replay it and land it exactly once.
CREATE TABLE key_area_task_updates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     bigint NOT NULL REFERENCES key_area_tasks (id),
    actor_id    bigint NOT NULL REFERENCES users (id),
    client_id   uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('accept', 'progress', 'done')),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    lat         double precision,
    lng         double precision,
    at          timestamptz NOT NULL,
    UNIQUE (actor_id, client_id)
);
CREATE INDEX key_area_task_updates_task_idx ON key_area_task_updates (task_id, at);

-- Duties that come with a level: a red area's weekly 联合清查, a blue area's daily 巡查 (each
-- period one record), a yellow area's weekly count of patrol reports. One row per period;
-- its deadline is a duty (subject_kind 'area_duty').
CREATE TABLE key_area_duties (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id       bigint NOT NULL REFERENCES key_areas (id),
    kind          text NOT NULL CHECK (kind IN ('joint_sweep', 'patrols', 'daily_check')),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    target        integer NOT NULL DEFAULT 1 CHECK (target >= 1),
    done_at       timestamptz,
    units         text NOT NULL DEFAULT '',
    findings      text NOT NULL DEFAULT '',
    recorded_by   bigint REFERENCES users (id),
    recorded_at   timestamptz,
    UNIQUE (area_id, kind, period_start)
);

-- 研判会 (half-monthly) and 联席会议 (monthly): who met, which areas they discussed, and what
-- they decided for each. A decision moves the area.
CREATE TABLE key_area_meetings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id    bigint NOT NULL REFERENCES regions (id),
    region_path  text COLLATE "C" NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('judgement', 'joint')),
    held_on      date NOT NULL,
    units        text[] NOT NULL DEFAULT '{}',
    notes        text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    created_by   bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL
);
CREATE INDEX key_area_meetings_scope_idx ON key_area_meetings (region_path, held_on DESC);

CREATE TABLE key_area_decisions (
    meeting_id  bigint NOT NULL REFERENCES key_area_meetings (id),
    area_id     bigint NOT NULL REFERENCES key_areas (id),
    decision    text NOT NULL CHECK (decision IN ('list', 'flag', 'dismiss', 'defer')),
    level       text CHECK (level IN ('red', 'yellow', 'blue')),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 2 AND 500),
    PRIMARY KEY (meeting_id, area_id)
);

-- 验收: one round of acceptance, what it measured, how it ended.
CREATE TABLE key_area_acceptances (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id        bigint NOT NULL REFERENCES key_areas (id),
    survey_id      bigint REFERENCES surveys (id),
    started_at     timestamptz NOT NULL,
    decided_at     timestamptz,
    outcome        text CHECK (outcome IN ('passed', 'failed')),
    measure        jsonb,
    decided_by     bigint REFERENCES users (id)
);
CREATE UNIQUE INDEX key_area_acceptances_open_idx ON key_area_acceptances (area_id)
    WHERE decided_at IS NULL;

-- 延期整治: asked after a failed acceptance, approved or refused by a supervisor.
CREATE TABLE key_area_extensions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id       bigint NOT NULL REFERENCES key_areas (id),
    requested_by  bigint NOT NULL REFERENCES users (id),
    requested_at  timestamptz NOT NULL,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 2 AND 500),
    new_deadline  date NOT NULL,
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused')),
    decided_by    bigint REFERENCES users (id),
    decided_at    timestamptz,
    decision_note text
);
CREATE UNIQUE INDEX key_area_extensions_pending_idx ON key_area_extensions (area_id)
    WHERE state = 'pending';

-- What a region carries for a year because of its areas: 一票否决 after a recurrence.
-- "Not eligible for 先进" is read from the areas it holds flagged, not stored.
CREATE TABLE region_vetoes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id   bigint NOT NULL REFERENCES regions (id),
    year        integer NOT NULL,
    area_id     bigint REFERENCES key_areas (id),
    reason      text NOT NULL,
    set_by      bigint REFERENCES users (id),
    at          timestamptz NOT NULL
);
CREATE INDEX region_vetoes_region_idx ON region_vetoes (region_id, year);
