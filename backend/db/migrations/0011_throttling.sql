-- Throttling that holds under concurrency: every limit is counted by one statement that
-- increments and answers at once, so parallel requests cannot all slip under a limit.

-- Hits per (scope, key) in a fixed window that starts with the window's first hit:
-- new devices per client address, reports and photo uploads per device and per address.
CREATE TABLE rate_windows (
    scope         text NOT NULL,
    key           text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL CHECK (hits >= 0),
    PRIMARY KEY (scope, key)
);
CREATE INDEX rate_windows_start_idx ON rate_windows (window_start);

-- The fixed per-username lock is replaced by rate_windows (ceilings) and login_tries (delays).
DROP TABLE login_failures;

-- Login tries of one username from one source (a client address, or a known device):
-- after a few free tries each further try waits twice as long as the one before.
CREATE TABLE login_tries (
    username     text NOT NULL,
    source       text NOT NULL,
    tries        integer NOT NULL CHECK (tries >= 1),
    last_try_at  timestamptz NOT NULL,
    PRIMARY KEY (username, source)
);

-- Browsers a staff member has logged in from with the right password. The cookie holds a
-- random token; only its SHA-256 is stored. A known device passes the per-username and
-- per-address ceilings, so strangers guessing a password cannot shut its owner out.
CREATE TABLE known_devices (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX known_devices_user_idx ON known_devices (user_id);
