package dev.edgeplane.controlplane;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allowlist's system of record in PostgreSQL ({@code security_allow}, migration V3). Each change
 * runs in one transaction that first bumps {@code security_allow_version} (whose row lock orders
 * concurrent changes) and then reads the whole list back, so every change returns the exact list
 * after it, tagged with its version.
 *
 * <p>Threading: thread-safe; every method blocks on JDBC and belongs on the blocking pool or at
 * start-up, never on an event loop or a shard writer.
 */
final class AllowListRepository
{
    private static final Logger LOG = LoggerFactory.getLogger(AllowListRepository.class);

    /** What a change did. */
    enum Outcome
    {
        CREATED, UPDATED, REMOVED, ABSENT, FULL
    }

    /**
     * @param list  the list after the change (null when nothing changed: {@code ABSENT}, {@code FULL}).
     * @param entry the entry added, updated or removed (null when nothing changed).
     */
    record Change(Outcome outcome, AllowList list, AllowList.Entry entry)
    {
    }

    private final DataSource dataSource;

    AllowListRepository(final DataSource dataSource)
    {
        this.dataSource = dataSource;
    }

    /** @return the stored list and its version. */
    AllowList load() throws SQLException
    {
        try (Connection c = dataSource.getConnection())
        {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try
            {
                final long version;
                try (PreparedStatement s = c.prepareStatement("SELECT version FROM security_allow_version WHERE id = 1");
                     ResultSet rs = s.executeQuery())
                {
                    version = rs.next() ? rs.getLong(1) : 0;
                }
                final AllowList list = readList(c, version);
                c.commit();
                return list;
            }
            catch (final SQLException e)
            {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Adds a block, or replaces the note of one already present (keeping {@code added_at}; a null
     * note keeps the stored one).
     *
     * @return {@code CREATED} or {@code UPDATED} with the new list, or {@code FULL} when a new entry
     *         would pass {@link AllowList#MAX_ENTRIES}.
     */
    Change add(final IpBlock block, final String note) throws SQLException
    {
        try (Connection c = dataSource.getConnection())
        {
            c.setAutoCommit(false);
            try
            {
                final long version = bumpVersion(c);
                final long count;
                final boolean present;
                try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*), coalesce(bool_or(ip = ?), false) FROM security_allow"))
                {
                    s.setString(1, block.text());
                    try (ResultSet rs = s.executeQuery())
                    {
                        rs.next();
                        count = rs.getLong(1);
                        present = rs.getBoolean(2);
                    }
                }
                if (!present && count >= AllowList.MAX_ENTRIES)
                {
                    c.rollback();
                    return new Change(Outcome.FULL, null, null);
                }
                try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO security_allow (ip, note) VALUES (?, ?) "
                        + "ON CONFLICT (ip) DO UPDATE SET note = coalesce(EXCLUDED.note, security_allow.note)"))
                {
                    s.setString(1, block.text());
                    s.setString(2, note);
                    s.executeUpdate();
                }
                final AllowList list = readList(c, version);
                c.commit();
                return new Change(present ? Outcome.UPDATED : Outcome.CREATED, list, list.find(block));
            }
            catch (final SQLException | RuntimeException e)
            {
                c.rollback();
                throw e;
            }
        }
    }

    /** @return {@code REMOVED} with the new list, or {@code ABSENT} when the block was not listed. */
    Change remove(final IpBlock block) throws SQLException
    {
        try (Connection c = dataSource.getConnection())
        {
            c.setAutoCommit(false);
            try
            {
                final long version = bumpVersion(c);
                final AllowList.Entry removed;
                try (PreparedStatement s = c.prepareStatement("DELETE FROM security_allow WHERE ip = ? RETURNING note, added_at"))
                {
                    s.setString(1, block.text());
                    try (ResultSet rs = s.executeQuery())
                    {
                        removed = rs.next()
                            ? new AllowList.Entry(block, rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant())
                            : null;
                    }
                }
                if (removed == null)
                {
                    c.rollback();
                    return new Change(Outcome.ABSENT, null, null);
                }
                final AllowList list = readList(c, version);
                c.commit();
                return new Change(Outcome.REMOVED, list, removed);
            }
            catch (final SQLException | RuntimeException e)
            {
                c.rollback();
                throw e;
            }
        }
    }

    /** Takes the change lock (the version row) and returns the version this change creates. */
    private static long bumpVersion(final Connection c) throws SQLException
    {
        try (PreparedStatement s = c.prepareStatement(
            "UPDATE security_allow_version SET version = version + 1 WHERE id = 1 RETURNING version");
             ResultSet rs = s.executeQuery())
        {
            if (!rs.next())
            {
                throw new SQLException("security_allow_version has no row; is migration V3 applied?");
            }
            return rs.getLong(1);
        }
    }

    private static AllowList readList(final Connection c, final long version) throws SQLException
    {
        final List<AllowList.Entry> entries = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT ip, note, added_at FROM security_allow ORDER BY added_at, ip");
             ResultSet rs = s.executeQuery())
        {
            while (rs.next())
            {
                final String ip = rs.getString(1);
                final IpBlock block = IpBlock.block(ip);
                if (block == null || !block.text().equals(ip))
                {
                    // Only a hand edit of the table can get here; such a row cannot be matched reliably.
                    LOG.warn("ignoring allowlist row '{}': not a canonical address or CIDR block", ip);
                    continue;
                }
                entries.add(new AllowList.Entry(block, rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant()));
            }
        }
        return new AllowList(version, entries);
    }
}
