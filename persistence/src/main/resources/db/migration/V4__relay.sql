-- The relay control plane (seed 003, shared/design/SPEC-relay.md). Users are written synchronously by the admin
-- API (low volume); everything else is history written behind from the journal by the relay's sinks, each insert
-- idempotent by (journal_id, seq) and each upsert guarded by a version, so a replayed batch changes nothing.
-- Tables carry the relay_ prefix so they never collide with another surface's names.

-- Plugin users. password_hash is "pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>" or NULL for a user an operator
-- approves (no self-service sign-in). Emails compare case-insensitively.
CREATE TABLE relay_users (
    id            text        PRIMARY KEY,
    email         text        NOT NULL,
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX relay_users_email_key ON relay_users (lower(email));

-- The latest known state of each relay session (the live state is off-heap on the user's shard).
CREATE TABLE relay_sessions (
    session_id      text        PRIMARY KEY,
    user_id         text        NOT NULL,
    state           text        NOT NULL,
    reason          text,
    region          text,
    instance_id     text,
    public_ip       text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    metered_seconds bigint      NOT NULL DEFAULT 0,
    version         bigint      NOT NULL
);

CREATE INDEX relay_sessions_user_id ON relay_sessions (user_id, created_at);

-- Every state change: exactly the five transitions of the relay state machine, plus the creation (from_state NULL).
CREATE TABLE relay_transitions (
    journal_id uuid        NOT NULL,
    seq        bigint      NOT NULL,
    session_id text        NOT NULL,
    user_id    text        NOT NULL,
    from_state text,
    to_state   text        NOT NULL,
    reason     text,
    ts         timestamptz NOT NULL,
    PRIMARY KEY (journal_id, seq)
);

CREATE INDEX relay_transitions_session_id ON relay_transitions (session_id, ts);

-- Every billing webhook delivery and what became of it (applied, duplicate, stale, ignored, unmatched), and the
-- administrative plan grants. delivery_key is the SHA-256 of the raw body.
CREATE TABLE relay_billing_events (
    journal_id      uuid        NOT NULL,
    seq             bigint      NOT NULL,
    delivery_key    text,
    event_name      text        NOT NULL,
    handler         text,
    outcome         text        NOT NULL,
    user_id         text,
    subscription_id text,
    ts              timestamptz NOT NULL,
    payload         jsonb       NOT NULL,
    PRIMARY KEY (journal_id, seq)
);

CREATE INDEX relay_billing_events_user_id ON relay_billing_events (user_id, ts);

-- The entitlement and Time Bank cycle of each user as last changed by billing (used seconds live off-heap and in
-- relay_usage).
CREATE TABLE relay_subscriptions (
    user_id          text        PRIMARY KEY,
    subscription_id  text,
    plan             text,
    status           text        NOT NULL,
    variant_id       text,
    quantity         integer     NOT NULL DEFAULT 1,
    provider_updated timestamptz,
    cycle_start      timestamptz,
    cycle_end        timestamptz,
    included_seconds bigint      NOT NULL,
    addon_seconds    bigint      NOT NULL,
    version          bigint      NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- Relay time drawn from the Time Bank, one row per metered stretch of a session (written when it stops).
CREATE TABLE relay_usage (
    journal_id  uuid        NOT NULL,
    seq         bigint      NOT NULL,
    user_id     text        NOT NULL,
    session_id  text        NOT NULL,
    seconds     bigint      NOT NULL,
    cycle_start timestamptz,
    ts          timestamptz NOT NULL,
    PRIMARY KEY (journal_id, seq)
);

CREATE INDEX relay_usage_user_id ON relay_usage (user_id, ts);

-- Security-relevant auth events: login approvals and denials, token issue, refresh-token reuse (family revoked),
-- logout. Never a token or a password.
CREATE TABLE relay_auth_events (
    journal_id uuid        NOT NULL,
    seq        bigint      NOT NULL,
    ts         timestamptz NOT NULL,
    user_id    text,
    kind       text        NOT NULL,
    detail     jsonb       NOT NULL,
    PRIMARY KEY (journal_id, seq)
);

CREATE INDEX relay_auth_events_user_id ON relay_auth_events (user_id, ts);
