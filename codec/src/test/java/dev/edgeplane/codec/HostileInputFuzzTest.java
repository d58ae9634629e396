package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Deterministic (fixed-seed) fuzzing of every decoder: each input must decode or fail with a
 * {@link DecodeException}; nothing else may escape. Successful JSON parses must also survive a
 * write/parse round trip.
 */
class HostileInputFuzzTest
{
    private static final int INPUTS = 20_000;

    private static final byte[][] JSON_SEEDS = {
        JsonTest.ROUTE_BODY.getBytes(StandardCharsets.UTF_8),
        "{\"a\":[1,-2.5e+3,{\"b\":null,\"c\":true}],\"e\":\"\\u00e9\\\"\\\\\\uD83D\\uDE00\",\"f\":{}}"
            .getBytes(StandardCharsets.UTF_8),
        "[[[[{\"x\":123456789012345678901234567890}]]]]".getBytes(StandardCharsets.UTF_8),
        "{\"caf\u00e9\":\"\u20ac\",\"n\":0.000001,\"m\":1E400}".getBytes(StandardCharsets.UTF_8),
    };

    private static final byte[] JSON_ALPHABET = "{}[]\":,.-+eE0123456789truefalsn \\u\n\tabcDd8F".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORM_ALPHABET = "ab=&%+0123456789ABCDEFcz \u00ff".getBytes(StandardCharsets.ISO_8859_1);
    private static final String URI_ALPHABET = "/?&=%+09AFaeiuvxyz*{}.~-_\u00c3\u00a9\u0000 #\u20ac";

    @Test
    void shouldOnlyParseOrThrowDecodeExceptionOnFuzzedJson()
    {
        final SplittableRandom random = new SplittableRandom(0x5EEDL);
        int parsed = 0;
        for (int i = 0; i < INPUTS; i++)
        {
            final byte[] input = jsonInput(random, i);
            try
            {
                final Object tree = Json.parse(input, 0, input.length);
                parsed++;
                final byte[] written = Json.write(tree);
                assertTrue(sameJson(tree, Json.parse(written, 0, written.length)), "round trip of " + show(input));
            }
            catch (final DecodeException expected)
            {
                assertEquals(DecodeException.MALFORMED_BODY, expected.code());
                assertFalse(expected.getMessage().isEmpty());
                assertFalse(expected.getMessage().contains("com.fasterxml"), expected.getMessage());
            }
            catch (final RuntimeException | StackOverflowError other)
            {
                fail("input " + i + " " + show(input) + " threw " + other, other);
            }
        }
        // The mutation strategy must reach the success path too, or this test proves little.
        assertTrue(parsed > 500, "only " + parsed + " inputs parsed");
    }

    @Test
    void shouldOnlyDecodeOrThrowDecodeExceptionOnFuzzedBodies()
    {
        final SplittableRandom random = new SplittableRandom(42L);
        final String[] types = {null, "", "application/json", "application/x-www-form-urlencoded",
            "application/json; charset=utf-8", "text/plain", "application/json; charset=\"", ";", "application/json;;=;"};
        int decoded = 0;
        for (int i = 0; i < INPUTS; i++)
        {
            final byte[] input = (i & 1) == 0 ? jsonInput(random, i) : randomBytes(random, FORM_ALPHABET, 40);
            final String type = types[random.nextInt(types.length)];
            try
            {
                final Fields fields = BodyDecoder.decode(type, input, 0, input.length);
                assertNotNull(fields);
                decoded++;
                if (type != null && type.startsWith("application/x-www"))
                {
                    for (final String name : fields.names())
                    {
                        assertInstanceOf(String.class, fields.raw(name));
                    }
                }
            }
            catch (final DecodeException expected)
            {
                assertFalse(expected.getMessage().isEmpty());
            }
            catch (final RuntimeException | StackOverflowError other)
            {
                fail("input " + i + " " + show(input) + " as " + type + " threw " + other, other);
            }
        }
        assertTrue(decoded > 1000, "only " + decoded + " bodies decoded");
    }

    @Test
    void shouldOnlyDecodeOrThrowDecodeExceptionOnFuzzedForms()
    {
        final SplittableRandom random = new SplittableRandom(7L);
        int decoded = 0;
        for (int i = 0; i < INPUTS; i++)
        {
            final byte[] input = randomBytes(random, FORM_ALPHABET, 60);
            if (input.length > 0 && random.nextInt(8) == 0)
            {
                input[random.nextInt(input.length)] = (byte)random.nextInt(256);
            }
            try
            {
                final Fields fields = FormDecoder.decode(input, 0, input.length);
                decoded++;
                for (final String name : fields.names())
                {
                    assertInstanceOf(String.class, fields.raw(name));
                }
            }
            catch (final DecodeException expected)
            {
                assertEquals(DecodeException.MALFORMED_BODY, expected.code());
            }
            catch (final RuntimeException other)
            {
                fail("input " + i + " " + show(input) + " threw " + other, other);
            }
            try
            {
                QueryParams.parse(new String(input, StandardCharsets.ISO_8859_1));
            }
            catch (final DecodeException expected)
            {
                assertEquals(DecodeException.MALFORMED_BODY, expected.code());
            }
        }
        assertTrue(decoded > 1000, "only " + decoded + " forms decoded");
    }

    @Test
    void shouldAlwaysReturnAnOutcomeOnFuzzedTargets()
    {
        final RouteTable<String> table = RouteTable.<String>builder()
            .add("GET", "/", "root")
            .add("GET", "/a", "a")
            .add("GET", "/a/{x}", "ax")
            .add("POST", "/a/{x}/b/{y}", "axby")
            .add("GET", "/a/*", "arest")
            .add("PUT", "/e/{x}", "ex")
            .build();
        final RouteMatch<String> m = new RouteMatch<>();
        final String[] methods = {"GET", "POST", "PUT", "DELETE", null, ""};
        final SplittableRandom random = new SplittableRandom(99L);
        final int[] counts = new int[RouteTable.Outcome.values().length];
        for (int i = 0; i < INPUTS; i++)
        {
            final StringBuilder uri = new StringBuilder(random.nextInt(3) == 0 ? "" : "/");
            final int length = random.nextInt(24);
            for (int k = 0; k < length; k++)
            {
                uri.append(URI_ALPHABET.charAt(random.nextInt(URI_ALPHABET.length())));
            }
            final String method = methods[random.nextInt(methods.length)];
            final RouteTable.Outcome outcome;
            try
            {
                outcome = table.match(method, uri, m);
            }
            catch (final RuntimeException other)
            {
                fail("uri " + uri + " threw " + other, other);
                return;
            }
            counts[outcome.ordinal()]++;
            switch (outcome)
            {
                case FOUND:
                    assertNotNull(m.handler());
                    assertNotNull(m.pattern());
                    for (int p = 0; p < m.paramCount(); p++)
                    {
                        assertFalse(m.paramValue(p).isEmpty());
                    }
                    break;
                case METHOD_NOT_ALLOWED:
                    assertNull(m.handler());
                    assertFalse(m.allow().isEmpty());
                    break;
                default:
                    assertNull(m.handler());
                    break;
            }
        }
        for (final RouteTable.Outcome outcome : RouteTable.Outcome.values())
        {
            assertTrue(counts[outcome.ordinal()] > 0, "never saw " + outcome + ": " + Arrays.toString(counts));
        }
    }

    /**
     * Equality of trees with numbers compared by value: a float token such as 1E0 is written
     * back as 1 and then reads as a Long.
     */
    private static boolean sameJson(final Object a, final Object b)
    {
        if (a instanceof Number && b instanceof Number)
        {
            return new java.math.BigDecimal(a.toString()).compareTo(new java.math.BigDecimal(b.toString())) == 0;
        }
        if (a instanceof Map && b instanceof Map)
        {
            final Map<?, ?> ma = (Map<?, ?>)a;
            final Map<?, ?> mb = (Map<?, ?>)b;
            if (!ma.keySet().equals(mb.keySet()))
            {
                return false;
            }
            for (final Map.Entry<?, ?> e : ma.entrySet())
            {
                if (!sameJson(e.getValue(), mb.get(e.getKey())))
                {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof java.util.List && b instanceof java.util.List)
        {
            final java.util.List<?> la = (java.util.List<?>)a;
            final java.util.List<?> lb = (java.util.List<?>)b;
            if (la.size() != lb.size())
            {
                return false;
            }
            for (int i = 0; i < la.size(); i++)
            {
                if (!sameJson(la.get(i), lb.get(i)))
                {
                    return false;
                }
            }
            return true;
        }
        return java.util.Objects.equals(a, b);
    }

    private static byte[] jsonInput(final SplittableRandom random, final int i)
    {
        switch (i % 4)
        {
            case 0:
                return randomBytes(random, JSON_ALPHABET, 30);
            case 1:
            {
                final byte[] raw = new byte[random.nextInt(20)];
                for (int k = 0; k < raw.length; k++)
                {
                    raw[k] = (byte)random.nextInt(256);
                }
                return raw;
            }
            default:
                return mutate(random, JSON_SEEDS[random.nextInt(JSON_SEEDS.length)]);
        }
    }

    /** Apply one to three byte-level mutations (replace, insert, delete, cut, splice). */
    private static byte[] mutate(final SplittableRandom random, final byte[] seed)
    {
        byte[] b = seed.clone();
        final int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && b.length > 0; m++)
        {
            final int at = random.nextInt(b.length);
            switch (random.nextInt(6))
            {
                case 0:
                    b[at] = JSON_ALPHABET[random.nextInt(JSON_ALPHABET.length)];
                    break;
                case 1:
                    b[at] = (byte)random.nextInt(256);
                    break;
                case 2:
                {
                    final byte[] grown = new byte[b.length + 1];
                    System.arraycopy(b, 0, grown, 0, at);
                    grown[at] = JSON_ALPHABET[random.nextInt(JSON_ALPHABET.length)];
                    System.arraycopy(b, at, grown, at + 1, b.length - at);
                    b = grown;
                    break;
                }
                case 3:
                {
                    final byte[] shrunk = new byte[b.length - 1];
                    System.arraycopy(b, 0, shrunk, 0, at);
                    System.arraycopy(b, at + 1, shrunk, at, b.length - at - 1);
                    b = shrunk;
                    break;
                }
                case 4:
                    b = Arrays.copyOf(b, at);
                    break;
                default:
                {
                    // Keep the value but vary the surrounding whitespace: these must still parse.
                    return ("\n " + new String(seed, StandardCharsets.UTF_8) + "\t").getBytes(StandardCharsets.UTF_8);
                }
            }
        }
        return b;
    }

    private static byte[] randomBytes(final SplittableRandom random, final byte[] alphabet, final int maxLength)
    {
        final byte[] b = new byte[random.nextInt(maxLength + 1)];
        for (int k = 0; k < b.length; k++)
        {
            b[k] = alphabet[random.nextInt(alphabet.length)];
        }
        return b;
    }

    private static String show(final byte[] input)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (final byte b : input)
        {
            final int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F)
            {
                sb.append((char)c);
            }
            else
            {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append(']').toString();
    }

    @Test
    void shouldHaveSeedsThatParse()
    {
        for (final byte[] seed : JSON_SEEDS)
        {
            assertNotNull(Json.parse(seed, 0, seed.length));
        }
    }
}
