-- Owned by the persistence module: control-plane configuration (written by ConfigRepository.apply, one transaction
-- per document, announced with NOTIFY edgeplane_config) and the history tables the server writes behind through the
-- journal. See shared/design/SPEC-control-plane.md, "Configuration".

-- An account is the unit of configuration. version is bumped by every apply; NOT NULL domain is the SIP domain and
-- digest realm. The domain constraint is checked at commit so that one document may swap domains between accounts.
CREATE TABLE accounts (
    id           text        PRIMARY KEY,
    name         text,
    domain       text        NOT NULL,
    max_channels integer     NOT NULL,
    timezone     text,
    country      text,
    version      bigint      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_domain_key UNIQUE (domain) DEFERRABLE INITIALLY DEFERRED
);

-- Every child row carries "position", its index in the account's list, so a read gives the lists back in document
-- order. Device ids and DID numbers are global keys; an apply deletes and re-inserts an account's children.
CREATE TABLE devices (
    id         text    PRIMARY KEY,
    account_id text    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    username   text    NOT NULL,
    ha1_md5    text,
    ha1_sha256 text,
    enabled    boolean NOT NULL,
    UNIQUE (account_id, username)
);

CREATE TABLE dids (
    number            text    PRIMARY KEY,
    account_id        text    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position          integer NOT NULL,
    target_type       text    NOT NULL,
    target_value      text    NOT NULL,
    schedule_id       text,
    after_hours_type  text,
    after_hours_value text
);

CREATE INDEX dids_account_id ON dids (account_id);

-- weekly: {"mon":[["09:00","17:00"]],…} ("24:00" ends a day); holidays: ["2026-12-25",…].
CREATE TABLE schedules (
    account_id text    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id         text    NOT NULL,
    position   integer NOT NULL,
    timezone   text    NOT NULL,
    weekly     jsonb   NOT NULL,
    holidays   jsonb   NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE flows (
    account_id text    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id         text    NOT NULL,
    position   integer NOT NULL,
    name       text,
    definition jsonb   NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE trunks (
    account_id text    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id         text    NOT NULL,
    position   integer NOT NULL,
    prefixes   text[]  NOT NULL,
    uri        text    NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE queues (
    account_id     text    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id             text    NOT NULL,
    position       integer NOT NULL,
    name           text,
    strategy       text    NOT NULL,
    ring_timeout_s integer NOT NULL,
    wrapup_s       integer NOT NULL,
    max_wait_s     integer NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE agents (
    account_id text    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    text    NOT NULL,
    position   integer NOT NULL,
    device     text,
    queues     text[]  NOT NULL,
    PRIMARY KEY (account_id, user_id)
);

-- History, written behind through the journal: identity (journal_id, seq) makes a re-flushed batch idempotent.
CREATE TABLE call_traces (
    journal_id uuid        NOT NULL,
    seq        bigint      NOT NULL,
    call_id    text        NOT NULL,
    account_id text,
    ts         timestamptz NOT NULL,
    kind       text        NOT NULL,
    detail     jsonb       NOT NULL,
    PRIMARY KEY (journal_id, seq)
);

-- GET /calls/{callId}/trace reads one call in order.
CREATE INDEX call_traces_call_id_ts_seq ON call_traces (call_id, ts, seq);

CREATE TABLE call_records (
    call_id     text PRIMARY KEY,
    account_id  text,
    direction   text,
    from_uri    text,
    to_uri      text,
    started_at  timestamptz,
    answered_at timestamptz,
    ended_at    timestamptz,
    cause       text,
    decision    jsonb
);

CREATE TABLE audit_log (
    journal_id uuid        NOT NULL,
    seq        bigint      NOT NULL,
    ts         timestamptz NOT NULL,
    actor      text,
    action     text        NOT NULL,
    detail     jsonb       NOT NULL,
    PRIMARY KEY (journal_id, seq)
);
