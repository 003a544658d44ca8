-- The case loop: who handles a case, its current deadline, supervision, extensions, the
-- notification outbox and the reporter-reveal permission.

ALTER TABLE users ADD COLUMN can_reveal_reporter boolean NOT NULL DEFAULT false;

ALTER TABLE categories ADD COLUMN auto_dispatch boolean NOT NULL DEFAULT true;
UPDATE categories SET auto_dispatch = false WHERE code IN ('dispute', 'other');

-- Where a case is handled: a region's workers (usually the grid it happened in, or another
-- grid after a transfer across a border, 接边) or a department. `assigned_path` lets a
-- neighbour's staff see a case transferred to them with the same range check as `region_path`.
ALTER TABLE cases
    ADD COLUMN assigned_region_id  bigint REFERENCES regions (id),
    ADD COLUMN assigned_path       text COLLATE "C",
    ADD COLUMN department_id       bigint REFERENCES departments (id),
    ADD COLUMN assignee_id         bigint REFERENCES users (id),
    ADD COLUMN master_case_id      bigint REFERENCES cases (id),
    ADD COLUMN reject_reason       text,
    ADD COLUMN escalations         smallint NOT NULL DEFAULT 0,
    ADD COLUMN reworks             smallint NOT NULL DEFAULT 0,
    -- The deadline of the step the case is in now; the queue is sorted by it.
    ADD COLUMN due_at              timestamptz,
    -- When the scheduler must look at the case next (a deadline or a supervision threshold).
    ADD COLUMN check_at            timestamptz,
    ADD COLUMN overdue             boolean NOT NULL DEFAULT false,
    ADD COLUMN reminded_step       text,
    ADD COLUMN supervised_step     text,
    ADD COLUMN accepted_at         timestamptz,
    ADD COLUMN resolved_at         timestamptz,
    ADD COLUMN resolve_lat         double precision,
    ADD COLUMN resolve_lng         double precision;

UPDATE cases SET assigned_region_id = region_id, assigned_path = region_path, due_at = accept_due_at,
                 check_at = accept_due_at;

CREATE INDEX cases_queue_idx ON cases (status, due_at, id);
CREATE INDEX cases_assigned_path_idx ON cases (assigned_path);
CREATE INDEX cases_department_idx ON cases (department_id, status) WHERE department_id IS NOT NULL;
CREATE INDEX cases_assignee_idx ON cases (assignee_id, status) WHERE assignee_id IS NOT NULL;
CREATE INDEX cases_check_idx ON cases (check_at) WHERE check_at IS NOT NULL;

-- 延期: asked by the handler before the deadline, decided by a supervisor.
CREATE TABLE case_extensions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id       bigint NOT NULL REFERENCES cases (id),
    region_id     bigint NOT NULL REFERENCES regions (id),
    requested_by  bigint NOT NULL REFERENCES users (id),
    requested_at  timestamptz NOT NULL,
    minutes       integer NOT NULL CHECK (minutes > 0),
    reason        text NOT NULL,
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied')),
    decided_by    bigint REFERENCES users (id),
    decided_at    timestamptz,
    decision_note text
);
CREATE UNIQUE INDEX case_extensions_one_pending ON case_extensions (case_id) WHERE state = 'pending';

-- 举报奖励: points a reporter earns when a report is closed as valid.
CREATE TABLE points_ledger (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    case_id    bigint NOT NULL REFERENCES cases (id),
    region_id  bigint NOT NULL REFERENCES regions (id),
    points     integer NOT NULL,
    reason     text NOT NULL,
    at         timestamptz NOT NULL,
    UNIQUE (user_id, case_id, reason)
);

-- The outbox: every notification a state change causes, written in the same transaction.
-- The push sender takes rows from here; nothing is lost if a process dies in between.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id),
    case_id       bigint REFERENCES cases (id),
    region_id     bigint REFERENCES regions (id),
    kind          text NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL
);
CREATE INDEX outbox_created_idx ON outbox (created_at, id);
