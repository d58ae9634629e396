-- Owned by the persistence module: the write-behind journal's default sink and its checkpoints.
-- Other modules add V<n>__<name>.sql files to db/migration on their own class path.

-- Journal entries whose type has no dedicated sink. Identity is (journal_id, seq): every journal directory has its
-- own random id, so a wiped data directory never collides with rows written before.
CREATE TABLE event_log (
    journal_id  uuid        NOT NULL,
    seq         bigint      NOT NULL,
    type        text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    payload     bytea       NOT NULL,
    PRIMARY KEY (journal_id, seq)
);

CREATE INDEX event_log_type_recorded_at ON event_log (type, recorded_at);

-- How far each journal has been flushed; written in the same transaction as the rows it covers.
CREATE TABLE journal_checkpoint (
    journal_id  uuid        PRIMARY KEY,
    flushed_seq bigint      NOT NULL,
    updated_at  timestamptz NOT NULL
);
