package dev.edgeplane.codec;

/**
 * Strict UTF-8 validation as defined by RFC 3629 and Unicode Table 3-7 (well-formed byte
 * sequences): overlong forms, UTF-16 surrogates (U+D800..U+DFFF), code points above U+10FFFF
 * and truncated sequences are all invalid. The JDK decoders replace such input silently, and
 * Jackson's byte parser accepts overlong forms and surrogates, so every decoder in this package
 * validates with this class before it builds a {@code String}.
 *
 * <p>Stateless and thread-safe; allocates nothing.
 */
public final class Utf8
{
    private Utf8()
    {
    }

    /**
     * @param buf bytes to check.
     * @param off first byte.
     * @param len number of bytes.
     * @return true if {@code buf[off, off + len)} is well-formed UTF-8.
     */
    public static boolean isValid(final byte[] buf, final int off, final int len)
    {
        return firstInvalid(buf, off, len) < 0;
    }

    /**
     * @param buf bytes to check.
     * @param off first byte.
     * @param len number of bytes.
     * @return the index into {@code buf} of the first byte of the first ill-formed sequence, or
     *         -1 if {@code buf[off, off + len)} is well-formed UTF-8.
     */
    public static int firstInvalid(final byte[] buf, final int off, final int len)
    {
        final int end = off + len;
        int i = off;
        while (i < end)
        {
            final int b = buf[i];
            if (b >= 0)
            {
                i++;
                continue;
            }
            final int n = sequenceLength(buf, i, end);
            if (n < 0)
            {
                return i;
            }
            i += n;
        }
        return -1;
    }

    /**
     * Validate the multi-byte sequence whose lead byte (0x80..0xFF) is at {@code buf[i]}.
     *
     * @return the length of the sequence (2..4), or -1 if it is ill-formed or truncated.
     */
    static int sequenceLength(final byte[] buf, final int i, final int end)
    {
        final int b0 = buf[i] & 0xFF;
        if (b0 < 0xC2)
        {
            // 0x80..0xBF: continuation byte without a lead; 0xC0, 0xC1: always overlong.
            return -1;
        }
        if (b0 < 0xE0)
        {
            if (i + 1 >= end || !isContinuation(buf[i + 1]))
            {
                return -1;
            }
            return 2;
        }
        if (b0 < 0xF0)
        {
            if (i + 2 >= end)
            {
                return -1;
            }
            final int b1 = buf[i + 1] & 0xFF;
            // E0 needs A0..BF (else overlong); ED needs 80..9F (else a surrogate).
            final int lo = b0 == 0xE0 ? 0xA0 : 0x80;
            final int hi = b0 == 0xED ? 0x9F : 0xBF;
            if (b1 < lo || b1 > hi || !isContinuation(buf[i + 2]))
            {
                return -1;
            }
            return 3;
        }
        if (b0 < 0xF5)
        {
            if (i + 3 >= end)
            {
                return -1;
            }
            final int b1 = buf[i + 1] & 0xFF;
            // F0 needs 90..BF (else overlong); F4 needs 80..8F (else above U+10FFFF).
            final int lo = b0 == 0xF0 ? 0x90 : 0x80;
            final int hi = b0 == 0xF4 ? 0x8F : 0xBF;
            if (b1 < lo || b1 > hi || !isContinuation(buf[i + 2]) || !isContinuation(buf[i + 3]))
            {
                return -1;
            }
            return 4;
        }
        return -1;
    }

    private static boolean isContinuation(final byte b)
    {
        return (b & 0xC0) == 0x80;
    }
}
