package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneTest.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security endpoints over real sockets and embedded PostgreSQL: node reports, the merged ban
 * view with {@code /auth} bans, its filters, the allowlist (unbanning, never banning, removal) and
 * bad input. Every test uses its own address range and filters the view with {@code q}, so tests
 * sharing the server do not see each other's bans.
 */
class SecurityTest
{
    static final int MAX_FAILURES = 3;

    @TempDir
    static Path dataDir;
    static String databaseUrl;
    static EdgeServer server;
    static ControlPlaneFixture cp;
    static final AtomicInteger NONCES = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception
    {
        databaseUrl = TestPostgres.freshDatabaseUrl("security");
        server = TestServers.start(dataDir, databaseUrl, Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            "EDGEPLANE_AUTH_MAX_FAILURES", Integer.toString(MAX_FAILURES)));
        cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
        cp.applyConfig(ControlPlaneFixture.document(10, ""));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    // ---- reports and the merged view ----

    @Test
    void shouldReplaceANodesSnapshotWithEachReport() throws Exception
    {
        report("node-r", ban("10.1.0.1", "sshd", ago(600), null), ban("10.1.0.2", "sip", ago(300), null));
        assertEquals(List.of("10.1.0.2", "10.1.0.1"), ips(view("q=10.1.0.&status=all")));

        report("node-r", ban("10.1.0.1", "sshd", ago(600), null));
        assertEquals(List.of("10.1.0.1"), ips(view("q=10.1.0.&status=all")), "a second report without 10.1.0.2 drops it");

        report("node-r");
        assertEquals(List.of(), ips(view("q=10.1.0.&status=all")), "an empty report clears the node");
        TestServers.await("the report events in event_log", 10_000, () -> TestServers.count(databaseUrl,
            "SELECT count(*) FROM event_log WHERE type = 'security.report' AND convert_from(payload, 'UTF8') LIKE '%node-r%'") == 3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldMergeNodesAndAuthBansAndFlagCorroboratedOnes() throws Exception
    {
        banByAuth("10.2.0.1");
        report("node-a", ban("10.2.0.1", "sshd", ago(3600), ago(-3600)), ban("10.2.0.2", "sshd", ago(200), ago(-3600)));
        report("node-b", ban("2001:DB8:2::0002", "sip-scan", ago(250), null), ban("10.2.0.3", "sip-scan", ago(100), null),
            ban("10.2.0.2", "sip-scan", ago(150), null));
        report("node-c", ban("2001:db8:2:0::2", "sip-scan", ago(260), null));

        final Map<String, Object> body = view("q=10.2.0.");
        final List<Map<String, Object>> bans = (List<Map<String, Object>>)body.get("bans");
        assertEquals(List.of("10.2.0.1", "10.2.0.3", "10.2.0.2"), ips(body), "newest since first: /auth's ban is the newest");
        assertEquals(3L, body.get("count"));
        assertEquals(3L, body.get("total"));

        final Map<String, Object> authBanned = bans.get(0);
        assertEquals("active", authBanned.get("status"));
        assertEquals(true, authBanned.get("flagged"), "node-a and /auth both ban it");
        assertEquals(false, authBanned.get("allowlisted"));
        assertEquals(true, authBanned.get("enforced"));
        final List<Map<String, Object>> sources = (List<Map<String, Object>>)authBanned.get("sources");
        assertEquals(List.of("auth", "node-a"), sources.stream().map(s -> s.get("node")).toList());
        assertEquals("auth failures", sources.get(0).get("reason"));
        assertTrue(Instant.parse((String)sources.get(0).get("expires")).isAfter(Instant.now().plusSeconds(500)));
        assertEquals("sshd", sources.get(1).get("reason"));
        assertEquals(Instant.ofEpochSecond(ago(3600)).toString(), sources.get(1).get("since"));
        assertEquals(Instant.ofEpochSecond(ago(-3600)).toString(), sources.get(1).get("expires"));

        assertEquals(false, bans.get(1).get("flagged"), "10.2.0.3: only node-b");
        assertNull(((List<Map<String, Object>>)bans.get(1).get("sources")).get(0).get("expires"), "no expiry");
        assertEquals(true, bans.get(2).get("flagged"), "10.2.0.2: node-a and node-b");

        final List<Map<String, Object>> v6 = (List<Map<String, Object>>)view("q=2001:db8:2::").get("bans");
        assertEquals(1, v6.size(), "two spellings of one address are one entry");
        assertEquals("2001:db8:2::2", v6.get(0).get("ip"));
        assertEquals(true, v6.get(0).get("flagged"));
    }

    @Test
    void shouldFilterByStatusQueryFlagAndLimit() throws Exception
    {
        report("node-f", ban("10.3.0.1", "sshd", ago(100), ago(-600)), ban("10.3.0.2", "sshd", ago(900), ago(60)),
            ban("10.3.0.3", "Brute-Force SIP", ago(50), null), ban("10.3.0.4", "old", ago(5000), ago(4000)));
        report("node-g", ban("10.3.0.1", "sip", ago(80), ago(-600)));

        assertEquals(List.of("10.3.0.3", "10.3.0.1"), ips(view("q=10.3.0.")), "active is the default");
        assertEquals(List.of("10.3.0.3", "10.3.0.1"), ips(view("q=10.3.0.&status=active")));
        assertEquals(List.of("10.3.0.2", "10.3.0.4"), ips(view("q=10.3.0.&status=expired")));
        assertEquals(List.of("10.3.0.3", "10.3.0.1", "10.3.0.2", "10.3.0.4"), ips(view("q=10.3.0.&status=all")));
        assertEquals(List.of("10.3.0.1"), ips(view("q=10.3.0.&flagged=true")));
        assertEquals(List.of("10.3.0.3", "10.3.0.2", "10.3.0.4"), ips(view("q=10.3.0.&flagged=false&status=all")));
        assertEquals(List.of("10.3.0.3"), ips(view("q=" + enc("bRUTE-force"))), "q matches reasons, case-insensitively");

        final Map<String, Object> limited = view("q=10.3.0.&status=all&limit=2");
        assertEquals(List.of("10.3.0.3", "10.3.0.1"), ips(limited));
        assertEquals(2L, limited.get("count"));
        assertEquals(4L, limited.get("total"));
    }

    @Test
    void shouldAcceptEpochSecondsIsoInstantsAndFormBodies() throws Exception
    {
        final String json = "{\"nodeId\":\"node-t\",\"bans\":["
            + "{\"ip\":\"10.10.0.1\",\"since\":1700000000,\"expires\":\"1700003600\"},"
            + "{\"ip\":\"10.10.0.2\",\"since\":\"2023-11-14T22:13:20.5Z\",\"expires\":\"2023-11-15T00:13:20+01:00\"}]}";
        assertEquals(204, cp.json("/security/report", json).statusCode());
        final Map<String, Object> body = view("q=10.10.0.&status=all");
        assertEquals(List.of("10.10.0.2", "10.10.0.1"), ips(body));
        assertEquals("2023-11-14T22:13:20.500Z", source(body, 0).get("since"));
        assertEquals("2023-11-14T23:13:20Z", source(body, 0).get("expires"));
        assertEquals("2023-11-14T22:13:20Z", source(body, 1).get("since"));
        assertEquals("2023-11-14T23:13:20Z", source(body, 1).get("expires"));

        final HttpResponse<String> form = cp.form("/security/report", "nodeId", "node-form",
            "bans", "[{\"ip\":\"10.10.0.9\",\"reason\":\"form\",\"since\":1700000000}]");
        assertEquals(204, form.statusCode(), form.body());
        assertEquals(List.of("10.10.0.9"), ips(view("q=10.10.0.9")));
    }

    @Test
    void shouldAcceptTenThousandBansAndRefuseMore() throws Exception
    {
        final StringJoiner many = new StringJoiner(",", "{\"nodeId\":\"node-big\",\"bans\":[", "]}");
        for (int i = 0; i < 10_000; i++)
        {
            many.add("{\"ip\":\"10.20." + (i >> 8) + "." + (i & 0xFF) + "\",\"since\":1700000000}");
        }
        assertEquals(204, cp.json("/security/report", many.toString()).statusCode());
        assertEquals(10_000L, view("q=10.20.&limit=1000").get("total"));
        assertEquals(1000L, view("q=10.20.&limit=1000").get("count"));

        final String tooMany = many.toString().replace("]}", ",{\"ip\":\"10.21.0.1\",\"since\":1700000000}]}");
        assertInvalid(cp.json("/security/report", tooMany), "bans");
        assertEquals(10_000L, view("q=10.20.&limit=1").get("total"), "the refused report replaced nothing");
        assertEquals(0L, view("q=10.21.0.1").get("total"));
    }

    // ---- the allowlist ----

    @Test
    @SuppressWarnings("unchecked")
    void shouldUnbanAnAddressWhenItIsAllowlisted() throws Exception
    {
        banByAuth("10.4.0.1");
        assertEquals("banned", authFor("10.4.0.1", "pw-1001").get("message"));

        final HttpResponse<String> added = cp.json("/security/allow", "{\"ip\":\"10.4.0.1\",\"note\":\"office NAT\"}");
        assertEquals(201, added.statusCode(), added.body());
        final Map<String, Object> entry = TestServers.json(added.body());
        assertEquals("10.4.0.1", entry.get("ip"));
        assertEquals("office NAT", entry.get("note"));
        assertEquals(1L, entry.get("unbanned"));
        assertEquals("ok", authFor("10.4.0.1", "pw-1001").get("status"), "authenticates right after the POST");
        assertEquals(List.of(), ips(view("q=10.4.0.1&status=all")), "the /auth ban is gone");

        final List<Map<String, Object>> allow = (List<Map<String, Object>>)TestServers.json(cp.get("/security/allow").body()).get("allow");
        final Map<String, Object> listed = allow.stream().filter(a -> "10.4.0.1".equals(a.get("ip"))).findFirst().orElseThrow();
        assertEquals("office NAT", listed.get("note"));
        Instant.parse((String)listed.get("added_at"));

        final HttpResponse<String> again = cp.json("/security/allow", "{\"ip\":\"10.4.0.1/32\",\"note\":\"renamed\"}");
        assertEquals(200, again.statusCode(), "already listed: the note is replaced");
        assertEquals("renamed", TestServers.json(again.body()).get("note"));
        assertEquals(entry.get("added_at"), TestServers.json(again.body()).get("added_at"));

        TestServers.await("security.allow and security.unban in event_log", 10_000, () ->
            TestServers.count(databaseUrl, "SELECT count(*) FROM event_log WHERE type = 'security.allow'"
                + " AND convert_from(payload, 'UTF8') LIKE '%10.4.0.1%'") == 2
            && TestServers.count(databaseUrl, "SELECT count(*) FROM event_log WHERE type = 'security.unban'"
                + " AND convert_from(payload, 'UTF8') LIKE '%10.4.0.1%'") == 1);
    }

    @Test
    void shouldUnbanEveryAddressABlockCovers() throws Exception
    {
        banByAuth("10.5.1.1");
        banByAuth("10.5.2.2");
        banByAuth("10.6.9.9");
        final HttpResponse<String> added = cp.form("/security/allow", "ip", "10.5.77.1/16");
        assertEquals(201, added.statusCode(), added.body());
        assertEquals("10.5.0.0/16", TestServers.json(added.body()).get("ip"), "host bits cleared");
        assertNull(TestServers.json(added.body()).get("note"));
        assertEquals(2L, TestServers.json(added.body()).get("unbanned"));
        assertEquals("ok", authFor("10.5.1.1", "pw-1001").get("status"));
        assertEquals("ok", authFor("10.5.2.2", "pw-1001").get("status"));
        assertEquals("banned", authFor("10.6.9.9", "pw-1001").get("message"), "outside the block: still banned");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldNeverBanAnAllowlistedAddress() throws Exception
    {
        assertEquals(201, cp.json("/security/allow", "{\"ip\":\"2001:db8:7::/48\"}").statusCode());
        for (int i = 0; i < MAX_FAILURES * 4; i++)
        {
            final Map<String, Object> r = authFor("2001:db8:7::beef", "wrong");
            assertEquals("fail", r.get("status"));
            assertEquals("invalid credentials", r.get("message"));
            assertEquals(0L, r.get("blacklist"), "attempt " + i);
        }
        assertEquals("ok", authFor("2001:db8:7::beef", "pw-1001").get("status"));
        assertEquals(List.of(), ips(view("q=2001:db8:7:&status=all")), "no /auth ban was recorded");

        // A node may still ban it: shown, flagged and allowlisted, but not enforced.
        report("node-x", ban("2001:db8:7::beef", "sip", ago(10), null));
        final Map<String, Object> entry = ((List<Map<String, Object>>)view("q=2001:db8:7:").get("bans")).get(0);
        assertEquals("active", entry.get("status"));
        assertEquals(true, entry.get("flagged"));
        assertEquals(true, entry.get("allowlisted"));
        assertEquals(false, entry.get("enforced"));
        assertEquals(List.of("2001:db8:7::beef"), ips(view("q=2001:db8:7:&flagged=true")));
    }

    @Test
    void shouldRemoveFromTheAllowlistAndAnswer404ForUnknownEntries() throws Exception
    {
        assertEquals(201, cp.json("/security/allow", "{\"ip\":\"10.7.0.0/24\"}").statusCode());
        assertEquals(201, cp.json("/security/allow", "{\"ip\":\"2001:DB8:8::1\"}").statusCode());
        assertEquals(204, cp.admin("DELETE", "/security/allow/10.7.0.0%2F24", null).statusCode());
        assertEquals(404, cp.admin("DELETE", "/security/allow/10.7.0.0%2F24", null).statusCode());
        assertEquals(204, cp.admin("DELETE", "/security/allow/2001:db8:8:0::1", null).statusCode(), "any spelling of the entry");
        assertEquals(404, cp.admin("DELETE", "/security/allow/10.99.0.1", null).statusCode());
        final String listed = cp.get("/security/allow").body();
        assertFalse(listed.contains("10.7.0.0/24") || listed.contains("2001:db8:8::1"), listed);

        // No longer allowlisted: failures count again.
        assertEquals(0L, authFor("10.7.0.5", "wrong").get("blacklist"));
        assertEquals(0L, authFor("10.7.0.5", "wrong").get("blacklist"));
        assertEquals(600L, authFor("10.7.0.5", "wrong").get("blacklist"));
        TestServers.await("security.disallow in event_log", 10_000, () -> TestServers.count(databaseUrl,
            "SELECT count(*) FROM event_log WHERE type = 'security.disallow'") >= 2);
    }

    /**
     * Adds and removals racing on the blocking pool reach the security shard in any order; the list
     * /auth uses must still end up exactly what PostgreSQL holds (no older list published last).
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldPublishTheStoredListWhenChangesRace() throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        try
        {
            final List<Future<Integer>> answers = new ArrayList<>();
            for (int round = 0; round < 6; round++)
            {
                for (int i = 0; i < 16; i++)
                {
                    final String ip = "10.30.0." + i;
                    answers.add(pool.submit(() -> cp.json("/security/allow", "{\"ip\":\"" + ip + "\"}").statusCode()));
                    answers.add(pool.submit(() -> cp.admin("DELETE", "/security/allow/" + ip, null).statusCode()));
                }
            }
            for (final Future<Integer> f : answers)
            {
                assertTrue(Set.of(200, 201, 204, 404).contains(f.get()), "answer " + f.get());
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        final Set<String> stored = new HashSet<>();
        try (Connection c = TestServers.connect(databaseUrl);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ip FROM security_allow WHERE ip LIKE '10.30.0.%'"))
        {
            while (rs.next())
            {
                stored.add(rs.getString(1));
            }
        }
        final Set<String> published = new HashSet<>();
        for (final Object o : (List<Object>)TestServers.json(cp.get("/security/allow").body()).get("allow"))
        {
            final String ip = (String)((Map<String, Object>)o).get("ip");
            if (ip.startsWith("10.30.0."))
            {
                published.add(ip);
            }
        }
        assertEquals(stored, published);
        for (int i = 0; i < 16; i++)
        {
            final String ip = "10.30.0." + i;
            for (int k = 0; k < MAX_FAILURES; k++)
            {
                authFor(ip, "wrong");
            }
            assertEquals(stored.contains(ip) ? "ok" : "banned", authFor(ip, "pw-1001").get(stored.contains(ip) ? "status" : "message"), ip);
        }
    }

    // ---- bad input changes nothing ----

    @Test
    @SuppressWarnings("unchecked")
    void shouldRejectBadInputOnEveryEndpointWithoutChangingAnything() throws Exception
    {
        report("node-keep", ban("10.40.0.1", "kept", ago(10), null));
        final HttpResponse<String> bad = cp.json("/security/report", "{\"nodeId\":\"node-keep\",\"bans\":["
            + "{\"ip\":\"example.com\",\"since\":1700000000},"
            + "{\"ip\":\"10.40.0.2\",\"since\":\"yesterday\"},"
            + "{\"ip\":\"10.40.0.3\",\"since\":1700000000,\"expires\":1600000000},"
            + "{\"ip\":\"10.40.0.4\",\"since\":1700000000000},"
            + "{\"ip\":\"10.40.0.5\",\"reason\":\"" + "x".repeat(257) + "\",\"since\":1700000000},"
            + "{\"since\":1700000000},"
            + "\"10.40.0.6\"]}");
        for (final String path : List.of("bans[0].ip", "bans[1].since", "bans[2].expires", "bans[3].since", "bans[4].reason",
            "bans[5].ip", "bans[6]"))
        {
            assertInvalid(bad, path);
        }
        assertEquals(7, problems(bad).size(), bad.body());
        assertInvalid(cp.json("/security/report", "{\"bans\":[]}"), "nodeId");
        assertInvalid(cp.json("/security/report", "{\"nodeId\":\"" + "n".repeat(129) + "\",\"bans\":[]}"), "nodeId");
        assertInvalid(cp.json("/security/report", "{\"nodeId\":\"auth\",\"bans\":[]}"), "nodeId");
        assertInvalid(cp.json("/security/report", "{\"nodeId\":\"node-keep\"}"), "bans");
        assertInvalid(cp.json("/security/report", "{\"nodeId\":\"node-keep\",\"bans\":{}}"), "bans");
        assertInvalid(cp.form("/security/report", "nodeId", "node-keep", "bans", "not json"), "bans");
        assertEquals(400, cp.json("/security/report", "{\"nodeId\":").statusCode());
        assertEquals(List.of("10.40.0.1"), ips(view("q=10.40.0.&status=all")), "the node's snapshot is untouched");

        final HttpResponse<String> badQuery = cp.get("/security/bans?status=bogus&limit=0&flagged=maybe");
        assertInvalid(badQuery, "status");
        assertInvalid(badQuery, "limit");
        assertInvalid(badQuery, "flagged");
        assertInvalid(cp.get("/security/bans?limit=1001"), "limit");

        final String before = cp.get("/security/allow").body();
        final HttpResponse<String> badAllow = cp.json("/security/allow", "{\"ip\":\"10.0.0.0/33\",\"note\":\"" + "x".repeat(257) + "\"}");
        assertInvalid(badAllow, "ip");
        assertInvalid(badAllow, "note");
        assertInvalid(cp.json("/security/allow", "{\"note\":\"no ip\"}"), "ip");
        assertInvalid(cp.json("/security/allow", "{\"ip\":\"host.example\"}"), "ip");
        assertInvalid(cp.json("/security/allow", "{\"ip\":7}"), "ip");
        assertInvalid(cp.admin("DELETE", "/security/allow/not-an-ip", null), "ip");
        assertEquals(before, cp.get("/security/allow").body(), "the allowlist is untouched");
        assertEquals(0L, TestServers.count(databaseUrl, "SELECT count(*) FROM security_allow WHERE ip LIKE '10.0.0.0%'"));
    }

    // ---- helpers ----

    /** Fails /auth from {@code ip} until it is banned. */
    static void banByAuth(final String ip) throws Exception
    {
        Map<String, Object> r = null;
        for (int i = 0; i < MAX_FAILURES; i++)
        {
            r = authFor(ip, "wrong");
        }
        assertEquals(600L, r.get("blacklist"), "banned after " + MAX_FAILURES + " failures");
    }

    static Map<String, Object> authFor(final String ip, final String password) throws Exception
    {
        final HttpResponse<String> r = cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", password,
            "sec-" + NONCES.incrementAndGet(), "00000001", "c", "auth"), ip);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    static String ban(final String ip, final String reason, final long since, final Long expires)
    {
        return "{\"ip\":\"" + ip + "\",\"reason\":\"" + reason + "\",\"since\":" + since
            + (expires == null ? "" : ",\"expires\":" + expires) + "}";
    }

    static void report(final String node, final String... bans) throws Exception
    {
        final HttpResponse<String> r = cp.json("/security/report",
            "{\"nodeId\":\"" + node + "\",\"bans\":[" + String.join(",", bans) + "]}");
        assertEquals(204, r.statusCode(), r.body());
    }

    /** @return epoch seconds {@code seconds} ago (negative: in the future). */
    /** Epoch seconds at the start of the current test, so every ago(…) of one test agrees. */
    private static long testStartSeconds;

    @org.junit.jupiter.api.BeforeEach
    void fixTheClockForThisTest()
    {
        testStartSeconds = Instant.now().getEpochSecond();
    }

    static long ago(final long seconds)
    {
        return testStartSeconds - seconds;
    }

    static Map<String, Object> view(final String query) throws Exception
    {
        final HttpResponse<String> r = cp.get("/security/bans?" + query);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    @SuppressWarnings("unchecked")
    static List<String> ips(final Map<String, Object> view)
    {
        return ((List<Map<String, Object>>)view.get("bans")).stream().map(b -> (String)b.get("ip")).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> source(final Map<String, Object> view, final int index)
    {
        final Map<String, Object> entry = ((List<Map<String, Object>>)view.get("bans")).get(index);
        return ((List<Map<String, Object>>)entry.get("sources")).get(0);
    }

    @SuppressWarnings("unchecked")
    static List<Object> problems(final HttpResponse<String> r)
    {
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(r.body()).get("error");
        return (List<Object>)((Map<String, Object>)error.get("details")).get("problems");
    }

    static String enc(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
