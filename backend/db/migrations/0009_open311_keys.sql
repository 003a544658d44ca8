-- Open311 GeoReport v2: the API keys other systems post service requests with, and which key
-- sent which case. A key's requests are filed under an account of its own (a resident account
-- with no name and no phone), so intake, rate limits and the case loop treat them like any
-- other report.

-- Only the SHA-256 of a key is stored: a database leak does not let anyone post.
CREATE TABLE open311_keys (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_hash          bytea NOT NULL UNIQUE,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    user_id           bigint NOT NULL UNIQUE REFERENCES users (id),
    reports_per_hour  integer NOT NULL CHECK (reports_per_hour BETWEEN 1 AND 100000),
    created_by        bigint REFERENCES users (id),
    created_at        timestamptz NOT NULL,
    revoked_at        timestamptz
);

-- One row per case posted through Open311. `client_id` is derived from the key, the
-- client's device_id and the request's content, so a retried POST finds its case again;
-- `token` answers GET tokens/{token}.
CREATE TABLE open311_requests (
    case_id     bigint PRIMARY KEY REFERENCES cases (id),
    key_id      bigint NOT NULL REFERENCES open311_keys (id),
    client_id   uuid NOT NULL,
    token       uuid NOT NULL UNIQUE,
    region_id   bigint NOT NULL REFERENCES regions (id),
    created_at  timestamptz NOT NULL,
    UNIQUE (key_id, client_id)
);

