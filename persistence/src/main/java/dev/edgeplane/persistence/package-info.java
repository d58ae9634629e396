/**
 * Persistence for Edgeplane: PostgreSQL as the system of record, reached through {@link
 * dev.edgeplane.persistence.Database} (pool, Flyway migrations, optional {@link
 * dev.edgeplane.persistence.EmbeddedPostgresServer}), and the write-behind path that keeps PostgreSQL off the request
 * path: changes are appended to the local durable {@link dev.edgeplane.persistence.Journal} before a response is sent
 * and drained to PostgreSQL in batches by the {@link dev.edgeplane.persistence.JournalFlusher}.
 *
 * <p>See {@code docs/ARCHITECTURE.md}, "Persistence".
 */
package dev.edgeplane.persistence;
