package dev.edgeplane.persistence.config;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;

/**
 * The one text form of a JSON document that survives a trip through PostgreSQL {@code jsonb} unchanged in meaning and
 * in spelling, so that configuration read back equals configuration applied.
 *
 * <p>{@code jsonb} forgets the document's key order and spacing: it keeps object keys ordered by UTF-8 length, then
 * bytewise, prints numbers as {@code numeric} does, and adds a space after {@code :} and {@code ,}. Canonical form is
 * therefore: compact, keys in that order, numbers in plain notation ({@code 1e2} is {@code 100}, {@code 1.50} stays
 * {@code 1.50}), strings escaped as jackson-core escapes them. Parsing goes through {@link Json#parse}, with its limits
 * and its refusal of duplicate keys (which {@code jsonb} would silently collapse).
 *
 * <p>Stateless and thread-safe.
 */
final class CanonicalJson
{
    private static final Comparator<String> JSONB_KEY_ORDER = (a, b) ->
    {
        final byte[] x = a.getBytes(StandardCharsets.UTF_8);
        final byte[] y = b.getBytes(StandardCharsets.UTF_8);
        if (x.length != y.length)
        {
            return Integer.compare(x.length, y.length);
        }
        return Arrays.compareUnsigned(x, y);
    };

    /** What {@link #parse} returns for text that is not valid JSON (distinct from a JSON {@code null}). */
    static final Object INVALID = new Object();

    private CanonicalJson()
    {
    }

    /**
     * @param json JSON text.
     * @return its canonical form, or null if it is not one valid JSON value.
     */
    static String of(final String json)
    {
        final Object tree = parse(json);
        if (INVALID == tree)
        {
            return null;
        }
        final StringWriter out = new StringWriter(json.length());
        try (JsonGenerator g = Json.factory().createGenerator(out))
        {
            write(g, tree);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString();
    }

    /**
     * @param json JSON text.
     * @return the parsed tree (as {@link Json#parse} gives it), or {@link #INVALID} if the text is not valid JSON.
     */
    static Object parse(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try
        {
            return Json.parse(bytes, 0, bytes.length);
        }
        catch (final DecodeException ex)
        {
            return INVALID;
        }
    }

    /**
     * @param tree a parsed tree.
     * @return true if a string or key anywhere in it contains U+0000, which {@code jsonb} cannot store.
     */
    static boolean containsNul(final Object tree)
    {
        if (tree instanceof String)
        {
            return ((String)tree).indexOf('\0') >= 0;
        }
        if (tree instanceof Map)
        {
            for (final Map.Entry<?, ?> entry : ((Map<?, ?>)tree).entrySet())
            {
                if (containsNul(entry.getKey()) || containsNul(entry.getValue()))
                {
                    return true;
                }
            }
            return false;
        }
        if (tree instanceof List)
        {
            for (final Object element : (List<?>)tree)
            {
                if (containsNul(element))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void write(final JsonGenerator g, final Object tree) throws IOException
    {
        if (tree instanceof Map)
        {
            final Map<?, ?> map = (Map<?, ?>)tree;
            final List<String> keys = new ArrayList<>(map.size());
            for (final Object key : map.keySet())
            {
                keys.add((String)key);
            }
            keys.sort(JSONB_KEY_ORDER);
            g.writeStartObject();
            for (final String key : keys)
            {
                g.writeFieldName(key);
                write(g, map.get(key));
            }
            g.writeEndObject();
        }
        else if (tree instanceof List)
        {
            g.writeStartArray();
            for (final Object element : (List<?>)tree)
            {
                write(g, element);
            }
            g.writeEndArray();
        }
        else if (tree instanceof BigDecimal)
        {
            // numeric prints the plain digits with its scale clamped at 0, as toPlainString does.
            g.writeNumber(((BigDecimal)tree).toPlainString());
        }
        else
        {
            Json.writeValue(g, tree);
        }
    }
}
