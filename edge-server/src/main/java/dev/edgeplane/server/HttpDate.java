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
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

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
