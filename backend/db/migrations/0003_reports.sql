-- Report intake: cases, their timeline, their photos, followers and tracking numbers.
-- A resident's report and the case staff work on are one row: `cases`. Every row carries
-- its region (and the region's path, for scope checks without a join).

CREATE TABLE cases (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_no     text NOT NULL UNIQUE,
    reporter_id     bigint NOT NULL REFERENCES users (id),
    client_id       uuid NOT NULL,
    -- SHA-256 of the submitted body: the same clientId with other content is a conflict.
    body_hash       bytea NOT NULL,
    source          text NOT NULL CHECK (source IN ('resident', 'patrol')),
    category_code   text NOT NULL REFERENCES categories (code),
    confidential    boolean NOT NULL,
    priority        text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'emergency')),
    description     text NOT NULL CHECK (length(description) <= 500),
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng             double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    accuracy_m      real,
    address         text,
    anonymous       boolean NOT NULL DEFAULT false,
    region_id       bigint NOT NULL REFERENCES regions (id),
    region_path     text COLLATE "C" NOT NULL,
    route_match     text NOT NULL CHECK (route_match IN ('inside', 'nearest', 'fallback')),
    -- H3 cells of the position at several resolutions: heat maps, hotspots, nearby duplicates.
    h3_r7           bigint NOT NULL,
    h3_r8           bigint NOT NULL,
    h3_r9           bigint NOT NULL,
    h3_r10          bigint NOT NULL,
    h3_r11          bigint NOT NULL,
    status          text NOT NULL DEFAULT 'submitted',
    version         integer NOT NULL DEFAULT 1,
    accept_due_at   timestamptz NOT NULL,
    resolve_due_at  timestamptz NOT NULL,
    verify_due_at   timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    closed_at       timestamptz,
    rating          smallint CHECK (rating BETWEEN 1 AND 5),
    rating_comment  text,
    rated_at        timestamptz,
    UNIQUE (reporter_id, client_id)
);
CREATE INDEX cases_reporter_idx ON cases (reporter_id, created_at DESC, id DESC);
CREATE INDEX cases_region_path_idx ON cases (region_path);
CREATE INDEX cases_nearby_idx ON cases (category_code, h3_r9)
    WHERE status NOT IN ('closed', 'rated', 'rejected', 'merged');

-- The timeline: append-only, the audit trail of a case and the source of its statistics.
CREATE TABLE case_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES cases (id),
    region_id    bigint NOT NULL REFERENCES regions (id),
    at           timestamptz NOT NULL,
    actor_id     bigint REFERENCES users (id),
    actor_role   text NOT NULL,
    action       text NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    note         text,
    public       boolean NOT NULL DEFAULT true,
    detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX case_events_case_idx ON case_events (case_id, at, id);

-- Photos: processed renditions in the media store, owned by their uploader until attached
-- to one case. `client_key` is derived by the phone from the photo's bytes, so a retried
-- upload finds the photo it already sent.
CREATE TABLE media (
    id                uuid PRIMARY KEY,
    uploader_id       bigint NOT NULL REFERENCES users (id),
    client_key        text,
    display_key       text NOT NULL,
    thumbnail_key     text NOT NULL,
    width             integer NOT NULL,
    height            integer NOT NULL,
    bytes             integer NOT NULL,
    thumbnail_width   integer NOT NULL,
    thumbnail_height  integer NOT NULL,
    content_type      text NOT NULL,
    purpose           text NOT NULL DEFAULT 'report' CHECK (purpose IN ('report', 'resolution')),
    case_id           bigint REFERENCES cases (id),
    region_id         bigint REFERENCES regions (id),
    position          smallint,
    created_at        timestamptz NOT NULL,
    attached_at       timestamptz,
    UNIQUE (uploader_id, client_key)
);
CREATE INDEX media_case_idx ON media (case_id, purpose, position) WHERE case_id IS NOT NULL;
CREATE INDEX media_unattached_idx ON media (created_at) WHERE case_id IS NULL;
CREATE INDEX media_display_key_idx ON media (display_key);
CREATE INDEX media_thumbnail_key_idx ON media (thumbnail_key);

-- Residents who follow a case they did not report (已有人反映，关注此事).
CREATE TABLE case_followers (
    case_id     bigint NOT NULL REFERENCES cases (id),
    user_id     bigint NOT NULL REFERENCES users (id),
    region_id   bigint NOT NULL REFERENCES regions (id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_followers_user_idx ON case_followers (user_id);

-- Tracking numbers YYYYMMDD-NNNNNN count per local day. The counter row is taken in its own
-- short statement, so intake never queues behind it; a failed intake leaves a gap, which
-- is allowed.
CREATE TABLE tracking_days (
    day          date PRIMARY KEY,
    last_number  integer NOT NULL
);
