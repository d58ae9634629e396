package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest
{
    private static final RouteTable<String> TABLE = RouteTable.<String>builder()
        .add("GET", "/health", "health")
        .add("GET", "/", "root")
        .add("POST", "/route", "route")
        .add("POST", "/auth", "auth")
        .add("GET", "/agent/confirm/{accountId}/{leaseId}/{epoch}", "confirm")
        .add("GET", "/users/me", "me")
        .add("GET", "/users/{id}", "user")
        .add("DELETE", "/users/{userId}", "deleteUser")
        .add("PUT", "/users/{id}", "putUser")
        .add("GET", "/users/*", "usersRest")
        .add("GET", "/v1/*", "v1")
        .add("GET", "/api/v1/*", "apiV1")
        .add("POST", "/api/v1/relays/{id}/stop", "stopRelay")
        .add("GET", "/a/b/c", "abc")
        .add("POST", "/a/{x}/d", "axd")
        .build();

    private final RouteMatch<String> m = new RouteMatch<>();

    @Test
    void shouldMatchLiteralPath()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/health", m));
        assertEquals("health", m.handler());
        assertEquals("/health", m.pattern());
        assertEquals(0, m.paramCount());
        assertNull(m.rest());
        assertNull(m.rawQuery());
        assertNull(m.allow());
    }

    @Test
    void shouldMatchRootPath()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/", m));
        assertEquals("root", m.handler());
    }

    @Test
    void shouldBeStrictAboutTrailingSlash()
    {
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/health/", m));
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "//health", m));
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/Health", m));
        assertNull(m.handler());
    }

    @Test
    void shouldCaptureParamsInPatternOrder()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/agent/confirm/acc-1/lease%2042/7", m));
        assertEquals("confirm", m.handler());
        assertEquals("/agent/confirm/{accountId}/{leaseId}/{epoch}", m.pattern());
        assertEquals(3, m.paramCount());
        assertEquals("accountId", m.paramName(0));
        assertEquals("acc-1", m.paramValue(0));
        assertEquals("lease 42", m.param("leaseId"));
        assertEquals("7", m.param("epoch"));
        assertNull(m.param("missing"));
        assertThrows(IndexOutOfBoundsException.class, () -> m.paramValue(3));
    }

    @Test
    void shouldNotMatchEmptySegmentAsParam()
    {
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/agent/confirm/acc//7", m));
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/agent/confirm/acc/lease", m));
    }

    @Test
    void shouldDecodeUtf8InParams()
    {
        // "é" as percent-encoded UTF-8 and as raw octets (one char per octet, as Netty delivers).
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/caf%C3%A9", m));
        assertEquals("café", m.param("id"));
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/caf\u00C3\u00A9", m));
        assertEquals("café", m.param("id"));
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/a+b%2Fc", m));
        assertEquals("a+b/c", m.param("id"), "'+' is literal in a path, %2F decodes inside one segment");
    }

    @Test
    void shouldPreferLiteralOverParamOverWildcard()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/me", m));
        assertEquals("me", m.handler());
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/42", m));
        assertEquals("user", m.handler());
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/42/devices", m));
        assertEquals("usersRest", m.handler());
        assertEquals("42/devices", m.rest());
        assertEquals(0, m.paramCount());
    }

    @Test
    void shouldBacktrackToLessSpecificSegmentWhenLiteralBranchDeadEnds()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/a/b/c", m));
        assertEquals("abc", m.handler());
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("POST", "/a/b/d", m));
        assertEquals("axd", m.handler());
        assertEquals("b", m.param("x"));
    }

    @Test
    void shouldPickRouteWhoseMethodMatchesAmongOverlappingShapes()
    {
        // Only GET is registered for a shape matching /a/b/c (POST /a/{x}/d needs a final "d")...
        assertEquals(RouteTable.Outcome.METHOD_NOT_ALLOWED, TABLE.match("POST", "/a/b/c", m));
        assertEquals("GET", m.allow());
        // ...but /users/me has no DELETE, so DELETE /users/me reaches the less specific {userId}.
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("DELETE", "/users/me", m));
        assertEquals("deleteUser", m.handler());
        assertEquals("me", m.param("userId"));
    }

    @Test
    void shouldCaptureWildcardRemainderPossiblyEmpty()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/v1/", m));
        assertEquals("v1", m.handler());
        assertEquals("", m.rest());
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/v1/a/b%2Fc", m));
        assertEquals("a/b%2Fc", m.rest(), "rest stays raw");
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/v1", m));
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/api/v1/usage/today", m));
        assertEquals("apiV1", m.handler());
        assertEquals("/api/v1/*", m.pattern());
        assertEquals("usage/today", m.rest());
    }

    @Test
    void shouldPreferDeeperSpecificRouteOverWildcard()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("POST", "/api/v1/relays/r1/stop", m));
        assertEquals("stopRelay", m.handler());
        assertEquals("r1", m.param("id"));
        assertEquals(RouteTable.Outcome.METHOD_NOT_ALLOWED, TABLE.match("POST", "/api/v1/relays/r1/start", m));
        assertEquals("GET", m.allow());
    }

    @Test
    void shouldAnswerMethodNotAllowedWithSortedAllow()
    {
        assertEquals(RouteTable.Outcome.METHOD_NOT_ALLOWED, TABLE.match("PATCH", "/users/42", m));
        assertEquals("DELETE, GET, PUT", m.allow());
        assertEquals("/users/{id}", m.pattern());
        assertNull(m.handler());
        assertEquals(RouteTable.Outcome.METHOD_NOT_ALLOWED, TABLE.match("GET", "/route", m));
        assertEquals("POST", m.allow());
        assertEquals(RouteTable.Outcome.METHOD_NOT_ALLOWED, TABLE.match("get", "/health", m));
        assertEquals("GET", m.allow(), "methods are case-sensitive");
    }

    @Test
    void shouldUniteAllowOverAllMatchingShapes()
    {
        final RouteTable<String> table = RouteTable.<String>builder()
            .add("POST", "/items/new", "create")
            .add("GET", "/items/{id}", "get")
            .add("DELETE", "/items/{id}", "delete")
            .build();
        assertEquals(RouteTable.Outcome.METHOD_NOT_ALLOWED, table.match("PUT", "/items/new", m));
        assertEquals("DELETE, GET, POST", m.allow());
        assertEquals("/items/new", m.pattern());
        assertEquals(RouteTable.Outcome.FOUND, table.match("GET", "/items/new", m));
        assertEquals("get", m.handler());
    }

    @Test
    void shouldSeparateQueryFromPath()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/health?verbose=1&x", m));
        assertEquals("health", m.handler());
        assertEquals("verbose=1&x", m.rawQuery());
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/health?", m));
        assertEquals("", m.rawQuery());
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/7?a=/b?c", m));
        assertEquals("7", m.param("id"));
        assertEquals("a=/b?c", m.rawQuery());
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/v1/?q", m));
        assertEquals("", m.rest());
        assertEquals("q", m.rawQuery());
    }

    @Test
    void shouldRejectMalformedTargetsAsBadPath()
    {
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "", m));
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "health", m));
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "http://example.test/health", m));
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "*", m));
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", null, m));
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "/hea\u0000lth", m));
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "/hea lth", m));
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "/users/\u20AC", m), "not an octet");
    }

    @Test
    void shouldRejectMalformedPercentEncodingInCapturedSegment()
    {
        for (final String bad : new String[] {"%", "%4", "%zz", "a%", "%G1", "%C3%28", "%C0%AF", "%ED%A0%80", "%E2%82",
            "\u00C3(", "%FF"})
        {
            assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "/users/" + bad, m), bad);
            assertNull(m.handler());
            assertEquals(0, m.paramCount());
        }
        assertEquals(RouteTable.Outcome.BAD_PATH, TABLE.match("GET", "/v1/ok/%zz", m), "rest is validated too");
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/users/%00", m));
        assertEquals("\u0000", m.param("id"));
    }

    @Test
    void shouldNotReportBadPathForUncapturedMalformedSegments()
    {
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/nope/%zz", m));
    }

    @Test
    void shouldClearPreviousResultOnEachMatch()
    {
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", "/agent/confirm/a/b/c?x=1", m));
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/nope", m));
        assertNull(m.handler());
        assertNull(m.pattern());
        assertEquals(0, m.paramCount());
        assertNull(m.param("accountId"));
        assertNull(m.rawQuery());
    }

    @Test
    void shouldRejectDuplicateMethodAndShape()
    {
        final RouteTable.Builder<String> b = RouteTable.<String>builder().add("GET", "/users/{id}", "a");
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/users/{name}", "b"));
        b.add("POST", "/users/{name}", "c");
        final RouteTable.Builder<String> w = RouteTable.<String>builder().add("GET", "/x/*", "a");
        assertThrows(IllegalArgumentException.class, () -> w.add("GET", "/x/*", "b"));
    }

    @Test
    void shouldRejectMalformedPatterns()
    {
        final RouteTable.Builder<String> b = RouteTable.builder();
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "health", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/a/*/b", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/a/{}", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/a/{x}/{x}", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/a/{x-y}", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/a/x{y}", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/a%20b", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("GET", "/a?b", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("G ET", "/a", "h"));
        assertThrows(IllegalArgumentException.class, () -> b.add("", "/a", "h"));
        assertThrows(NullPointerException.class, () -> b.add("GET", "/a", null));
        assertEquals(0, b.build().size());
    }

    @Test
    void shouldMatchManyLiteralSiblings()
    {
        final RouteTable.Builder<Integer> b = RouteTable.builder();
        for (int i = 0; i < 200; i++)
        {
            b.add("GET", "/r" + i + "/x", i);
        }
        final RouteTable<Integer> table = b.build();
        final RouteMatch<Integer> im = new RouteMatch<>();
        for (int i = 0; i < 200; i++)
        {
            assertEquals(RouteTable.Outcome.FOUND, table.match("GET", "/r" + i + "/x", im));
            assertEquals(i, im.handler());
        }
        assertEquals(RouteTable.Outcome.NOT_FOUND, table.match("GET", "/r200/x", im));
    }

    @Test
    void shouldHandleVeryLongAndDeepTargetsWithoutRecursingPastTheTrie()
    {
        final String deep = "/users/" + "a/".repeat(100_000);
        assertEquals(RouteTable.Outcome.FOUND, TABLE.match("GET", deep, m));
        assertEquals("usersRest", m.handler());
        assertEquals(RouteTable.Outcome.NOT_FOUND, TABLE.match("GET", "/" + "x/".repeat(100_000), m));
    }

    @Test
    void shouldNotAllocateWhenMatchingLiteralPathWithoutQuery()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final String uri = "/health";
        int found = 0;
        for (int i = 0; i < 20_000; i++)
        {
            found += TABLE.match("GET", uri, m) == RouteTable.Outcome.FOUND ? 1 : 0;
        }
        final long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++)
        {
            found += TABLE.match("GET", uri, m) == RouteTable.Outcome.FOUND ? 1 : 0;
        }
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(120_000, found);
        // Zero per match; a little slack for the measurement itself.
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over 100k matches");
    }
}
