package dev.edgeplane.controlplane;

/**
 * One IPv4 or IPv6 address, or a CIDR block of them, parsed from a literal (never a DNS look-up)
 * and held as 128 bits: IPv4 lives in the IPv4-mapped range {@code ::ffff:0:0/96}, so
 * {@code ::ffff:192.0.2.1} and {@code 192.0.2.1} are the same address, as in
 * {@link dev.edgeplane.server.CidrAllowList}.
 *
 * <p>Parsing is strict: IPv4 is four decimal parts 0..255 without leading zeros (so no octal or
 * short forms such as {@code 127.1}); IPv6 is RFC 4291 text (one {@code ::}, an optional dotted
 * IPv4 tail), without brackets or zone ids. A block's host bits are cleared
 * ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}). {@link #text()} is the canonical form: dotted IPv4,
 * RFC 5952 IPv6 (lower case, longest zero run compressed), a {@code /prefix} only for blocks, so
 * equal blocks have equal text whatever spelling they arrived in.
 *
 * <p>Immutable and thread-safe.
 */
final class IpBlock
{
    /** Longest text an address can have (an IPv6 with an IPv4 tail). */
    private static final int MAX_ADDRESS_TEXT = 45;
    private static final long MAPPED_HI = 0L;
    private static final long MAPPED_LO_TOP = 0xFFFFL;

    private final long hi;
    private final long lo;
    /** Prefix length in the 128-bit space: an IPv4 /24 is 120. */
    private final int prefix;
    private final boolean v4;
    /** Rendered on first use ({@code /auth} only compares bits); a racy but idempotent cache, like String's hash. */
    private String text;

    private IpBlock(final long hi, final long lo, final int prefix)
    {
        this.prefix = prefix;
        this.hi = hi & maskHi(prefix);
        this.lo = lo & maskLo(prefix);
        this.v4 = prefix >= 96 && this.hi == MAPPED_HI && this.lo >>> 32 == MAPPED_LO_TOP;
    }

    /**
     * @return the address, or null when {@code s} is not a literal IPv4 or IPv6 address (a block
     *         with a {@code /prefix} is not an address).
     */
    static IpBlock address(final CharSequence s)
    {
        if (s == null || s.length() == 0 || s.length() > MAX_ADDRESS_TEXT)
        {
            return null;
        }
        return parse(s, 0, s.length(), -1);
    }

    /**
     * @return the address or CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), host bits
     *         cleared, or null when {@code s} is neither.
     */
    static IpBlock block(final CharSequence s)
    {
        if (s == null || s.length() == 0 || s.length() > MAX_ADDRESS_TEXT + 4)
        {
            return null;
        }
        final int n = s.length();
        int slash = -1;
        for (int i = 0; i < n; i++)
        {
            if (s.charAt(i) == '/')
            {
                slash = i;
                break;
            }
        }
        if (slash < 0)
        {
            return parse(s, 0, n, -1);
        }
        final int digits = n - slash - 1;
        if (digits < 1 || digits > 3)
        {
            return null;
        }
        int prefix = 0;
        for (int i = slash + 1; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                return null;
            }
            prefix = prefix * 10 + (c - '0');
        }
        if (digits > 1 && s.charAt(slash + 1) == '0')
        {
            return null;
        }
        return parse(s, 0, slash, prefix);
    }

    /** @param textPrefix the prefix as written (IPv4 0..32, IPv6 0..128), or -1 for an address. */
    private static IpBlock parse(final CharSequence s, final int from, final int to, final int textPrefix)
    {
        if (to - from > MAX_ADDRESS_TEXT || to == from)
        {
            return null;
        }
        boolean colon = false;
        for (int i = from; i < to; i++)
        {
            if (s.charAt(i) == ':')
            {
                colon = true;
                break;
            }
        }
        if (!colon)
        {
            final long v4 = parseV4(s, from, to);
            if (v4 < 0 || textPrefix > 32)
            {
                return null;
            }
            return new IpBlock(MAPPED_HI, MAPPED_LO_TOP << 32 | v4, textPrefix < 0 ? 128 : 96 + textPrefix);
        }
        final int[] groups = new int[8];
        if (!parseV6(s, from, to, groups) || textPrefix > 128)
        {
            return null;
        }
        final long hi = (long)groups[0] << 48 | (long)groups[1] << 32 | (long)groups[2] << 16 | groups[3];
        final long lo = (long)groups[4] << 48 | (long)groups[5] << 32 | (long)groups[6] << 16 | groups[7];
        return new IpBlock(hi, lo, textPrefix < 0 ? 128 : textPrefix);
    }

    /** @return the 32-bit address, or -1. */
    private static long parseV4(final CharSequence s, final int from, final int to)
    {
        long value = 0;
        int parts = 0;
        int i = from;
        while (true)
        {
            final int start = i;
            int part = 0;
            while (i < to && i - start < 3)
            {
                final char c = s.charAt(i);
                if (c < '0' || c > '9')
                {
                    break;
                }
                part = part * 10 + (c - '0');
                i++;
            }
            final int length = i - start;
            if (length == 0 || part > 255 || length > 1 && s.charAt(start) == '0')
            {
                return -1;
            }
            value = value << 8 | part;
            parts++;
            if (i == to)
            {
                return parts == 4 ? value : -1;
            }
            if (s.charAt(i) != '.' || parts == 4)
            {
                return -1;
            }
            i++;
        }
    }

    /** Parses RFC 4291 section 2.2 text into eight 16-bit groups; false when it is not one. */
    private static boolean parseV6(final CharSequence s, final int from, final int to, final int[] groups)
    {
        int count = 0;
        int gap = -1;
        int i = from;
        if (s.charAt(i) == ':')
        {
            if (to - i < 2 || s.charAt(i + 1) != ':')
            {
                return false;
            }
            gap = 0;
            i += 2;
        }
        while (i < to)
        {
            int end = i;
            boolean dotted = false;
            while (end < to && s.charAt(end) != ':')
            {
                dotted |= s.charAt(end) == '.';
                end++;
            }
            if (end == i)
            {
                return false;
            }
            if (dotted)
            {
                final long v4 = end == to && count <= 6 ? parseV4(s, i, end) : -1;
                if (v4 < 0)
                {
                    return false;
                }
                groups[count++] = (int)(v4 >>> 16);
                groups[count++] = (int)(v4 & 0xFFFF);
                i = end;
                break;
            }
            if (end - i > 4 || count == 8)
            {
                return false;
            }
            int group = 0;
            for (int k = i; k < end; k++)
            {
                final int d = hex(s.charAt(k));
                if (d < 0)
                {
                    return false;
                }
                group = group << 4 | d;
            }
            groups[count++] = group;
            if (end == to)
            {
                i = end;
                break;
            }
            // s[end] is ':'; "::" marks the gap, a single ':' must be followed by another group.
            if (end + 1 < to && s.charAt(end + 1) == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }
                gap = count;
                i = end + 2;
            }
            else
            {
                i = end + 1;
                if (i == to)
                {
                    return false;
                }
            }
        }
        if (gap < 0)
        {
            return count == 8;
        }
        if (count > 7)
        {
            return false;
        }
        // Move the groups after the gap to the end and zero the gap.
        final int tail = count - gap;
        System.arraycopy(groups, gap, groups, 8 - tail, tail);
        for (int k = gap; k < 8 - tail; k++)
        {
            groups[k] = 0;
        }
        return true;
    }

    /** @return the value of an ASCII hex digit, or -1 (no other Unicode digits). */
    private static int hex(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** @return the mask of the high 64 bits for a prefix length in the 128-bit space. */
    static long maskHi(final int prefix)
    {
        return prefix >= 64 ? -1L : prefix == 0 ? 0L : -1L << 64 - prefix;
    }

    /** @return the mask of the low 64 bits for a prefix length in the 128-bit space. */
    static long maskLo(final int prefix)
    {
        return prefix <= 64 ? 0L : prefix == 128 ? -1L : -1L << 128 - prefix;
    }

    /** @return true for a single address (no block). */
    boolean isAddress()
    {
        return prefix == 128;
    }

    /** @return true for IPv4 (an address or block inside the IPv4-mapped range). */
    boolean isV4()
    {
        return v4;
    }

    long hi()
    {
        return hi;
    }

    long lo()
    {
        return lo;
    }

    /** @return the prefix length in the 128-bit space (an IPv4 /24 is 120; an address is 128). */
    int prefix()
    {
        return prefix;
    }

    /** @return true when {@code address} lies in this block; IPv4 and IPv6 never cover each other. */
    boolean covers(final IpBlock address)
    {
        return address.v4 == v4 && address.prefix >= prefix
            && (address.hi & maskHi(prefix)) == hi && (address.lo & maskLo(prefix)) == lo;
    }

    /** @return the canonical text. */
    String text()
    {
        String t = text;
        if (t == null)
        {
            t = render();
            text = t;
        }
        return t;
    }

    private String render()
    {
        final StringBuilder sb = new StringBuilder(prefix == 128 ? 15 : 20);
        if (v4)
        {
            final long a = lo & 0xFFFF_FFFFL;
            sb.append(a >>> 24).append('.').append(a >>> 16 & 0xFF).append('.').append(a >>> 8 & 0xFF).append('.').append(a & 0xFF);
            if (prefix < 128)
            {
                sb.append('/').append(prefix - 96);
            }
            return sb.toString();
        }
        final int[] g = new int[8];
        for (int k = 0; k < 4; k++)
        {
            g[k] = (int)(hi >>> 48 - 16 * k & 0xFFFF);
            g[k + 4] = (int)(lo >>> 48 - 16 * k & 0xFFFF);
        }
        // RFC 5952 section 4.2: compress the longest run of two or more zero groups, the first on a tie.
        int bestStart = -1;
        int bestLength = 1;
        for (int k = 0; k < 8; )
        {
            if (g[k] != 0)
            {
                k++;
                continue;
            }
            int end = k;
            while (end < 8 && g[end] == 0)
            {
                end++;
            }
            if (end - k > bestLength)
            {
                bestStart = k;
                bestLength = end - k;
            }
            k = end;
        }
        for (int k = 0; k < 8; k++)
        {
            if (k == bestStart)
            {
                sb.append("::");
                k += bestLength - 1;
                continue;
            }
            if (k > 0 && k != bestStart + bestLength)
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[k]));
        }
        if (prefix < 128)
        {
            sb.append('/').append(prefix);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof IpBlock b && b.hi == hi && b.lo == lo && b.prefix == prefix;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(hi * 31 + lo) * 31 + prefix;
    }

    @Override
    public String toString()
    {
        return text();
    }
}
