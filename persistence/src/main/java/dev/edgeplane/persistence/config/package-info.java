/**
 * Control-plane configuration (docs/SPEC-control-plane.md, "Configuration"): the {@link
 * dev.edgeplane.persistence.config.AccountConfig} records a configuration document becomes, their tables in
 * PostgreSQL ({@code V2__control_plane_config.sql}), the {@link dev.edgeplane.persistence.config.ConfigRepository}
 * that applies a document in one transaction and reads it back, and the {@link
 * dev.edgeplane.persistence.config.ConfigChangeListener} that turns {@code NOTIFY edgeplane_config} into cache
 * refreshes.
 *
 * <p>Records are immutable values; the repository and the listener block on JDBC and never belong on an event loop.
 */
package dev.edgeplane.persistence.config;
