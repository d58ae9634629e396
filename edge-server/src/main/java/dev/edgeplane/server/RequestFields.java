package dev.edgeplane.server;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;

/**
 * The one rule for text fields of request bodies and query strings, on every surface (control plane,
 * relay): a value is bounded in length and free of NUL, and <b>an empty value is the same as no value</b>:
 * an optional field sent empty is absent (null), a required one sent empty is a problem
 * ({@code "must not be empty"}). HTML forms and many clients send unset inputs as {@code name=}; treating
 * that as "not given" means an empty string never reaches state (an empty contact, password or note),
 * and a field cannot be cleared by sending it empty. Problems are collected, not thrown, so one
 * {@code 400} ({@link Answer#invalid}) lists them all.
 *
 * <p>Stateless and thread-safe.
 */
public final class RequestFields
{
    /** Default longest text value. */
    public static final int MAX_TEXT = 512;

    private RequestFields()
    {
    }

    /** @return the field's text (at most {@link #MAX_TEXT} characters), or null; see the class rule. */
    public static String text(final Fields f, final String name, final boolean required, final Problems problems)
    {
        return text(f, name, required, MAX_TEXT, problems);
    }

    /**
     * @return the field's text, or null (with a problem when required and absent or empty, not a string,
     *         longer than {@code max}, or containing NUL).
     */
    public static String text(final Fields f, final String name, final boolean required, final int max, final Problems problems)
    {
        final String s = required ? f.requireString(name, problems) : f.optString(name, null, problems);
        if (s == null)
        {
            return null;
        }
        if (s.length() > max)
        {
            problems.add(name, "must be at most " + max + " characters");
            return null;
        }
        if (s.indexOf('\0') >= 0)
        {
            problems.add(name, "must not contain NUL");
            return null;
        }
        if (s.isEmpty())
        {
            if (required)
            {
                problems.add(name, "must not be empty");
            }
            return null;
        }
        return s;
    }
}
