package dev.edgeplane.codec;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON (RFC 8259) through jackson-core's streaming API only: the one configured
 * {@link JsonFactory}, a tree parser producing the value types of {@link Fields}, and a tree
 * writer.
 *
 * <p>Parsing is hardened for hostile input: nesting is capped at {@value #MAX_NESTING_DEPTH},
 * numbers at {@value #MAX_NUMBER_LENGTH} characters and a decimal exponent of
 * {@value #MAX_DECIMAL_SCALE}, strings at {@value #MAX_STRING_LENGTH} bytes; duplicate keys,
 * trailing data, raw control characters and ill-formed UTF-8 (including overlong forms and
 * encoded surrogates, which Jackson alone accepts) are rejected. Every failure is a
 * {@link DecodeException} with a short message for the client; no Jackson exception escapes.
 *
 * <p>Stateless and thread-safe. The factory is shared; parsers and generators it creates are
 * not thread-safe.
 */
public final class Json
{
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_NESTING_DEPTH = 64;

    /** Longest number, in characters, accepted. */
    public static final int MAX_NUMBER_LENGTH = 100;

    /** Longest string value, in bytes, accepted (1 MiB). */
    public static final int MAX_STRING_LENGTH = 1 << 20;

    /**
     * Largest magnitude of a decoded decimal's scale: {@code 1e999999999} is short but would make
     * any later exact arithmetic on it enormous, so it is refused at the door.
     */
    public static final int MAX_DECIMAL_SCALE = 1000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxStringLength(MAX_STRING_LENGTH)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        // Interning attacker-chosen keys would grow the JVM string table; canonicalising (the
        // per-factory symbol table, bounded and reset by Jackson) is kept for speed.
        .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
        .build();

    private Json()
    {
    }

    /**
     * @return the configured factory, for callers that stream with their own parser or
     *         generator. Thread-safe.
     */
    public static JsonFactory factory()
    {
        return FACTORY;
    }

    /**
     * Parse one JSON value that must fill the whole input (whitespace aside).
     *
     * @param buf input bytes, UTF-8.
     * @param off first byte.
     * @param len number of bytes.
     * @return the value as a tree: {@code Map<String, Object>} (a {@link LinkedHashMap}),
     *         {@code List<Object>}, {@code String}, {@code Long}, {@link BigDecimal},
     *         {@code Boolean} or {@code null}.
     * @throws DecodeException if the input is not exactly one well-formed JSON value within
     *                         the limits of this class.
     */
    public static Object parse(final byte[] buf, final int off, final int len)
    {
        return parse(buf, off, len, false);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(final byte[] buf, final int off, final int len)
    {
        return (Map<String, Object>)parse(buf, off, len, true);
    }

    private static Object parse(final byte[] buf, final int off, final int len, final boolean objectOnly)
    {
        checkBounds(buf, off, len);
        final boolean escapes = prescan(buf, off, len);
        JsonParser parser = null;
        try
        {
            parser = FACTORY.createParser(buf, off, len);
            // The tree builder below detects duplicates itself, with one map lookup per key;
            // Jackson's detector would allocate a HashSet per object on top of our map.
            parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            final JsonToken first = parser.nextToken();
            if (first == null)
            {
                throw malformedAt(len, "unexpected end of input");
            }
            if (objectOnly && first != JsonToken.START_OBJECT)
            {
                throw DecodeException.malformed("body must be a JSON object");
            }
            final Object value = readValue(parser, first, escapes, 0);
            final JsonToken next;
            try
            {
                next = parser.nextToken();
            }
            catch (final JsonProcessingException ex)
            {
                throw DecodeException.malformed("trailing data");
            }
            if (next != null)
            {
                throw DecodeException.malformed("trailing data");
            }
            return value;
        }
        catch (final JsonProcessingException ex)
        {
            throw translate(ex, parser, buf, off, len);
        }
        catch (final NumberFormatException ex)
        {
            throw malformedAt(tokenOffset(parser), "invalid number");
        }
        catch (final IOException ex)
        {
            // Reading from a byte array does no I/O; anything here is a parse failure.
            throw DecodeException.malformed("malformed JSON");
        }
        catch (final DecodeException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            // The contract is that no parser exception reaches a client; whatever Jackson throws
            // unchecked on some corner of hostile input is still just bad input.
            throw DecodeException.malformed("malformed JSON");
        }
        finally
        {
            if (parser != null)
            {
                try
                {
                    parser.close();
                }
                catch (final IOException ignore)
                {
                    // Closing a byte-array parser only returns buffers to the pool.
                }
            }
        }
    }

    private static Object readValue(final JsonParser p, final JsonToken token, final boolean escapes, final int depth)
        throws IOException
    {
        switch (token)
        {
            case START_OBJECT:
                return readObject(p, escapes, depth + 1);
            case START_ARRAY:
                return readArray(p, escapes, depth + 1);
            case VALUE_STRING:
            {
                final String text = p.getText();
                if (escapes)
                {
                    checkSurrogates(p, text);
                }
                return text;
            }
            case VALUE_NUMBER_INT:
            {
                final JsonParser.NumberType type = p.getNumberType();
                if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG)
                {
                    return p.getLongValue();
                }
                return new BigDecimal(p.getBigIntegerValue());
            }
            case VALUE_NUMBER_FLOAT:
            {
                final BigDecimal value = p.getDecimalValue();
                final int scale = value.scale();
                if (scale > MAX_DECIMAL_SCALE || scale < -MAX_DECIMAL_SCALE)
                {
                    throw malformedAt(tokenOffset(p), "number out of range");
                }
                return value;
            }
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw malformedAt(tokenOffset(p), "unexpected token");
        }
    }

    private static Map<String, Object> readObject(final JsonParser p, final boolean escapes, final int depth)
        throws IOException
    {
        checkDepth(depth);
        final LinkedHashMap<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken())
        {
            if (t != JsonToken.FIELD_NAME)
            {
                throw malformedAt(tokenOffset(p), t == null ? "unexpected end of input" : "expected a key");
            }
            final String name = p.currentName();
            if (escapes)
            {
                checkSurrogates(p, name);
            }
            final JsonToken valueToken = p.nextToken();
            if (valueToken == null)
            {
                throw malformedAt(tokenOffset(p), "unexpected end of input");
            }
            final Object value = readValue(p, valueToken, escapes, depth);
            final int size = map.size();
            map.put(name, value);
            if (map.size() == size)
            {
                throw DecodeException.malformed("duplicate key " + DecodeException.quote(name));
            }
        }
        return map;
    }

    private static List<Object> readArray(final JsonParser p, final boolean escapes, final int depth)
        throws IOException
    {
        checkDepth(depth);
        final ArrayList<Object> list = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken())
        {
            if (t == null)
            {
                throw malformedAt(tokenOffset(p), "unexpected end of input");
            }
            list.add(readValue(p, t, escapes, depth));
        }
        return list;
    }

    private static void checkDepth(final int depth)
    {
        // Jackson enforces the same limit first; this bounds our recursion whatever it does.
        if (depth > MAX_NESTING_DEPTH)
        {
            throw DecodeException.malformed("nesting deeper than " + MAX_NESTING_DEPTH);
        }
    }

    /**
     * One pass over the input before Jackson sees it: strict UTF-8 (Jackson's byte parser lets
     * overlong forms and surrogates through), no raw control characters other than JSON
     * whitespace (which also stops Jackson from guessing UTF-16 or UTF-32 from NUL bytes).
     *
     * @return true if the input contains a backslash-u escape, so decoded strings need the
     *         unpaired surrogate check.
     */
    private static boolean prescan(final byte[] buf, final int off, final int len)
    {
        final int end = off + len;
        boolean unicodeEscape = false;
        int i = off;
        while (i < end)
        {
            final byte b = buf[i];
            if (b >= 0x20)
            {
                if (b == '\\' && i + 1 < end && buf[i + 1] == 'u')
                {
                    unicodeEscape = true;
                }
                i++;
            }
            else if (b >= 0)
            {
                if (b != '\t' && b != '\n' && b != '\r')
                {
                    throw malformedAt(i - off, "control character");
                }
                i++;
            }
            else
            {
                final int n = Utf8.sequenceLength(buf, i, end);
                if (n < 0)
                {
                    throw malformedAt(i - off, "invalid UTF-8");
                }
                i += n;
            }
        }
        return unicodeEscape;
    }

    /**
     * An escaped lone surrogate (backslash-u D800) is valid JSON syntax but not a Unicode
     * string: it cannot be written back as UTF-8 nor stored in PostgreSQL, so it is refused.
     */
    private static void checkSurrogates(final JsonParser p, final String s)
    {
        final int length = s.length();
        for (int i = 0; i < length; i++)
        {
            final char c = s.charAt(i);
            if (Character.isSurrogate(c))
            {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1)))
                {
                    i++;
                }
                else
                {
                    throw malformedAt(tokenOffset(p), "unpaired surrogate escape");
                }
            }
        }
    }

    private static DecodeException translate(
        final JsonProcessingException ex, final JsonParser p, final byte[] buf, final int off, final int len)
    {
        final String message = ex.getOriginalMessage();
        if (ex instanceof StreamConstraintsException)
        {
            if (message != null && message.contains("nesting"))
            {
                return DecodeException.malformed("nesting deeper than " + MAX_NESTING_DEPTH);
            }
            if (message != null && message.startsWith("Number"))
            {
                return DecodeException.malformed("number longer than " + MAX_NUMBER_LENGTH + " characters");
            }
            if (message != null && message.startsWith("String"))
            {
                return DecodeException.malformed("string longer than " + MAX_STRING_LENGTH + " bytes");
            }
            if (message != null && message.startsWith("Name"))
            {
                return DecodeException.malformed("key too long");
            }
            return DecodeException.malformed("JSON exceeds size limits");
        }
        if (message != null && message.startsWith("Duplicate") && p != null)
        {
            final String name = p.getParsingContext() == null ? null : p.getParsingContext().getCurrentName();
            return DecodeException.malformed(
                name == null ? "duplicate key" : "duplicate key " + DecodeException.quote(name));
        }
        final JsonLocation location = ex.getLocation();
        long offset = location == null ? -1 : location.getByteOffset();
        if (offset < 0 || offset > len)
        {
            offset = tokenOffset(p);
        }
        if (ex instanceof JsonEOFException || (message != null && message.startsWith("Unexpected end-of-input")))
        {
            return malformedAt(offset, "unexpected end of input");
        }
        return malformedAt(offset, reason(message));
    }

    private static String reason(final String message)
    {
        if (message == null)
        {
            return "syntax error";
        }
        if (message.startsWith("Unexpected character"))
        {
            return "unexpected character";
        }
        if (message.startsWith("Unrecognized token") || message.startsWith("Non-standard token"))
        {
            return "unrecognized token";
        }
        if (message.startsWith("Unrecognized character escape") || message.contains("escape sequence"))
        {
            return "invalid escape sequence";
        }
        if (message.startsWith("Illegal unquoted character"))
        {
            return "control character in string";
        }
        if (message.contains("numeric value") || message.contains("Leading zeroes") || message.contains("number"))
        {
            return "invalid number";
        }
        return "syntax error";
    }

    private static long tokenOffset(final JsonParser p)
    {
        if (p == null)
        {
            return 0;
        }
        final JsonLocation location = p.currentTokenLocation();
        return location == null ? 0 : Math.max(0, location.getByteOffset());
    }

    private static DecodeException malformedAt(final long offset, final String reason)
    {
        return DecodeException.malformed("malformed JSON at offset " + offset + ": " + reason);
    }

    static void checkBounds(final byte[] buf, final int off, final int len)
    {
        if (buf == null)
        {
            throw new NullPointerException("buf");
        }
        if (off < 0 || len < 0 || off > buf.length - len)
        {
            throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + buf.length);
        }
    }

    /**
     * Serialise a tree to UTF-8 JSON. Meant for low-volume responses; hot paths stream into a
     * reused {@link JsonBuffer} with {@link #writeValue}.
     *
     * @param tree a value accepted by {@link #writeValue}.
     * @return the JSON bytes.
     * @throws IllegalArgumentException if the tree holds a value that has no JSON form.
     */
    public static byte[] write(final Object tree)
    {
        try (JsonBuffer out = new JsonBuffer(128))
        {
            final JsonGenerator g = out.generator();
            writeValue(g, tree);
            g.flush();
            return out.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Write a tree with the caller's generator, so trees can be embedded in streamed output.
     *
     * <p>Accepted values: {@code null}, {@link CharSequence}, {@code Character},
     * {@code Boolean}, {@code Long}/{@code Integer}/{@code Short}/{@code Byte},
     * {@link BigDecimal}, {@link BigInteger}, finite {@code Double}/{@code Float},
     * {@code Map} with {@link CharSequence} keys, {@code Iterable}, {@code Object[]},
     * {@link Fields} (as an object) and {@link Problems} (as a list of
     * {@code {"path","message"}} objects).
     *
     * @param g    generator to write to, positioned where a value may go.
     * @param tree the value.
     * @throws IOException              if the generator's target fails.
     * @throws IllegalArgumentException if the tree holds a value that has no JSON form.
     */
    public static void writeValue(final JsonGenerator g, final Object tree) throws IOException
    {
        if (tree == null)
        {
            g.writeNull();
        }
        else if (tree instanceof String)
        {
            g.writeString((String)tree);
        }
        else if (tree instanceof Long || tree instanceof Integer || tree instanceof Short || tree instanceof Byte)
        {
            g.writeNumber(((Number)tree).longValue());
        }
        else if (tree instanceof Boolean)
        {
            g.writeBoolean((Boolean)tree);
        }
        else if (tree instanceof Map)
        {
            writeMap(g, (Map<?, ?>)tree);
        }
        else if (tree instanceof Iterable)
        {
            g.writeStartArray();
            for (final Object element : (Iterable<?>)tree)
            {
                writeValue(g, element);
            }
            g.writeEndArray();
        }
        else if (tree instanceof BigDecimal)
        {
            g.writeNumber((BigDecimal)tree);
        }
        else if (tree instanceof BigInteger)
        {
            g.writeNumber((BigInteger)tree);
        }
        else if (tree instanceof Double || tree instanceof Float)
        {
            final double d = ((Number)tree).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d))
            {
                throw new IllegalArgumentException("JSON has no form for " + d);
            }
            if (tree instanceof Float)
            {
                g.writeNumber((Float)tree);
            }
            else
            {
                g.writeNumber(d);
            }
        }
        else if (tree instanceof CharSequence || tree instanceof Character)
        {
            g.writeString(tree.toString());
        }
        else if (tree instanceof Fields)
        {
            writeMap(g, ((Fields)tree).asMap());
        }
        else if (tree instanceof Problems)
        {
            writeProblems(g, (Problems)tree);
        }
        else if (tree instanceof Object[])
        {
            final Object[] array = (Object[])tree;
            g.writeStartArray();
            for (final Object element : array)
            {
                writeValue(g, element);
            }
            g.writeEndArray();
        }
        else
        {
            throw new IllegalArgumentException("no JSON form for " + tree.getClass().getName());
        }
    }

    /**
     * Write problems as {@code [{"path":"…","message":"…"}, …]}.
     */
    static void writeProblems(final JsonGenerator g, final Problems problems) throws IOException
    {
        g.writeStartArray();
        final int size = problems.size();
        for (int i = 0; i < size; i++)
        {
            g.writeStartObject();
            g.writeStringField("path", problems.path(i));
            g.writeStringField("message", problems.message(i));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void writeMap(final JsonGenerator g, final Map<?, ?> map) throws IOException
    {
        g.writeStartObject();
        for (final Map.Entry<?, ?> entry : map.entrySet())
        {
            final Object key = entry.getKey();
            if (!(key instanceof CharSequence))
            {
                throw new IllegalArgumentException("JSON object keys must be strings, got "
                    + (key == null ? "null" : key.getClass().getName()));
            }
            g.writeFieldName(key.toString());
            writeValue(g, entry.getValue());
        }
        g.writeEndObject();
    }

    /**
     * A generator writing UTF-8 to {@code out}, configured for reuse across root values.
     */
    static JsonGenerator newReusableGenerator(final OutputStream out) throws IOException
    {
        final JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
        g.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        g.setRootValueSeparator(null);
        return g;
    }
}
