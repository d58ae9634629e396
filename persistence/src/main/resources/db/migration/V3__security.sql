-- The control plane's security allowlist (SPEC-control-plane.md, "Security"): addresses and CIDR blocks that are never
-- banned. Written synchronously by POST/DELETE /security/allow (low-volume administrative writes), read whole at
-- start-up. Security events themselves (reports, allow, disallow, bans) go through the journal into event_log.

-- ip is the canonical text (dotted IPv4, RFC 5952 IPv6, "/prefix" only for blocks, host bits cleared), so one
-- address or block has exactly one row whatever spelling it was sent in.
CREATE TABLE security_allow (
    ip       text        PRIMARY KEY,
    note     text,
    added_at timestamptz NOT NULL DEFAULT now()
);

-- Every change bumps this single row first: the row lock orders concurrent changes, and the version lets the server
-- publish the list read after each change without ever replacing a newer list by an older one.
CREATE TABLE security_allow_version (
    id      smallint PRIMARY KEY CHECK (id = 1),
    version bigint   NOT NULL
);

INSERT INTO security_allow_version (id, version) VALUES (1, 0);
