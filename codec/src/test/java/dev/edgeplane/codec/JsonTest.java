package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class JsonTest
{
    static final String ROUTE_BODY =
        "{\"callId\":\"a84b4c76e66710\",\"from\":\"1001\",\"fromDomain\":\"acme.sip.io\",\"to\":\"+12025550123\","
            + "\"sourceIp\":\"203.0.113.7\"}";

    static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Object parse(final String s)
    {
        final byte[] b = utf8(s);
        return Json.parse(b, 0, b.length);
    }

    static Object parse(final byte[] b)
    {
        return Json.parse(b, 0, b.length);
    }

    static DecodeException rejects(final byte[] b)
    {
        final DecodeException ex = assertThrows(DecodeException.class, () -> Json.parse(b, 0, b.length));
        assertEquals(DecodeException.MALFORMED_BODY, ex.code());
        assertEquals(0, ex.getStackTrace().length, "no stack trace");
        return ex;
    }

    static DecodeException rejects(final String s)
    {
        return rejects(utf8(s));
    }

    static byte[] concat(final byte[]... parts)
    {
        int n = 0;
        for (final byte[] p : parts)
        {
            n += p.length;
        }
        final byte[] out = new byte[n];
        int o = 0;
        for (final byte[] p : parts)
        {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Test
    void shouldParseAllValueTypes()
    {
        final Object tree = parse("{\"s\":\"x\\u00e9\\n\",\"i\":-42,\"big\":123456789012345678901234567890,"
            + "\"d\":1.50,\"e\":2e3,\"t\":true,\"f\":false,\"n\":null,\"o\":{\"k\":[1,\"two\",[]]},\"a\":[]}");
        final Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, tree);
        assertEquals(List.of("s", "i", "big", "d", "e", "t", "f", "n", "o", "a"), List.copyOf(map.keySet()));
        assertEquals("x\u00e9\n", map.get("s"));
        assertEquals(-42L, map.get("i"));
        assertEquals(new BigDecimal("123456789012345678901234567890"), map.get("big"));
        assertEquals(new BigDecimal("1.50"), map.get("d"));
        assertEquals(new BigDecimal("2e3"), map.get("e"));
        assertEquals(Boolean.TRUE, map.get("t"));
        assertEquals(Boolean.FALSE, map.get("f"));
        assertTrue(map.containsKey("n"));
        assertNull(map.get("n"));
        assertEquals(Map.of("k", List.of(1L, "two", List.of())), map.get("o"));
        assertEquals(List.of(), map.get("a"));
    }

    @Test
    void shouldParseLongBoundariesAsLongAndBeyondAsBigDecimal()
    {
        assertEquals(Long.MAX_VALUE, parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, parse("-9223372036854775808"));
        assertEquals(new BigDecimal("9223372036854775808"), parse("9223372036854775808"));
        assertEquals(0L, parse("-0"));
    }

    @Test
    void shouldParseScalarsAndToleratesSurroundingWhitespace()
    {
        assertEquals("a", parse(" \t\r\n\"a\"\n"));
        assertEquals(List.of(1L), parse("[1]"));
        assertNull(parse("null"));
    }

    @Test
    void shouldAcceptUtf8MultiByteAndEscapedSurrogatePairs()
    {
        assertEquals("\u00e9\u20ac\uD83D\uDE00", parse("\"\u00e9\u20ac\uD83D\uDE00\""));
        assertEquals("\uD83D\uDE00", parse("\"\\uD83D\\uDE00\""));
    }

    @Test
    void shouldHonourOffsetAndLength()
    {
        final byte[] b = utf8("xx{\"a\":1}yy");
        assertEquals(Map.of("a", 1L), Json.parse(b, 2, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> Json.parse(b, 5, 10));
    }

    @Test
    void shouldRejectDuplicateKeys()
    {
        assertEquals("duplicate key 'a'", rejects("{\"a\":1,\"a\":2}").getMessage());
        assertEquals("duplicate key 'b'", rejects("{\"x\":{\"b\":1,\"c\":2,\"b\":3}}").getMessage());
        assertEquals("duplicate key 'k'", rejects("[{\"k\":null,\"k\":null}]").getMessage());
        // The same key in sibling objects is fine.
        assertEquals(List.of(Map.of("k", 1L), Map.of("k", 2L)), parse("[{\"k\":1},{\"k\":2}]"));
    }

    @Test
    void shouldBoundKeyLengthInDuplicateMessage()
    {
        final String key = "k".repeat(5000);
        final String message = rejects("{\"" + key + "\":1,\"" + key + "\":2}").getMessage();
        assertTrue(message.length() < 100, message);
    }

    @Test
    void shouldRejectNestingTenThousandDeepWithoutStackOverflow()
    {
        assertEquals("nesting deeper than 64", rejects("[".repeat(10_000) + "]".repeat(10_000)).getMessage());
        assertEquals("nesting deeper than 64", rejects("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)).getMessage());
        assertEquals("nesting deeper than 64", rejects("[{\"a\":".repeat(5_000)).getMessage());
    }

    @Test
    void shouldAcceptNestingUpToTheLimit()
    {
        final Object tree = parse("[".repeat(64) + "]".repeat(64));
        assertInstanceOf(List.class, tree);
        rejects("[".repeat(65) + "]".repeat(65));
    }

    @Test
    void shouldRejectOverlongAndHugeNumbers()
    {
        assertEquals("number longer than 100 characters", rejects("{\"n\":" + "9".repeat(5000) + "}").getMessage());
        assertEquals("number longer than 100 characters", rejects("0." + "1".repeat(5000)).getMessage());
        assertTrue(rejects("1e999999999").getMessage().endsWith("number out of range"));
        assertTrue(rejects("{\"n\":-1e-999999999}").getMessage().endsWith("number out of range"));
        assertTrue(rejects("1e99999999999999").getMessage().startsWith("malformed JSON at offset 0"));
        assertEquals(new BigDecimal("1e1000"), parse("1e1000"));
    }

    @Test
    void shouldRejectNonStandardTokens()
    {
        for (final String s : new String[] {"NaN", "Infinity", "-Infinity", "'a'", "{a:1}", "[1,]", "{\"a\":1,}",
            "// c\n{}", "/* c */{}", "01", "1.", ".5", "+1", "0x10", "tru", "nul", "\"\\x\""})
        {
            assertTrue(rejects(s).getMessage().startsWith("malformed JSON at offset "), s);
        }
    }

    @Test
    void shouldRejectTrailingData()
    {
        assertEquals("trailing data", rejects("{} x").getMessage());
        assertEquals("trailing data", rejects("{}{}").getMessage());
        assertEquals("trailing data", rejects("{\"a\":1}]").getMessage());
        assertEquals("trailing data", rejects("1 2").getMessage());
        assertEquals("trailing data", rejects("{}\"").getMessage());
        assertEquals("trailing data", rejects("{} " + "[".repeat(10_000)).getMessage());
    }

    @Test
    void shouldRejectNulAndControlBytes()
    {
        assertTrue(rejects(new byte[] {'{', '}', 0}).getMessage().endsWith("offset 2: control character"));
        assertTrue(rejects(new byte[] {0, '{', 0, '}'}).getMessage().endsWith("offset 0: control character"),
            "NUL bytes must not make the parser guess UTF-16");
        rejects(new byte[] {'"', 'a', 0, '"'});
        rejects(new byte[] {'"', 'a', 0x1F, '"'});
        rejects(new byte[] {0, 0, 0, '{', 0, 0, 0, '}'});
        assertEquals("a\u0000", parse("\"a\\u0000\""), "escaped NUL is legal JSON");
    }

    @Test
    void shouldRejectNonUtf8Encodings()
    {
        rejects(new byte[] {(byte)0xFE, (byte)0xFF, 0, '{', 0, '}'});
        rejects(new byte[] {(byte)0xFF, (byte)0xFE, '{', 0, '}', 0});
        // A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1 allows ignoring it).
        assertEquals(Map.of(), parse(new byte[] {(byte)0xEF, (byte)0xBB, (byte)0xBF, '{', '}'}));
    }

    @Test
    void shouldRejectInvalidUtf8InStrings()
    {
        final byte[][] bad = {
            {(byte)0xC3, 0x28},
            {(byte)0xC0, (byte)0xAF},
            {(byte)0xED, (byte)0xA0, (byte)0x80},
            {(byte)0xE2, (byte)0x82},
            {(byte)0x80},
            {(byte)0xF4, (byte)0x90, (byte)0x80, (byte)0x80},
            {(byte)0xF8, (byte)0x88, (byte)0x80, (byte)0x80, (byte)0x80},
        };
        for (final byte[] b : bad)
        {
            final byte[] value = concat(utf8("{\"k\":\"a"), b, utf8("\"}"));
            assertEquals("malformed JSON at offset 7: invalid UTF-8", rejects(value).getMessage(), Arrays.toString(b));
            final byte[] key = concat(utf8("{\"a"), b, utf8("\":1}"));
            assertEquals("malformed JSON at offset 3: invalid UTF-8", rejects(key).getMessage(), Arrays.toString(b));
        }
    }

    @Test
    void shouldRejectUnpairedSurrogateEscapes()
    {
        for (final String s : new String[] {"\"\\uD800\"", "\"\\uDC00\"", "\"a\\uD83Dx\"", "{\"\\uD800\":1}",
            "[\"\\uDE00\\uD83D\"]"})
        {
            assertTrue(rejects(s).getMessage().endsWith("unpaired surrogate escape"), s);
        }
    }

    @Test
    void shouldReportUnexpectedEndOfInputWithOffset()
    {
        assertEquals("malformed JSON at offset 6: unexpected end of input", rejects("{\"a\":1").getMessage());
        assertEquals("malformed JSON at offset 0: unexpected end of input", rejects("").getMessage());
        assertEquals("malformed JSON at offset 2: unexpected end of input", rejects("  ").getMessage());
    }

    @Test
    void shouldEitherParseEveryTruncationPrefixToTheFullValueOrThrowDecodeException()
    {
        final String[] bodies = {
            ROUTE_BODY,
            "{\"a\":[1,-2.5e+3,{\"b\":null,\"c\":true,\"d\":false}],\"e\":\"\\u00e9\\\"\\\\\",\"f\":{},\"g\":\"\u20ac\uD83D\uDE00\"}",
            "[{\"x\":12345678901234567890123},[[]],\"\"]",
        };
        for (final String body : bodies)
        {
            final byte[] full = utf8(body);
            final Object expected = parse(full);
            int accepted = 0;
            for (int n = 0; n <= full.length; n++)
            {
                try
                {
                    final Object value = Json.parse(full, 0, n);
                    assertEquals(expected, value, "prefix " + n + " parsed to another value");
                    accepted++;
                }
                catch (final DecodeException expectedFailure)
                {
                    assertFalse(expectedFailure.getMessage().isEmpty());
                }
                catch (final RuntimeException | Error other)
                {
                    fail("prefix " + n + " of " + body + " threw " + other);
                }
            }
            assertEquals(1, accepted, "only the full body parses");
        }
    }

    @Test
    void shouldRejectStringsLongerThanTheLimit()
    {
        final String big = "\"" + "a".repeat(Json.MAX_STRING_LENGTH + 1) + "\"";
        assertTrue(rejects(big).getMessage().startsWith("string longer than"));
        assertEquals(Json.MAX_STRING_LENGTH, ((String)parse("\"" + "a".repeat(Json.MAX_STRING_LENGTH) + "\"")).length());
    }

    @Test
    void shouldExposeConfiguredFactory()
    {
        assertEquals(64, Json.factory().streamReadConstraints().getMaxNestingDepth());
        assertEquals(100, Json.factory().streamReadConstraints().getMaxNumberLength());
        assertEquals(1 << 20, Json.factory().streamReadConstraints().getMaxStringLength());
        assertTrue(Json.factory().isEnabled(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION));
    }

    @Test
    void shouldWriteTreesThatParseBackEqual()
    {
        final Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("s", "q\"\\/\n\t\u0001\u2028\u00e9\uD83D\uDE00");
        tree.put("l", 7L);
        tree.put("i", 3);
        tree.put("d", new BigDecimal("-1.25"));
        tree.put("b", true);
        tree.put("n", null);
        tree.put("list", List.of(1L, List.of(), Map.of()));
        final byte[] out = Json.write(tree);
        final Map<?, ?> back = (Map<?, ?>)parse(out);
        assertEquals("q\"\\/\n\t\u0001\u2028\u00e9\uD83D\uDE00", back.get("s"));
        assertEquals(7L, back.get("l"));
        assertEquals(3L, back.get("i"));
        assertEquals(new BigDecimal("-1.25"), back.get("d"));
        assertEquals(true, back.get("b"));
        assertTrue(back.containsKey("n"));
        assertEquals(List.of(1L, List.of(), Map.of()), back.get("list"));
        assertArrayEquals(utf8("[\"a\",null]"), Json.write(new Object[] {"a", null}));
    }

    @Test
    void shouldWriteProblemsAsPathMessageList()
    {
        final Problems p = new Problems().add("a", "is required").add("b[0].c", "must be a string");
        assertEquals("[{\"path\":\"a\",\"message\":\"is required\"},{\"path\":\"b[0].c\",\"message\":\"must be a string\"}]",
            new String(Json.write(p), StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseValuesWithoutJsonForm()
    {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "x")));
        assertArrayEquals(utf8("1.5"), Json.write(1.5d));
    }
}
