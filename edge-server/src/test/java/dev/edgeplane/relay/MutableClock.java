package dev.edgeplane.relay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that stands still until a test moves it, so expiry logic is deterministic. Thread-safe. */
final class MutableClock extends Clock
{
    private final AtomicLong millis;

    MutableClock(final Instant start)
    {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    void advance(final Duration d)
    {
        millis.addAndGet(d.toMillis());
    }

    void advanceSeconds(final long seconds)
    {
        advance(Duration.ofSeconds(seconds));
    }

    @Override
    public long millis()
    {
        return millis.get();
    }

    @Override
    public Instant instant()
    {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final ZoneId zone)
    {
        return this;
    }
}
