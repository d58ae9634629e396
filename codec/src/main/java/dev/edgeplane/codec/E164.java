package dev.edgeplane.codec;

/**
 * Phone numbers as E.164 digit strings, the one form in which Edgeplane compares them: {@code +12025550123},
 * {@code 12025550123}, {@code +1 (202) 555-0123}, {@code tel:+1-202-555-0123} and {@code sip:+12025550123@host}
 * are all the DID {@code 12025550123} (docs/SPEC-control-plane.md: "Phone numbers are compared in E.164 digits").
 *
 * <p>ITU-T E.164 numbers have at most 15 digits. Visual separators are those of RFC 3966 §5.1.1 ({@code - . ( )})
 * plus the space people type. A {@code tel:} or {@code sip:}/{@code sips:} URI contributes its number or user part
 * only; a user part with parameters ({@code ;npdi}), a percent-escape or anything else that is not a digit or a
 * separator makes the whole input invalid rather than being guessed at.
 *
 * <p>Stateless and thread-safe.
 */
public final class E164
{
    /** Most digits in an E.164 number (ITU-T E.164 §6). */
    public static final int MAX_DIGITS = 15;

    /** Fewest digits {@link #isPstn} accepts: shorter strings are extensions or service codes, not PSTN numbers. */
    public static final int MIN_PSTN_DIGITS = 7;

    private E164()
    {
    }

    /**
     * Normalise a phone number to its digits.
     *
     * @param s a number, {@code tel:} URI or {@code sip:}/{@code sips:} URI; may be null.
     * @return the digits (1 to {@value #MAX_DIGITS}, without {@code +}), or null if {@code s} is null, has no digits,
     *         has more than {@value #MAX_DIGITS}, or holds anything besides one leading {@code +}, digits and
     *         separators.
     */
    public static String digits(final String s)
    {
        if (null == s)
        {
            return null;
        }

        int start = 0;
        int end = s.length();
        if (startsWithIgnoreCase(s, "tel:"))
        {
            start = 4;
        }
        else if (startsWithIgnoreCase(s, "sip:") || startsWithIgnoreCase(s, "sips:"))
        {
            start = s.indexOf(':') + 1;
            end = s.indexOf('@', start);
            if (end < 0)
            {
                return null;
            }
        }

        // Fast path for the common spellings "12025550123" and "+12025550123": no scratch array, and
        // no allocation at all when the input already is the answer.
        final int first = start < end && s.charAt(start) == '+' ? start + 1 : start;
        int plain = first;
        while (plain < end && s.charAt(plain) >= '0' && s.charAt(plain) <= '9')
        {
            plain++;
        }
        if (plain == end && end > first)
        {
            if (end - first > MAX_DIGITS)
            {
                return null;
            }
            return first == 0 && end == s.length() ? s : s.substring(first, end);
        }

        final char[] digits = new char[MAX_DIGITS];
        int count = 0;
        boolean seenDigitOrPlus = false;
        for (int i = start; i < end; i++)
        {
            final char c = s.charAt(i);
            if (c >= '0' && c <= '9')
            {
                if (count == MAX_DIGITS)
                {
                    return null;
                }
                digits[count++] = c;
                seenDigitOrPlus = true;
            }
            else if (c == '+')
            {
                if (seenDigitOrPlus)
                {
                    return null;
                }
                seenDigitOrPlus = true;
            }
            else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
            {
                return null;
            }
        }
        return count == 0 ? null : new String(digits, 0, count);
    }

    /**
     * @param digits a digit string, as returned by {@link #digits}.
     * @return true if it has {@value #MIN_PSTN_DIGITS} to {@value #MAX_DIGITS} ASCII digits and nothing else.
     */
    public static boolean isPstn(final String digits)
    {
        if (null == digits || digits.length() < MIN_PSTN_DIGITS || digits.length() > MAX_DIGITS)
        {
            return false;
        }
        for (int i = 0; i < digits.length(); i++)
        {
            final char c = digits.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(final String s, final String lowerPrefix)
    {
        if (s.length() < lowerPrefix.length())
        {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length(); i++)
        {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z')
            {
                c = (char)(c + ('a' - 'A'));
            }
            if (c != lowerPrefix.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
