package dev.edgeplane.relay;

import java.security.SecureRandom;

/**
 * Makes relay object ids: a prefix ({@code usr_}, {@code rs_}, {@code la_}) plus a lowercase ULID (48-bit
 * millisecond time, 80 random bits, 26 Crockford base32 characters), the id format of every Edgeplane object.
 * The random part comes from {@link SecureRandom} because login attempt ids appear in URLs.
 *
 * <p>Stateless and thread-safe.
 */
final class RelayIds
{
    static final String USER = "usr_";
    static final String SESSION = "rs_";
    static final String LOGIN_ATTEMPT = "la_";

    private static final char[] CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RelayIds()
    {
    }

    static String next(final String prefix, final long nowMillis)
    {
        final char[] id = new char[prefix.length() + 26];
        prefix.getChars(0, prefix.length(), id, 0);
        int at = prefix.length();
        long time = nowMillis & 0xFFFF_FFFF_FFFFL;
        for (int i = 9; i >= 0; i--)
        {
            id[at + i] = CROCKFORD[(int)(time & 31)];
            time >>>= 5;
        }
        at += 10;
        final long high = RANDOM.nextLong();
        final long low = RANDOM.nextLong();
        for (int i = 0; i < 16; i++)
        {
            final long bits = i < 12 ? (high >>> (i * 5)) : (low >>> ((i - 12) * 5));
            id[at + i] = CROCKFORD[(int)(bits & 31)];
        }
        return new String(id);
    }

    /** @return true when {@code id} is {@code prefix} followed by 26 lowercase Crockford characters. */
    static boolean valid(final String prefix, final String id)
    {
        if (id == null || id.length() != prefix.length() + 26 || !id.startsWith(prefix))
        {
            return false;
        }
        for (int i = prefix.length(); i < id.length(); i++)
        {
            final char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u')))
            {
                return false;
            }
        }
        return true;
    }
}
