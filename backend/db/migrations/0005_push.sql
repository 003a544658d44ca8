-- Web Push: the devices that asked to be told, and the outbox as a queue the sender leases.

CREATE TABLE push_subscriptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users (id),
    endpoint         text NOT NULL UNIQUE,
    p256dh           text NOT NULL,
    auth             text NOT NULL,
    created_at       timestamptz NOT NULL,
    last_success_at  timestamptz
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

-- An outbox row is one notification for one user; the sender leases it, sends it to each of
-- the user's devices, and records every device it reached so that a retry skips them.
ALTER TABLE outbox
    ADD COLUMN state            text NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'sent', 'dead')),
    ADD COLUMN attempts         integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at  timestamptz,
    ADD COLUMN leased_until     timestamptz,
    ADD COLUMN sent_at          timestamptz,
    ADD COLUMN last_error       text;
UPDATE outbox SET next_attempt_at = created_at;
ALTER TABLE outbox ALTER COLUMN next_attempt_at SET NOT NULL;
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, id) WHERE state = 'pending';

CREATE TABLE push_deliveries (
    outbox_id        bigint NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    subscription_id  bigint NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    delivered_at     timestamptz NOT NULL,
    PRIMARY KEY (outbox_id, subscription_id)
);
