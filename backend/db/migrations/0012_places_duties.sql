-- The one place model and the one deadline engine that key areas, patrols, inspections and
-- disputes all share.

-- A place that cases fall into beside the region tree: a key area, a patrol zone, a school's
-- zone. Either a region of the tree (every case routed into its subtree counts) or a drawn
-- polygon (GeoJSON, WGS-84; every case whose position lies inside counts). `region_path` is
-- the region the place belongs to, for scope in SQL.
CREATE TABLE places (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('key_area', 'patrol_zone', 'school_zone')),
    region_id    bigint NOT NULL REFERENCES regions (id),
    region_path  text COLLATE "C" NOT NULL,
    -- Set when the place is a region of the tree (then `geometry` is NULL).
    covers_region_id  bigint REFERENCES regions (id),
    covers_path       text COLLATE "C",
    geometry     jsonb,
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL,
    CHECK ((covers_region_id IS NULL) <> (geometry IS NULL)),
    CHECK ((covers_region_id IS NULL) = (covers_path IS NULL))
);
CREATE INDEX places_region_path_idx ON places (region_path);

-- Which places a case falls into, written at intake (and for older cases when a place is
-- drawn), so that counting by place never needs geometry in SQL. `how` says whether the
-- case was placed by position or linked by hand as evidence.
CREATE TABLE case_places (
    place_id         bigint NOT NULL REFERENCES places (id),
    case_id          bigint NOT NULL REFERENCES cases (id),
    case_created_at  timestamptz NOT NULL,
    how              text NOT NULL CHECK (how IN ('position', 'hand')),
    PRIMARY KEY (place_id, case_id)
);
CREATE INDEX case_places_window_idx ON case_places (place_id, case_created_at);
CREATE INDEX case_places_case_idx ON case_places (case_id);

-- The hotspot level of every grid (and every active place) once a day, so a place has a
-- history of its levels and a grid turning red can be noticed the day it happens.
CREATE TABLE level_history (
    day        date NOT NULL,
    region_id  bigint REFERENCES regions (id),
    place_id   bigint REFERENCES places (id),
    alert      text NOT NULL CHECK (alert IN ('red', 'yellow', 'blue', 'none')),
    reports    integer NOT NULL CHECK (reports >= 0),
    CHECK ((region_id IS NULL) <> (place_id IS NULL))
);
CREATE UNIQUE INDEX level_history_region_idx ON level_history (region_id, day)
    WHERE region_id IS NOT NULL;
CREATE UNIQUE INDEX level_history_place_idx ON level_history (place_id, day)
    WHERE place_id IS NOT NULL;

-- Something owed by someone by a time (a remediation task, a weekly 联合清查, a re-check, a
-- finding, a monthly report …). One watcher takes due rows with FOR UPDATE SKIP LOCKED:
-- at `due_at` it reminds the owner (催办), at `supervise_at` it tells the supervisors
-- (督办). `check_at` is the next moment the watcher must look, NULL once nothing is left.
CREATE TABLE duties (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_kind      text NOT NULL,
    subject_id        bigint NOT NULL,
    region_id         bigint NOT NULL REFERENCES regions (id),
    region_path       text COLLATE "C" NOT NULL,
    owner_user_id     bigint REFERENCES users (id),
    owner_region_id   bigint REFERENCES regions (id),
    owner_department_id bigint REFERENCES departments (id),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    due_at            timestamptz NOT NULL,
    supervise_at      timestamptz NOT NULL,
    -- Staff told at 督办 besides the supervisors of the region (e.g. an area's leaders).
    escalate_to       bigint[] NOT NULL DEFAULT '{}',
    state             text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
    reminded_at       timestamptz,
    supervised_at     timestamptz,
    done_at           timestamptz,
    check_at          timestamptz,
    created_at        timestamptz NOT NULL,
    UNIQUE (subject_kind, subject_id),
    CHECK (supervise_at >= due_at)
);
CREATE INDEX duties_check_idx ON duties (check_at) WHERE check_at IS NOT NULL;
CREATE INDEX duties_owner_idx ON duties (owner_user_id, state, due_at);
CREATE INDEX duties_region_path_idx ON duties (region_path, state);

-- Photos can belong to something other than a case (a task's evidence, a sweep record):
-- such a photo is attached, so the sweep of unattached uploads leaves it alone.
ALTER TABLE media ADD COLUMN subject_kind text;
ALTER TABLE media ADD COLUMN subject_id bigint;
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('report', 'resolution', 'evidence'));
DROP INDEX media_unattached_idx;
CREATE INDEX media_unattached_idx ON media (created_at) WHERE case_id IS NULL AND subject_id IS NULL;
CREATE INDEX media_subject_idx ON media (subject_kind, subject_id) WHERE subject_id IS NOT NULL;
