package dev.edgeplane.server;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.netty.util.AsciiString;

/**
 * The {@code Date} header value (RFC 9110 §5.6.7), formatted at most once per second per race
 * instead of once per response.
 *
 * <p>Thread-safe: a stale read costs at most one extra format.
 */
final class HttpDate
{
    /** IMF-fixdate: two-digit day, "GMT" (RFC_1123_DATE_TIME would write "3 Jun"). */
    private static final DateTimeFormatter FORMAT =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US).withZone(ZoneOffset.UTC);

    private static volatile Cached cached = new Cached(0, AsciiString.EMPTY_STRING);

    private record Cached(long second, AsciiString value)
    {
    }

    private HttpDate()
    {
    }

    static AsciiString now()
    {
        final long second = System.currentTimeMillis() / 1000;
        final Cached c = cached;
        if (c.second == second)
        {
            return c.value;
        }
        final AsciiString value = new AsciiString(FORMAT.format(Instant.ofEpochSecond(second)));
        cached = new Cached(second, value);
        return value;
    }
}
