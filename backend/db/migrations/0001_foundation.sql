-- Regions, accounts, categories and the audit log: what every later domain stands on.
-- Plain SQL for PostgreSQL 15 and later; no extensions. Every table that belongs to a place
-- carries a region reference so that it can later be distributed by region.

-- The region tree: district 区县 → street 街道 → community 社区 → grid 网格 → microgrid 微网格.
-- `path` is the materialised chain of codes ("/330106/330106001/…/"); a scope check on a
-- subtree is then one range scan on an index (C collation), at any depth.
CREATE TABLE regions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    level       text NOT NULL CHECK (level IN ('district', 'street', 'community', 'grid', 'microgrid')),
    parent_id   bigint REFERENCES regions (id),
    path        text COLLATE "C" NOT NULL,
    geometry    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX regions_parent_idx ON regions (parent_id);
CREATE INDEX regions_path_idx ON regions (path);

-- One row, bumped by every region import: API processes compare it to the version their
-- routing index was built from (besides LISTEN/NOTIFY, which a dropped connection can miss).
CREATE TABLE region_revision (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision    bigint NOT NULL
);
INSERT INTO region_revision (singleton, revision) VALUES (true, 0);

-- Departments 职能部门 (城管, 市场监管, 公安 …): owners of categories routed away from grids.
CREATE TABLE departments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    name_en     text NOT NULL,
    kind        text NOT NULL,
    region_id   bigint NOT NULL REFERENCES regions (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX departments_kind_idx ON departments (kind, region_id);

-- Residents have no username; staff have a username, a password hash and exactly one scope:
-- a region (and so its subtree) or a department. An admin may have no scope: the whole city.
CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    role            text NOT NULL CHECK (role IN ('resident', 'worker', 'department', 'dispatcher', 'supervisor', 'admin')),
    username        text UNIQUE,
    password_hash   text,
    display_name    text NOT NULL DEFAULT '',
    nickname        text,
    phone           text,
    locale          text NOT NULL DEFAULT 'zh-CN',
    region_id       bigint REFERENCES regions (id),
    department_id   bigint REFERENCES departments (id),
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'resident') = (username IS NULL)),
    CHECK (role = 'resident' OR password_hash IS NOT NULL),
    CHECK (role <> 'department' OR department_id IS NOT NULL),
    CHECK (role NOT IN ('worker', 'dispatcher', 'supervisor') OR region_id IS NOT NULL)
);
CREATE INDEX users_region_idx ON users (region_id) WHERE region_id IS NOT NULL;

-- Bearer tokens are random; only their SHA-256 is stored, so a database leak is not a login.
CREATE TABLE auth_tokens (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

-- Failed logins counted per username and per client address in a fixed window.
CREATE TABLE login_failures (
    scope         text NOT NULL CHECK (scope IN ('username', 'address')),
    key           text NOT NULL,
    window_start  timestamptz NOT NULL,
    failures      integer NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Deadline presets: minutes to accept 签收, to resolve 处置, to verify 核查.
CREATE TABLE deadline_presets (
    code            text PRIMARY KEY,
    name            text NOT NULL,
    name_en         text NOT NULL,
    accept_minutes  integer NOT NULL CHECK (accept_minutes > 0),
    resolve_minutes integer NOT NULL CHECK (resolve_minutes > 0),
    verify_minutes  integer NOT NULL CHECK (verify_minutes > 0)
);

CREATE TABLE categories (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                text NOT NULL UNIQUE,
    name                text NOT NULL,
    name_en             text NOT NULL,
    class               text NOT NULL,
    owner_kind          text NOT NULL,
    confidential        boolean NOT NULL DEFAULT false,
    duplicate_radius_m  integer NOT NULL DEFAULT 50 CHECK (duplicate_radius_m BETWEEN 0 AND 5000),
    preset_code         text NOT NULL REFERENCES deadline_presets (code),
    photo_required      boolean NOT NULL DEFAULT true,
    reward_points       integer NOT NULL DEFAULT 0 CHECK (reward_points >= 0),
    icon                text NOT NULL DEFAULT 'other',
    sort_order          integer NOT NULL DEFAULT 100,
    active              boolean NOT NULL DEFAULT true,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Append-only: who did what to which thing, and why. Never names or phone numbers in detail.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      bigint REFERENCES users (id),
    action        text NOT NULL,
    subject_type  text NOT NULL,
    subject_id    text NOT NULL,
    region_id     bigint REFERENCES regions (id),
    detail        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, at);
