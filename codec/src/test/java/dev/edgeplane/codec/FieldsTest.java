package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldsTest
{
    private static final Fields JSON = json("{\"s\":\"text\",\"empty\":\"\",\"n\":null,\"i\":42,\"neg\":-7,"
        + "\"big\":99999999999999999999,\"frac\":1.5,\"whole\":2.0,\"b\":true,\"o\":{\"k\":\"v\"},\"a\":[1,2],"
        + "\"si\":\"123\",\"sneg\":\"-5\",\"sbad\":\"12a\",\"splus\":\"+5\",\"sbig\":\"9223372036854775808\","
        + "\"smax\":\"9223372036854775807\",\"smin\":\"-9223372036854775808\",\"sminus\":\"-\",\"szero\":\"-000\","
        + "\"t\":\"true\",\"f\":\"0\",\"yes\":\"yes\"}");

    static Fields json(final String s)
    {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Fields.fromJson(b, 0, b.length);
    }

    @Test
    void shouldReportPresenceIncludingJsonNull()
    {
        assertTrue(JSON.has("n"));
        assertNull(JSON.raw("n"));
        assertFalse(JSON.has("missing"));
        assertEquals("s", JSON.names().iterator().next());
        assertEquals(23, JSON.size());
        assertThrows(UnsupportedOperationException.class, () -> JSON.names().remove("s"));
        assertEquals(0, Fields.empty().size());
        assertFalse(Fields.empty().has("x"));
    }

    @Test
    void shouldRequireStringsStrictly()
    {
        final Problems p = new Problems();
        assertEquals("text", JSON.requireString("s", p));
        assertEquals("", JSON.requireString("empty", p));
        assertTrue(p.isEmpty());
        assertNull(JSON.requireString("missing", p));
        assertNull(JSON.requireString("n", p));
        assertNull(JSON.requireString("i", p));
        assertNull(JSON.requireString("b", p));
        assertNull(JSON.requireString("o", p));
        assertEquals(5, p.size());
        assertEquals("missing", p.path(0));
        assertEquals("is required", p.message(0));
        assertEquals("is required", p.message(1));
        assertEquals("i", p.path(2));
        assertEquals("must be a string", p.message(2));
        assertEquals("must be a string", p.message(3));
        assertEquals("must be a string", p.message(4));
    }

    @Test
    void shouldFallBackForOptionalStrings()
    {
        final Problems p = new Problems();
        assertEquals("text", JSON.optString("s", "d", p));
        assertEquals("d", JSON.optString("missing", "d", p));
        assertEquals("d", JSON.optString("n", "d", p));
        assertTrue(p.isEmpty());
        assertEquals("d", JSON.optString("a", "d", p));
        assertEquals("must be a string", p.message(0));
    }

    @Test
    void shouldCoerceIntegersFromJsonNumbersAndDigitStrings()
    {
        final Problems p = new Problems();
        assertEquals(42, JSON.requireLong("i", 0, 100, p));
        assertEquals(-7, JSON.requireLong("neg", -10, 10, p));
        assertEquals(2, JSON.requireLong("whole", 0, 10, p), "2.0 is an integral value");
        assertEquals(123, JSON.requireLong("si", 0, 1000, p));
        assertEquals(-5, JSON.requireLong("sneg", -5, 5, p));
        assertEquals(Long.MAX_VALUE, JSON.requireLong("smax", Long.MIN_VALUE, Long.MAX_VALUE, p));
        assertEquals(Long.MIN_VALUE, JSON.requireLong("smin", Long.MIN_VALUE, Long.MAX_VALUE, p));
        assertEquals(0, JSON.requireLong("szero", -1, 1, p));
        assertTrue(p.isEmpty(), p.toString());
    }

    @Test
    void shouldRecordIntegerProblems()
    {
        final Problems p = new Problems();
        assertEquals(1, JSON.requireLong("missing", 1, 5, p));
        assertEquals(1, JSON.requireLong("i", 1, 5, p));
        assertEquals(1, JSON.requireLong("frac", 1, 5, p));
        assertEquals(1, JSON.requireLong("sbad", 1, 5, p));
        assertEquals(1, JSON.requireLong("splus", 1, 5, p));
        assertEquals(1, JSON.requireLong("sminus", 1, 5, p));
        assertEquals(1, JSON.requireLong("sbig", 1, 5, p));
        assertEquals(1, JSON.requireLong("big", 1, 5, p));
        assertEquals(1, JSON.requireLong("b", 1, 5, p));
        assertEquals(1, JSON.requireLong("empty", 1, 5, p));
        assertEquals(List.of("is required", "must be between 1 and 5", "must be an integer", "must be an integer",
            "must be an integer", "must be an integer", "must be between 1 and 5", "must be between 1 and 5",
            "must be an integer", "must be an integer"), messages(p));
        assertEquals("sbig", p.path(6));
    }

    @Test
    void shouldFallBackForOptionalIntegers()
    {
        final Problems p = new Problems();
        assertEquals(9, JSON.optLong("missing", 9, 0, 5, p));
        assertEquals(9, JSON.optLong("n", 9, 0, 5, p));
        assertTrue(p.isEmpty());
        assertEquals(9, JSON.optLong("i", 9, 0, 5, p));
        assertEquals(9, JSON.optLong("sbad", 9, 0, 5, p));
        assertEquals(List.of("must be between 0 and 5", "must be an integer"), messages(p));
    }

    @Test
    void shouldCoerceBooleans()
    {
        final Problems p = new Problems();
        assertTrue(JSON.optBoolean("b", false, p));
        assertTrue(JSON.optBoolean("t", false, p));
        assertFalse(JSON.optBoolean("f", true, p));
        assertTrue(JSON.optBoolean("missing", true, p));
        assertFalse(JSON.optBoolean("n", false, p));
        assertTrue(p.isEmpty());
        assertTrue(JSON.optBoolean("yes", true, p));
        assertTrue(JSON.optBoolean("i", true, p));
        assertEquals(List.of("must be a boolean", "must be a boolean"), messages(p));
    }

    @Test
    void shouldReturnNestedObjectsAndLists()
    {
        final Problems p = new Problems();
        assertEquals(Map.of("k", "v"), JSON.optObject("o", p));
        assertEquals(List.of(1L, 2L), JSON.optList("a", p));
        assertNull(JSON.optObject("missing", p));
        assertNull(JSON.optList("n", p));
        assertTrue(p.isEmpty());
        assertNull(JSON.optObject("a", p));
        assertNull(JSON.optList("o", p));
        assertEquals(List.of("must be an object", "must be an array"), messages(p));
    }

    @Test
    void shouldPrefixProblemPathsOfNestedViews()
    {
        final Fields top = json("{\"accounts\":[{\"devices\":[{},{\"username\":5}]}]}");
        final Problems p = new Problems();
        final Map<?, ?> account = (Map<?, ?>)top.optList("accounts", p).get(0);
        @SuppressWarnings("unchecked")
        final Map<String, Object> device = (Map<String, Object>)((List<?>)account.get("devices")).get(1);
        Fields.of(device, "accounts[0].devices[1]").requireString("username", p);
        assertEquals("accounts[0].devices[1].username", p.path(0));
        assertEquals("must be a string", p.message(0));
    }

    @Test
    void shouldRejectNonObjectTopLevel()
    {
        for (final String s : new String[] {"[]", "\"a\"", "1", "null", "true", "[{\"a\":1}]"})
        {
            final byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertEquals("body must be a JSON object",
                assertThrows(DecodeException.class, () -> Fields.fromJson(b, 0, b.length)).getMessage(), s);
        }
    }

    @Test
    void shouldTreatFormValuesAsStrings()
    {
        final byte[] b = "n=12&flag=1&s=x".getBytes(StandardCharsets.US_ASCII);
        final Fields f = FormDecoder.decode(b, 0, b.length);
        final Problems p = new Problems();
        assertEquals(12, f.requireLong("n", 0, 100, p));
        assertTrue(f.optBoolean("flag", false, p));
        assertEquals("x", f.requireString("s", p));
        assertEquals("12", f.requireString("n", p));
        assertTrue(p.isEmpty());
    }

    private static List<String> messages(final Problems p)
    {
        final String[] out = new String[p.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = p.message(i);
        }
        return List.of(out);
    }
}
