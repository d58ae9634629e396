package dev.edgeplane.relay;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Per-user rate limits of the relay API (docs/SPEC-relay.md, "Rate limits"): a fixed 60-second window per
 * (user, policy) that starts with the user's first request, counted on the user's shard.
 *
 * <p>Every answer of a limited route carries the fields of draft-ietf-httpapi-ratelimit-headers (drafts
 * 08-11, HTTP Structured Fields): {@code RateLimit-Policy: "relay-start";q=6;w=60} (the quota policy) and
 * {@code RateLimit: "relay-start";r=3;t=42} (r = requests left in the window after this one, t = seconds until
 * the window resets). Over the limit the answer is 429 {@code rate_limited} with {@code Retry-After} = t.
 *
 * <p>Windows live on-heap in one map per shard: losing them in a restart only grants a fresh minute, which is
 * not worth an off-heap write per request. Not thread-safe: {@link #admit} and {@link #sweep} run only on the
 * shard whose map they touch.
 */
final class RateLimiter
{
    static final long WINDOW_MILLIS = 60_000;

    /** The limited routes and their per-minute quotas. */
    enum Policy
    {
        START("relay-start", 6),
        STOP("relay-stop", 20),
        ACTIVE("relay-active", 60),
        USAGE("usage-current", 30);

        final String id;
        final int quota;
        final String policyHeader;

        Policy(final String id, final int quota)
        {
            this.id = id;
            this.quota = quota;
            this.policyHeader = "\"" + id + "\";q=" + quota + ";w=" + WINDOW_MILLIS / 1000;
        }
    }

    private static final class Window
    {
        long startMillis;
        int count;
    }

    private final Map<String, Window>[] windows;

    @SuppressWarnings({"unchecked", "rawtypes"})
    RateLimiter(final int shards)
    {
        this.windows = new Map[shards];
        for (int i = 0; i < shards; i++)
        {
            windows[i] = new HashMap<>();
        }
    }

    /**
     * Counts one request and sets the rate-limit headers on {@code headers}.
     *
     * @return null when the request may proceed, else the 429 outcome (with {@code Retry-After}).
     */
    Outcome admit(final ShardWriter shard, final String userId, final Policy policy, final long now,
        final HttpHeaders headers)
    {
        final Map<String, Window> map = windows[shard.index()];
        final String key = policy.ordinal() + ":" + userId;
        Window w = map.get(key);
        if (w == null)
        {
            w = new Window();
            w.startMillis = now;
            map.put(key, w);
        }
        else if (now >= w.startMillis + WINDOW_MILLIS || now < w.startMillis)
        {
            w.startMillis = now; // a new window (or the clock went back: start over rather than lock out)
            w.count = 0;
        }
        final long reset = Math.max(1, (w.startMillis + WINDOW_MILLIS - now + 999) / 1000);
        headers.set("RateLimit-Policy", policy.policyHeader);
        if (w.count >= policy.quota)
        {
            headers.set("RateLimit", "\"" + policy.id + "\";r=0;t=" + reset);
            headers.set("Retry-After", Long.toString(reset));
            return Outcome.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited",
                "at most " + policy.quota + " requests per minute; retry after " + reset + " s",
                Outcome.details("policy", policy.id, "limit", (long)policy.quota, "window_s", WINDOW_MILLIS / 1000,
                    "retry_after_s", reset));
        }
        w.count++;
        headers.set("RateLimit", "\"" + policy.id + "\";r=" + (policy.quota - w.count) + ";t=" + reset);
        return null;
    }

    /** Forgets windows that have ended; on the shard's writer. */
    void sweep(final ShardWriter shard, final long now)
    {
        final Iterator<Window> it = windows[shard.index()].values().iterator();
        while (it.hasNext())
        {
            if (now >= it.next().startMillis + WINDOW_MILLIS)
            {
                it.remove();
            }
        }
    }
}
