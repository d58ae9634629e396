-- The services API's own tables (seed 002, "Database"), exactly as the seed lists them. They live in the services
-- database (SERVICE_DATABASE_URL, or the server's own database when unset) and are migrated by their own Flyway
-- history table (services_schema_history), apart from the server's migrations.

-- Infrastructure backing each instance (one Railway service per instance).
CREATE TABLE IF NOT EXISTS instance_infra (
    instance_id         text        PRIMARY KEY,
    provider            text        NOT NULL DEFAULT 'railway',
    provider_service_id text        UNIQUE,
    provider_env_id     text,
    provider_project_id text,
    url                 text,
    deploy_status       text,
    runtime_image       text,
    volume_id           text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Tool resources provisioned per instance; removed with their instance.
CREATE TABLE IF NOT EXISTS instance_services (
    id            serial      PRIMARY KEY,
    instance_id   text        NOT NULL REFERENCES instance_infra (instance_id) ON DELETE CASCADE,
    tool_id       text        NOT NULL,
    resource_id   text,
    resource_meta jsonb,
    env_key       text,
    env_value     text,
    status        text        NOT NULL DEFAULT 'active',
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (instance_id, tool_id)
);

-- Not in the seed: the create/destroy saga log. One row per saga run; one row per step, written before the provider
-- call (state 'started') and after it ('done' with the resource id, or 'failed'), and again when compensation undoes
-- it ('undone'). A saga still 'running' at start-up was interrupted by a crash and is recovered.
CREATE TABLE IF NOT EXISTS service_sagas (
    id          bigserial   PRIMARY KEY,
    instance_id text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('create', 'destroy')),
    state       text        NOT NULL CHECK (state IN ('running', 'succeeded', 'compensated', 'failed')),
    request     jsonb       NOT NULL,
    error       jsonb,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

CREATE INDEX IF NOT EXISTS service_sagas_running ON service_sagas (instance_id) WHERE state = 'running';

CREATE TABLE IF NOT EXISTS service_saga_steps (
    saga_id     bigint      NOT NULL REFERENCES service_sagas (id) ON DELETE CASCADE,
    seq         integer     NOT NULL,
    step        text        NOT NULL,
    state       text        NOT NULL CHECK (state IN ('started', 'done', 'failed', 'undone')),
    resource_id text,
    meta        jsonb,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saga_id, step)
);
