package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QueryParamsTest
{
    @Test
    void shouldParseQueryWithFormRules()
    {
        final Fields q = QueryParams.parse("a=1&b=x+y%21&flag&c=%C3%A9");
        assertEquals(List.of("a", "b", "flag", "c"), List.copyOf(q.names()));
        assertEquals("x y!", q.raw("b"));
        assertEquals("", q.raw("flag"));
        assertEquals("\u00e9", q.raw("c"));
    }

    @Test
    void shouldParseRawOctetsAsUtf8()
    {
        assertEquals("\u00e9", QueryParams.parse("c=\u00C3\u00A9").raw("c"));
        assertThrows(DecodeException.class, () -> QueryParams.parse("c=\u00C3("));
        assertThrows(DecodeException.class, () -> QueryParams.parse("c=\u20AC"));
    }

    @Test
    void shouldReturnEmptyForNullOrEmpty()
    {
        assertSame(Fields.empty(), QueryParams.parse(null));
        assertSame(Fields.empty(), QueryParams.parse(""));
    }

    @Test
    void shouldRejectDuplicatesAndBadUtf8()
    {
        assertEquals("duplicate field 'a'", assertThrows(DecodeException.class, () -> QueryParams.parse("a=1&a=2")).getMessage());
        assertThrows(DecodeException.class, () -> QueryParams.parse("a=%C0%AF"));
    }

    @Test
    void shouldParseQueryCapturedByRouteTable()
    {
        final RouteTable<String> table = RouteTable.<String>builder().add("GET", "/presence/{user}", "p").build();
        final RouteMatch<String> m = new RouteMatch<>();
        assertEquals(RouteTable.Outcome.FOUND, table.match("GET", "/presence/alice?since=10&full=true", m));
        final Fields q = QueryParams.parse(m.rawQuery());
        final Problems p = new Problems();
        assertEquals(10, q.optLong("since", 0, 0, 100, p));
        assertEquals(true, q.optBoolean("full", false, p));
        assertEquals(0, p.size());
    }
}
