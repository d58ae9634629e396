package dev.edgeplane.codec;

/**
 * The digest algorithms {@code POST /auth} verifies: RFC 2617 {@code MD5} and RFC 7616 {@code SHA-256}.
 *
 * <p>The session variants ({@code MD5-sess}, {@code SHA-256-sess}) and {@code SHA-512-256} are deliberately absent:
 * SIP user agents rarely send them and the SIP layer cannot challenge with them, so {@link #parse} returns null for
 * them and the caller reports the value as unsupported.
 *
 * <p>Immutable and thread-safe.
 */
public enum DigestAlgorithm
{
    /** RFC 2617 MD5; also the algorithm when a request names none (RFC 7616 §3.3). */
    MD5("MD5", "MD5", 32),

    /** RFC 7616 SHA-256. */
    SHA_256("SHA-256", "SHA-256", 64);

    private final String wireName;
    private final String jcaName;
    private final int hexLength;

    DigestAlgorithm(final String wireName, final String jcaName, final int hexLength)
    {
        this.wireName = wireName;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
    }

    /**
     * @return the {@code algorithm} parameter value as it appears on the wire, e.g. {@code SHA-256}.
     */
    public String wireName()
    {
        return wireName;
    }

    /**
     * @return the number of lowercase hex characters in a hash of this algorithm (32 for MD5, 64 for SHA-256), which
     *         is also the length of a valid HA1 and of a valid {@code response}.
     */
    public int hexLength()
    {
        return hexLength;
    }

    /**
     * @return the algorithm name for {@link java.security.MessageDigest#getInstance(String)}.
     */
    String jcaName()
    {
        return jcaName;
    }

    /**
     * Read an {@code algorithm} parameter. Allocates nothing.
     *
     * @param s the parameter value; null or empty means the default.
     * @return {@link #MD5} for null or empty, the algorithm whose {@link #wireName()} equals {@code s} ignoring ASCII
     *         case, or null for anything else (including {@code -sess} variants and {@code SHA-512-256}).
     */
    public static DigestAlgorithm parse(final String s)
    {
        if (null == s || s.isEmpty())
        {
            return MD5;
        }
        if (equalsAsciiIgnoreCase(MD5.wireName, s))
        {
            return MD5;
        }
        if (equalsAsciiIgnoreCase(SHA_256.wireName, s))
        {
            return SHA_256;
        }
        return null;
    }

    /**
     * ASCII-only case folding: {@link String#equalsIgnoreCase} would also fold e.g. U+017F (long s) to 'S'.
     */
    private static boolean equalsAsciiIgnoreCase(final String upper, final String s)
    {
        if (upper.length() != s.length())
        {
            return false;
        }
        for (int i = 0; i < upper.length(); i++)
        {
            char c = s.charAt(i);
            if (c >= 'a' && c <= 'z')
            {
                c = (char)(c - ('a' - 'A'));
            }
            if (c != upper.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
