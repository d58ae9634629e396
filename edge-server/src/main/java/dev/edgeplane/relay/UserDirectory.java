package dev.edgeplane.relay;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's users ({@code relay_users}), cached in memory by id and by lower-cased email. PostgreSQL is the
 * system of record; user creation is a low-volume administrative write and goes to PostgreSQL synchronously
 * (on the blocking pool), then into the cache. Request paths only read the cache.
 *
 * <p>Thread-safe: concurrent maps; {@link #load} and {@link #create} block (JDBC) and run on the starting
 * thread or the blocking pool only.
 */
final class UserDirectory
{
    private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);
    private static final String UNIQUE_VIOLATION = "23505";

    /** One user; {@code passwordHash} is null for a user an operator approves (no self-service sign-in). */
    record RelayUser(String id, String email, String passwordHash, long createdAtMillis)
    {
        Map<String, Object> view()
        {
            return Outcome.details("id", id, "email", email);
        }

        @Override
        public String toString()
        {
            return "RelayUser[" + id + "]"; // never the hash
        }
    }

    /** The result of {@link #create}: the new user, or null when the email is taken. */
    record Created(RelayUser user, boolean emailTaken)
    {
    }

    private final DataSource dataSource;
    private final Map<String, RelayUser> byId = new ConcurrentHashMap<>();
    private final Map<String, RelayUser> byEmail = new ConcurrentHashMap<>();

    UserDirectory(final DataSource dataSource)
    {
        this.dataSource = dataSource;
    }

    static String normalizeEmail(final String email)
    {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    /** Loads every user into the cache (start-up). */
    UserDirectory load()
    {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, email, password_hash, created_at FROM relay_users");
             ResultSet rs = s.executeQuery())
        {
            while (rs.next())
            {
                remember(new RelayUser(rs.getString(1), rs.getString(2), rs.getString(3),
                    rs.getObject(4, OffsetDateTime.class).toInstant().toEpochMilli()));
            }
        }
        catch (final SQLException e)
        {
            throw new IllegalStateException("cannot load relay users: " + e.getMessage(), e);
        }
        if (!byId.isEmpty())
        {
            LOG.info("relay: {} users loaded", byId.size());
        }
        return this;
    }

    RelayUser byId(final String id)
    {
        return id == null ? null : byId.get(id);
    }

    RelayUser byEmail(final String email)
    {
        return email == null ? null : byEmail.get(normalizeEmail(email));
    }

    int size()
    {
        return byId.size();
    }

    /**
     * Inserts a user. Blocking (JDBC): call on the blocking pool.
     *
     * @throws SQLException when PostgreSQL cannot be reached or refuses for another reason.
     */
    Created create(final String email, final String passwordHash, final long nowMillis) throws SQLException
    {
        if (byEmail(email) != null)
        {
            return new Created(null, true);
        }
        final RelayUser user = new RelayUser(RelayIds.next(RelayIds.USER, nowMillis), email.trim(), passwordHash, nowMillis);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                 "INSERT INTO relay_users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)"))
        {
            s.setString(1, user.id());
            s.setString(2, user.email());
            s.setString(3, passwordHash);
            s.setObject(4, OffsetDateTime.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC));
            s.executeUpdate();
        }
        catch (final SQLException e)
        {
            if (UNIQUE_VIOLATION.equals(e.getSQLState()))
            {
                return new Created(null, true);
            }
            throw e;
        }
        remember(user);
        return new Created(user, false);
    }

    private void remember(final RelayUser user)
    {
        byId.put(user.id(), user);
        byEmail.put(normalizeEmail(user.email()), user);
    }
}
