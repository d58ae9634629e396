package dev.edgeplane.codec;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The top-level fields of a request body, whatever its content type: an ordered name to value
 * map.
 *
 * <p>Values are {@code String}, {@code Long} (JSON integers that fit in a long),
 * {@link BigDecimal} (every other JSON number), {@code Boolean}, {@code null} (a JSON null: the
 * field is present), {@code Map<String, Object>} (a {@link LinkedHashMap}, for nested objects)
 * and {@code List<Object>} (nested arrays). Form and query values are always strings.
 *
 * <p>The typed accessors never throw on bad input: they record a problem in the caller's
 * {@link Problems} (with this field's path) and return a fallback, so a handler validates every
 * field and then answers once with all problems. The path of field {@code x} is {@code x}, or
 * {@code prefix.x} for a view made by {@link #of(Map, String)} over a nested object.
 *
 * <p>Treat as immutable: nothing in this package changes a {@code Fields}, its nested maps or
 * lists after decoding, and callers must not either. Safe to hand to another thread through a
 * happens-before edge (such as a queue).
 */
public final class Fields
{
    private static final Fields EMPTY = new Fields(Collections.emptyMap(), null);
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final int OK = 0;
    private static final int NOT_INTEGER = 1;
    private static final int OUT_OF_RANGE = 2;

    private final Map<String, Object> values;
    private final String pathPrefix;

    private Fields(final Map<String, Object> values, final String pathPrefix)
    {
        this.values = values;
        this.pathPrefix = pathPrefix;
    }

    /**
     * @return the shared empty instance.
     */
    public static Fields empty()
    {
        return EMPTY;
    }

    /**
     * A view over an already decoded object (typically a nested one from {@link #optObject}).
     * The map is not copied.
     *
     * @param values decoded name to value map, as produced by {@link Json#parse}.
     * @return a view whose problem paths are the bare field names.
     */
    public static Fields of(final Map<String, Object> values)
    {
        return of(values, null);
    }

    /**
     * A view over an already decoded nested object whose problems are reported under a path,
     * e.g. {@code Fields.of(device, "accounts[0].devices[1]")} reports a missing username as
     * {@code accounts[0].devices[1].username}. The map is not copied.
     *
     * @param values     decoded name to value map, as produced by {@link Json#parse}.
     * @param pathPrefix prefix of problem paths, or null for none.
     * @return the view.
     */
    public static Fields of(final Map<String, Object> values, final String pathPrefix)
    {
        if (values == null)
        {
            throw new NullPointerException("values");
        }
        return new Fields(values, pathPrefix);
    }

    /**
     * Decode a JSON body whose top-level value must be an object.
     *
     * @param buf input bytes, UTF-8.
     * @param off first byte.
     * @param len number of bytes.
     * @return the object's members.
     * @throws DecodeException if the input is not a single well-formed JSON object (see
     *                         {@link Json#parse}).
     */
    public static Fields fromJson(final byte[] buf, final int off, final int len)
    {
        return new Fields(Json.parseObject(buf, off, len), null);
    }

    /**
     * Wrap a map built by a decoder of this package; the map is owned by the result.
     */
    static Fields wrap(final Map<String, Object> values)
    {
        return values.isEmpty() ? EMPTY : new Fields(values, null);
    }

    /**
     * @param name field name.
     * @return true if the field is present, even with a JSON null value.
     */
    public boolean has(final String name)
    {
        return values.containsKey(name);
    }

    /**
     * @param name field name.
     * @return the decoded value, or null if absent or JSON null.
     */
    public Object raw(final String name)
    {
        return values.get(name);
    }

    /**
     * @return the field names in input order, read-only.
     */
    public Set<String> names()
    {
        return Collections.unmodifiableSet(values.keySet());
    }

    /**
     * @return the number of fields.
     */
    public int size()
    {
        return values.size();
    }

    /**
     * @return the fields as a read-only map in input order (for {@link Json#write}).
     */
    public Map<String, Object> asMap()
    {
        return Collections.unmodifiableMap(values);
    }

    /**
     * A string field that must be present. An empty string is present; JSON numbers and
     * booleans are not coerced.
     *
     * @param name     field name.
     * @param problems where to record "is required" (absent or null) or "must be a string".
     * @return the value, or null if a problem was recorded.
     */
    public String requireString(final String name, final Problems problems)
    {
        final Object value = values.get(name);
        if (value instanceof String)
        {
            return (String)value;
        }
        problems.add(path(name), value == null ? "is required" : "must be a string");
        return null;
    }

    /**
     * An optional string field.
     *
     * @param name     field name.
     * @param dflt     value when the field is absent or null.
     * @param problems where to record "must be a string".
     * @return the value, or {@code dflt} if absent, null or a problem was recorded.
     */
    public String optString(final String name, final String dflt, final Problems problems)
    {
        final Object value = values.get(name);
        if (value instanceof String)
        {
            return (String)value;
        }
        if (value != null)
        {
            problems.add(path(name), "must be a string");
        }
        return dflt;
    }

    /**
     * An integer field that must be present: a JSON number with an integral value, or a string
     * of decimal digits with an optional leading '-' (form and query values are strings).
     *
     * @param name     field name.
     * @param min      smallest accepted value.
     * @param max      largest accepted value.
     * @param problems where to record "is required", "must be an integer" or
     *                 "must be between min and max".
     * @return the value, or {@code min} if a problem was recorded.
     */
    public long requireLong(final String name, final long min, final long max, final Problems problems)
    {
        final Object value = values.get(name);
        if (value == null)
        {
            problems.add(path(name), "is required");
            return min;
        }
        return toLong(name, value, min, min, max, problems);
    }

    /**
     * An optional integer field, coerced as in {@link #requireLong}.
     *
     * @param name     field name.
     * @param dflt     value when the field is absent or null (not range-checked).
     * @param min      smallest accepted value.
     * @param max      largest accepted value.
     * @param problems where to record "must be an integer" or "must be between min and max".
     * @return the value, or {@code dflt} if absent, null or a problem was recorded.
     */
    public long optLong(final String name, final long dflt, final long min, final long max, final Problems problems)
    {
        final Object value = values.get(name);
        if (value == null)
        {
            return dflt;
        }
        return toLong(name, value, dflt, min, max, problems);
    }

    /**
     * An optional boolean field: a JSON boolean, or one of the strings "true", "false", "1",
     * "0".
     *
     * @param name     field name.
     * @param dflt     value when the field is absent or null.
     * @param problems where to record "must be a boolean".
     * @return the value, or {@code dflt} if absent, null or a problem was recorded.
     */
    public boolean optBoolean(final String name, final boolean dflt, final Problems problems)
    {
        final Object value = values.get(name);
        if (value == null)
        {
            return dflt;
        }
        if (value instanceof Boolean)
        {
            return (Boolean)value;
        }
        if (value instanceof String)
        {
            final String s = (String)value;
            if ("true".equals(s) || "1".equals(s))
            {
                return true;
            }
            if ("false".equals(s) || "0".equals(s))
            {
                return false;
            }
        }
        problems.add(path(name), "must be a boolean");
        return dflt;
    }

    /**
     * An optional nested object.
     *
     * @param name     field name.
     * @param problems where to record "must be an object".
     * @return the object's members, or null if absent, null or a problem was recorded.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> optObject(final String name, final Problems problems)
    {
        final Object value = values.get(name);
        if (value == null || value instanceof Map)
        {
            return (Map<String, Object>)value;
        }
        problems.add(path(name), "must be an object");
        return null;
    }

    /**
     * An optional nested array.
     *
     * @param name     field name.
     * @param problems where to record "must be an array".
     * @return the elements, or null if absent, null or a problem was recorded.
     */
    @SuppressWarnings("unchecked")
    public List<Object> optList(final String name, final Problems problems)
    {
        final Object value = values.get(name);
        if (value == null || value instanceof List)
        {
            return (List<Object>)value;
        }
        problems.add(path(name), "must be an array");
        return null;
    }

    private long toLong(
        final String name,
        final Object value,
        final long fallback,
        final long min,
        final long max,
        final Problems problems)
    {
        final long result;
        if (value instanceof Long)
        {
            result = (Long)value;
        }
        else if (value instanceof String)
        {
            final String s = (String)value;
            final int status = parseStatus(s);
            if (status == NOT_INTEGER)
            {
                problems.add(path(name), "must be an integer");
                return fallback;
            }
            if (status == OUT_OF_RANGE)
            {
                problems.add(path(name), rangeMessage(min, max));
                return fallback;
            }
            result = Long.parseLong(s);
        }
        else if (value instanceof BigDecimal)
        {
            final BigDecimal d = (BigDecimal)value;
            // Scale is bounded by Json (MAX_DECIMAL_SCALE), so these stay cheap.
            if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0)
            {
                problems.add(path(name), "must be an integer");
                return fallback;
            }
            if (d.compareTo(LONG_MIN) < 0 || d.compareTo(LONG_MAX) > 0)
            {
                problems.add(path(name), rangeMessage(min, max));
                return fallback;
            }
            result = d.longValue();
        }
        else
        {
            problems.add(path(name), "must be an integer");
            return fallback;
        }
        if (result < min || result > max)
        {
            problems.add(path(name), rangeMessage(min, max));
            return fallback;
        }
        return result;
    }

    /**
     * Classify a string as an optionally negative run of ASCII digits that does or does not fit
     * in a long, without throwing.
     */
    private static int parseStatus(final String s)
    {
        final int length = s.length();
        final int start = length > 0 && s.charAt(0) == '-' ? 1 : 0;
        if (start == length)
        {
            return NOT_INTEGER;
        }
        for (int i = start; i < length; i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                return NOT_INTEGER;
            }
        }
        int firstNonZero = start;
        while (firstNonZero < length - 1 && s.charAt(firstNonZero) == '0')
        {
            firstNonZero++;
        }
        final int digits = length - firstNonZero;
        if (digits < 19)
        {
            return OK;
        }
        if (digits > 19)
        {
            return OUT_OF_RANGE;
        }
        // 19 digits: compare with the extreme as text (same length, so lexical order is numeric).
        final String limit = start == 1 ? "9223372036854775808" : "9223372036854775807";
        for (int i = 0; i < 19; i++)
        {
            final char c = s.charAt(firstNonZero + i);
            final char l = limit.charAt(i);
            if (c != l)
            {
                return c < l ? OK : OUT_OF_RANGE;
            }
        }
        return OK;
    }

    private static String rangeMessage(final long min, final long max)
    {
        return "must be between " + min + " and " + max;
    }

    private String path(final String name)
    {
        return pathPrefix == null ? name : pathPrefix + "." + name;
    }

    @Override
    public String toString()
    {
        return "Fields" + values;
    }
}
