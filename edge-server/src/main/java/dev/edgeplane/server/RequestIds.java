package dev.edgeplane.server;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids: a client's {@code X-Request-Id} when it is sane, otherwise a process-unique id made
 * of a random per-process prefix and a counter ({@code 5f3a9c1e-00000000002a}).
 *
 * <p>Thread-safe.
 */
public final class RequestIds
{
    private static final int MAX_CLIENT_ID_LENGTH = 128;
    private static final String PREFIX = String.format("%08x-", ThreadLocalRandom.current().nextInt());
    private static final AtomicLong COUNTER = new AtomicLong();

    private RequestIds()
    {
    }

    /** @return a new id. */
    public static String next()
    {
        final String hex = Long.toHexString(COUNTER.incrementAndGet());
        final StringBuilder sb = new StringBuilder(PREFIX.length() + 12).append(PREFIX);
        for (int i = hex.length(); i < 12; i++)
        {
            sb.append('0');
        }
        return sb.append(hex).toString();
    }

    /**
     * @return the client's id when it is 1..128 visible ASCII characters (so it is safe to echo in a
     *         header and a log line), otherwise a new one.
     */
    public static String fromClient(final String clientId)
    {
        if (clientId == null || clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH)
        {
            return next();
        }
        for (int i = 0; i < clientId.length(); i++)
        {
            final char c = clientId.charAt(i);
            if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
            {
                return next();
            }
        }
        return clientId;
    }
}
