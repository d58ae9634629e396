package dev.edgeplane.controlplane.acd;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes lease ids: {@code lease_} plus a lowercase ULID (48-bit millisecond time, 80 random bits, 26
 * Crockford base32 characters), the id format of every Edgeplane object.
 *
 * <p>Stateless and thread-safe.
 */
final class LeaseIds
{
    static final String PREFIX = "lease_";
    private static final char[] CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private LeaseIds()
    {
    }

    static String next(final long nowMillis)
    {
        final char[] id = new char[PREFIX.length() + 26];
        PREFIX.getChars(0, PREFIX.length(), id, 0);
        int at = PREFIX.length();
        long time = nowMillis & 0xFFFF_FFFF_FFFFL;
        for (int i = 9; i >= 0; i--)
        {
            id[at + i] = CROCKFORD[(int)(time & 31)];
            time >>>= 5;
        }
        at += 10;
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final long high = random.nextLong();
        final long low = random.nextLong();
        for (int i = 0; i < 16; i++)
        {
            // 80 random bits: 5 per character, from two 64-bit draws.
            final long bits = i < 12 ? (high >>> (i * 5)) : (low >>> ((i - 12) * 5));
            id[at + i] = CROCKFORD[(int)(bits & 31)];
        }
        return new String(id);
    }
}
