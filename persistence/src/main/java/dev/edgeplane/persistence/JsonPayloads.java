package dev.edgeplane.persistence;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link JournalSink}s whose entries carry a JSON object need: decoding the payload, and turning
 * its values into column values PostgreSQL accepts.
 *
 * <p>A payload that cannot be decoded is a bug in its writer, not in the data: {@link #decode} logs
 * it and returns null so the sink skips it, because a batch that can never be written would stall the
 * flusher forever. For the same reason NUL characters (which {@code text} and {@code jsonb} reject,
 * even escaped) are replaced by U+FFFD.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonPayloads
{
    private static final Logger LOG = LoggerFactory.getLogger(JsonPayloads.class);

    private JsonPayloads()
    {
    }

    /** @return the entry's payload as a JSON object, or null (logged) when it is not one. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decode(final JournalEntry entry)
    {
        try
        {
            final Object tree = Json.parse(entry.payload(), 0, entry.payload().length);
            if (tree instanceof Map<?, ?> m)
            {
                return (Map<String, Object>)m;
            }
        }
        catch (final DecodeException e)
        {
            // fall through
        }
        LOG.error("skipping undecodable {} journal entry {}:{}", entry.type(), entry.journalId(), entry.seq());
        return null;
    }

    /** @return a value for a {@code text} column: null for null or empty, NUL replaced. */
    public static String text(final Object v)
    {
        if (v == null)
        {
            return null;
        }
        final String s = String.valueOf(v).replace('\0', '\ufffd');
        return s.isEmpty() ? null : s;
    }

    /** @return a JSON tree as text for a {@code ?::jsonb} parameter. */
    public static String jsonb(final Object tree)
    {
        return new String(Json.write(tree), StandardCharsets.UTF_8).replace("\\u0000", "\\ufffd");
    }

    /** @return the value as a long, 0 when it is not a number. */
    public static long number(final Object v)
    {
        return v instanceof Number n ? n.longValue() : 0;
    }

    /** Sets a {@code timestamptz} parameter from epoch milliseconds (null when absent or not positive). */
    public static void setTime(final PreparedStatement s, final int index, final Object epochMillis) throws SQLException
    {
        final long ms = number(epochMillis);
        if (ms <= 0)
        {
            s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        else
        {
            s.setObject(index, OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC));
        }
    }
}
