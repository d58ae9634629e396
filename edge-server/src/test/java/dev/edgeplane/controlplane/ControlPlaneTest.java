package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneFixture.ACCOUNT;
import static dev.edgeplane.controlplane.ControlPlaneFixture.DOMAIN;
import static dev.edgeplane.controlplane.ControlPlaneFixture.FLOW;
import static dev.edgeplane.controlplane.ControlPlaneFixture.LOOP_FLOW;
import static dev.edgeplane.controlplane.ControlPlaneFixture.rtjson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIP-facing control plane over real sockets and embedded PostgreSQL: configuration, /auth,
 * /route (every decision branch, idempotency, CAC), /flow, /presence/event, traces, bad input.
 */
class ControlPlaneTest
{
    static final int MAX_CHANNELS = 10;

    @TempDir
    static Path dataDir;
    static String databaseUrl;
    static EdgeServer server;
    static ControlPlaneFixture cp;

    @BeforeAll
    static void start() throws Exception
    {
        databaseUrl = TestPostgres.freshDatabaseUrl("control_plane");
        server = TestServers.start(dataDir, databaseUrl, Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            "EDGEPLANE_AUTH_MAX_FAILURES", "3",
            "WHOLESALE_TRUNK_URI", "sip:wholesale.example.net:5060",
            "EDGEPLANE_FLOW_STEP_LIMIT", "20"));
        cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
        cp.applyConfig(ControlPlaneFixture.document(MAX_CHANNELS, ""));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    @BeforeEach
    void noChannelsHeld() throws Exception
    {
        assertEquals(200, cp.json("/cac/reset", "{\"accountId\":\"" + ACCOUNT + "\"}").statusCode());
    }

    // ---- configuration ----

    @Test
    void shouldRejectABadDocumentListingEveryProblem() throws Exception
    {
        final HttpResponse<String> r = cp.admin("POST", "/admin/config", """
            {"accounts":[{"id":"acc_bad","name":"X","domain":"not a domain","max_channels":-1,
              "devices":[{"id":"dev_01jx45hy43kwjrp1xpa7z3dj8f","username":"1001"}],
              "dids":[{"number":"12","target":{"type":"flow","id":"flow_missing"}}]}]}""");
        assertEquals(400, r.statusCode(), r.body());
        @SuppressWarnings("unchecked")
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(r.body()).get("error");
        assertEquals("invalid_config", error.get("code"));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> problems = (List<Map<String, Object>>)((Map<String, Object>)error.get("details")).get("problems");
        final List<Object> paths = problems.stream().map(p -> p.get("path")).toList();
        assertTrue(paths.contains("accounts[0].id"), paths.toString());
        assertTrue(paths.contains("accounts[0].domain"), paths.toString());
        assertTrue(paths.contains("accounts[0].max_channels"), paths.toString());
        assertTrue(paths.contains("accounts[0].devices[0]"), paths.toString());
        assertTrue(paths.contains("accounts[0].dids[0].number"), paths.toString());
        assertTrue(paths.contains("accounts[0].dids[0].target.id"), paths.toString());
        // Nothing changed: the account still routes as before.
        assertEquals("flow", cp.route("cfg-check", "14155551234", "carrier.example", "+12025550123").get("action"));
    }

    @Test
    void shouldRequireTheAdminTokenForConfiguration() throws Exception
    {
        final HttpResponse<String> r = TestServers.post(cp.port, "/admin/config", "application/json", "{}");
        assertEquals(401, r.statusCode());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldExportWithoutPasswords() throws Exception
    {
        final HttpResponse<String> r = cp.admin("GET", "/admin/config/" + ACCOUNT, null);
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(r.body().contains("pw-1001"), "passwords are never stored or exported");
        final Map<String, Object> account = (Map<String, Object>)((List<Object>)TestServers.json(r.body()).get("accounts")).get(0);
        assertEquals(DOMAIN, account.get("domain"));
        final Map<String, Object> device = (Map<String, Object>)((List<Object>)account.get("devices")).get(0);
        assertEquals(32, ((String)device.get("ha1_md5")).length());
        assertEquals(64, ((String)device.get("ha1_sha256")).length());
        assertEquals(404, cp.admin("GET", "/admin/config/acc_01jf18ah3jeb5w6dfp27sgjsbz", null).statusCode());
    }

    // ---- /auth ----

    @Test
    void shouldAcceptMd5AndSha256DigestsWithAndWithoutQop() throws Exception
    {
        assertOk(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "n-md5", "00000001", "c1", "auth"), "198.51.100.1"));
        assertOk(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.SHA_256, "1001", "pw-1001", "n-sha", "00000001", "c1", "auth"), "198.51.100.1"));
        assertOk(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1002", "pw-1002", "n-noqop", null, null, null), "198.51.100.1"));
        assertOk(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1003", "pw-1003", "n-ha1", "00000001", "c9", "auth"), null));
    }

    @Test
    void shouldReturnTheHa1WhenAsked() throws Exception
    {
        final Map<String, String> fields = new java.util.LinkedHashMap<>(
            ControlPlaneFixture.digest(DigestAlgorithm.SHA_256, "1002", "pw-1002", "n-want", "00000001", "cx", "auth"));
        fields.put("wantHa1", "1");
        final Map<String, Object> body = TestServers.json(cp.auth(fields, null).body());
        assertEquals("ok", body.get("status"));
        assertEquals(dev.edgeplane.codec.SipDigest.ha1(DigestAlgorithm.SHA_256, "1002", DOMAIN, "pw-1002"), body.get("ha1"));
    }

    @Test
    void shouldRefuseWrongPasswordsUnknownUsersDisabledDevicesAndReplays() throws Exception
    {
        assertFail("invalid credentials", cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "wrong", "n-w", "00000001", "c", "auth"), null));
        assertFail("unknown user", cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "7777", "x", "n-u", "00000001", "c", "auth"), null));
        assertFail("device disabled", cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1099", "pw-1099", "n-d", "00000001", "c", "auth"), null));
        final Map<String, String> once = ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "n-replay", "00000001", "cr", "auth");
        assertOk(cp.auth(once, null));
        assertFail("replay", cp.auth(once, null));
        // The next nc of the same nonce is a fresh answer.
        assertOk(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "n-replay", "00000002", "cr", "auth"), null));
    }

    @Test
    void shouldBanAnAddressAfterRepeatedFailures() throws Exception
    {
        final String ip = "192.0.2.99";
        final Map<String, Object> first = TestServers.json(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "bad", "b1", "00000001", "c", "auth"), ip).body());
        assertEquals(0L, first.get("blacklist"));
        cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "bad", "b2", "00000001", "c", "auth"), ip);
        final Map<String, Object> third = TestServers.json(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "bad", "b3", "00000001", "c", "auth"), ip).body());
        assertEquals("fail", third.get("status"));
        assertEquals(600L, third.get("blacklist"));
        // Even a correct answer is refused while banned; another address is not affected.
        final Map<String, Object> banned = TestServers.json(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "b4", "00000001", "c", "auth"), ip).body());
        assertEquals("banned", banned.get("message"));
        assertTrue((Long)banned.get("blacklist") > 0);
        assertOk(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "b5", "00000001", "c", "auth"), "192.0.2.100"));
    }

    /** Spellings of one address share one failure counter; a spelling that is not an address is a 400. */
    @Test
    void shouldCountEverySpellingOfAnAddressAsOne() throws Exception
    {
        cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "bad", "s1", "00000001", "c", "auth"), "198.51.100.77");
        cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "bad", "s2", "00000001", "c", "auth"), "::ffff:198.51.100.77");
        final Map<String, Object> third = TestServers.json(cp.auth(
            ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "bad", "s3", "00000001", "c", "auth"), "::FFFF:c633:644d").body());
        assertEquals(600L, third.get("blacklist"), "three spellings of 198.51.100.77 are three failures of one address");
        for (final String bypass : new String[] {"198.051.100.77", " 198.51.100.77", "fe80::1%eth0", "198.51.100.77/32", "host.example"})
        {
            assertInvalid(cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "s4", "00000001", "c", "auth"),
                bypass), "sourceIp");
        }
    }

    @Test
    void shouldAnswer400ForMalformedAuthRequests() throws Exception
    {
        assertInvalid(cp.form("/auth", "method", "REGISTER"), "realm");
        final Map<String, String> fields = new java.util.LinkedHashMap<>(
            ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "n-bad", "00000001", "c", "auth"));
        fields.put("algorithm", "SHA-512-256");
        assertInvalid(cp.auth(fields, null), "algorithm");
        fields.put("algorithm", "MD5");
        fields.put("nc", "1");
        assertInvalid(cp.auth(fields, null), "nc");
    }

    // ---- /route ----

    @Test
    @SuppressWarnings("unchecked")
    void shouldRouteAnInboundDidToItsFlow() throws Exception
    {
        final Map<String, Object> rt = cp.route("in-flow", "+1 415 555 1234", "carrier.example", "12025550123");
        assertEquals("flow", rt.get("action"));
        assertEquals(ACCOUNT, rt.get("account_id"));
        assertEquals(FLOW, rt.get("flow_id"));
        assertEquals("14155551234", ((Map<String, Object>)rt.get("vars")).get("caller_cid"));
        assertEquals(1L, cp.active());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldProxyAnInboundDidToARegisteredDevice() throws Exception
    {
        cp.register("1002", "sip:1002@203.0.113.7:5062", 600);
        final Map<String, Object> rt = cp.route("in-dev", "14155551234", "carrier.example", "sip:+12025550124@edge");
        assertEquals("proxy", rt.get("action"));
        assertEquals("1.0", rt.get("version"));
        assertEquals("serial", rt.get("routing"));
        final Map<String, Object> route = ((List<Map<String, Object>>)rt.get("routes")).get(0);
        assertEquals("sip:1002@" + DOMAIN, route.get("uri"));
        assertEquals("sip:1002@203.0.113.7:5062", route.get("dst_uri"));
        assertEquals("X-Account-Id: " + ACCOUNT + "\r\n", ((Map<String, Object>)route.get("headers")).get("extra"));
        assertEquals(1L, cp.active());
    }

    @Test
    void shouldRejectWith480WhenTheDeviceIsNotRegistered() throws Exception
    {
        cp.register("1002", "sip:1002@203.0.113.7:5062", 0); // unregister
        final Map<String, Object> rt = cp.route("in-unreg", "14155551234", "carrier.example", "+12025550124");
        assertEquals("reject", rt.get("action"));
        assertEquals(480L, rt.get("code"));
        assertEquals(0L, cp.active(), "a rejected call holds no channel");
    }

    @Test
    void shouldUseTheAfterHoursTargetOutsideTheSchedule() throws Exception
    {
        final Map<String, Object> rt = cp.route("in-closed", "14155551234", "carrier.example", "+12025550126");
        assertEquals("flow", rt.get("action"));
        assertEquals(FLOW, rt.get("flow_id"), "the schedule has no open hours, so the after-hours flow (not device 1002) answers");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldSendADidWithANumberTargetOutByLongestPrefix() throws Exception
    {
        final Map<String, Object> rt = cp.route("in-number", "14155551234", "carrier.example", "+12025550125");
        assertEquals("outbound", rt.get("action"));
        final Map<String, Object> route = ((List<Map<String, Object>>)rt.get("routes")).get(0);
        assertEquals("sips:+447700900123@uk-mobile.example.net:5061", route.get("uri"), "+4477 beats +44");
        assertEquals("sips:uk-mobile.example.net:5061", route.get("dst_uri"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldProxyInternalCallsWithoutTakingAChannel() throws Exception
    {
        cp.register("1002", "sip:1002@10.0.0.2:5060", 600);
        final Map<String, Object> rt = cp.route("int-1", "1001", DOMAIN, "1002");
        assertEquals("proxy", rt.get("action"));
        assertEquals("sip:1002@10.0.0.2:5060", ((List<Map<String, Object>>)rt.get("routes")).get(0).get("dst_uri"));
        assertEquals(0L, cp.active());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRouteOutboundCallsToTheTrunkOrTheWholesaleDefault() throws Exception
    {
        final Map<String, Object> us = cp.route("out-1", "sip:1001@" + DOMAIN, DOMAIN, "+1 (212) 555-0100");
        assertEquals("outbound", us.get("action"));
        assertEquals("sip:+12125550100@us-gw.example.net:5060", ((List<Map<String, Object>>)us.get("routes")).get(0).get("uri"));
        final Map<String, Object> fr = cp.route("out-2", "1001", DOMAIN, "+33142685300");
        assertEquals("sip:+33142685300@wholesale.example.net:5060", ((List<Map<String, Object>>)fr.get("routes")).get(0).get("uri"));
        assertEquals(2L, cp.active());
        assertEquals(2L, cp.cac().get("outbound"));
    }

    @Test
    void shouldRejectUnknownCallersAndDestinations() throws Exception
    {
        final Map<String, Object> stranger = cp.route("rej-1", "5555", "elsewhere.example", "+33142685300");
        assertEquals(403L, stranger.get("code"));
        final Map<String, Object> disabled = cp.route("rej-2", "1099", DOMAIN, "+33142685300");
        assertEquals(403L, disabled.get("code"));
        final Map<String, Object> nowhere = cp.route("rej-3", "1001", DOMAIN, "4242");
        assertEquals(404L, nowhere.get("code"));
        assertEquals(0L, cp.active());
    }

    @Test
    void shouldAnswerARetryWithTheSameDecisionAndNoSecondChannel() throws Exception
    {
        final HttpResponse<String> first = cp.form("/route", "callId", "retry-1", "from", "1001", "fromDomain", DOMAIN, "to", "+12125550100");
        final HttpResponse<String> again = cp.form("/route", "callId", "retry-1", "from", "1001", "fromDomain", DOMAIN, "to", "+12125550100");
        assertEquals(first.body(), again.body());
        assertEquals(1L, cp.active());
    }

    /** max_channels = N: thousands of concurrent /route calls for one account admit exactly N. */
    @Test
    void shouldAdmitExactlyMaxChannelsUnderConcurrency() throws Exception
    {
        final int calls = 2000;
        final ExecutorService pool = Executors.newFixedThreadPool(32);
        try
        {
            final List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++)
            {
                final String callId = "burst-" + i;
                // Every call is routed twice at once: retries must not take a second channel either.
                final Callable<String> task = () -> cp.form("/route", "callId", callId, "from", "1001", "fromDomain", DOMAIN,
                    "to", "+12125550100").body();
                answers.add(pool.submit(task));
                answers.add(pool.submit(task));
            }
            final AtomicInteger admitted = new AtomicInteger();
            final AtomicInteger full = new AtomicInteger();
            final java.util.Map<String, String> byCall = new java.util.HashMap<>();
            for (int i = 0; i < answers.size(); i++)
            {
                final String body = answers.get(i).get();
                final Map<String, Object> rt = rtjson(body);
                final String callId = "burst-" + (i / 2);
                final String previous = byCall.putIfAbsent(callId, body);
                if (previous != null)
                {
                    assertEquals(previous, body, "both routes of " + callId + " must get the same answer");
                    continue;
                }
                if ("outbound".equals(rt.get("action")))
                {
                    admitted.incrementAndGet();
                }
                else
                {
                    assertEquals(503L, rt.get("code"), body);
                    assertEquals("Maximum Calls In Progress", rt.get("reason"));
                    full.incrementAndGet();
                }
            }
            assertEquals(MAX_CHANNELS, admitted.get());
            assertEquals(calls - MAX_CHANNELS, full.get());
            assertEquals((long)MAX_CHANNELS, cp.active());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldReleaseTheChannelWhenTheDialogTerminatesAndWriteTheCallRecord() throws Exception
    {
        cp.route("rel-1", "1001", DOMAIN, "+12125550100");
        assertEquals(204, cp.form("/presence/event", "type", "dialog", "callId", "rel-1", "state", "confirmed").statusCode());
        assertEquals(1L, cp.active());
        cp.terminate("rel-1");
        assertEquals(0L, cp.active());
        cp.terminate("rel-1"); // again: idempotent
        assertEquals(0L, cp.active());
        TestServers.await("the call record in PostgreSQL", 10_000,
            () -> TestServers.count(databaseUrl, "SELECT count(*) FROM call_records WHERE call_id = 'rel-1' AND answered_at IS NOT NULL"
                + " AND decision->>'action' = 'outbound' AND decision->>'routing' = 'serial'") == 1);
    }

    /**
     * Presence events racing route retries for the same calls: whatever order the shard sees them
     * in, the counter always equals the calls that hold a channel, and terminating everything
     * leaves no channel behind (no lost update, no leak, no negative count).
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldLoseNoUpdateWhenPresenceEventsRaceRoutes() throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(12);
        try
        {
            for (int round = 0; round < 40; round++)
            {
                final List<Future<?>> racing = new ArrayList<>();
                for (int c = 0; c < MAX_CHANNELS; c++)
                {
                    final String callId = "race-" + round + "-" + c;
                    cp.route(callId, "1001", DOMAIN, "+12125550100");
                    racing.add(pool.submit(() -> cp.route(callId, "1001", DOMAIN, "+12125550100")));
                    racing.add(pool.submit(() -> cp.form("/presence/event", "type", "dialog", "callId", callId, "state", "confirmed")));
                    racing.add(pool.submit(() -> cp.form("/presence/event", "type", "dialog", "callId", callId, "state", "terminated")));
                }
                for (final Future<?> f : racing)
                {
                    f.get();
                }
                final Map<String, Object> cac = cp.cac();
                assertEquals((long)((List<Object>)cac.get("calls")).size(), cac.get("active"), "round " + round + ": " + cac);
                for (int c = 0; c < MAX_CHANNELS; c++)
                {
                    cp.terminate("race-" + round + "-" + c);
                }
                assertEquals(0L, cp.active(), "round " + round + " leaked a channel");
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    // ---- /flow ----

    @Test
    @SuppressWarnings("unchecked")
    void shouldRunAFlowStepByStepAndRefuseStepsAfterHangup() throws Exception
    {
        cp.route("flow-1", "+14155551234", "carrier.example", "+12025550123");
        final Map<String, Object> start = TestServers.json(cp.json("/flow",
            "{\"callId\":\"flow-1\",\"accountId\":\"" + ACCOUNT + "\",\"flowId\":\"" + FLOW + "\"}").body());
        assertEquals(1L, start.get("step"));
        final Map<String, Object> gather = (Map<String, Object>)start.get("command");
        assertEquals("gather", gather.get("type"));
        assertEquals("media:menu-14155551234.wav", gather.get("prompt"), "${caller_cid} comes from the routed call");

        final Map<String, Object> again = TestServers.json(cp.json("/flow", "{\"callId\":\"flow-1\",\"outcome\":\"timeout\"}").body());
        assertEquals("gather", ((Map<String, Object>)again.get("command")).get("type"));
        final Map<String, Object> sales = TestServers.json(cp.json("/flow",
            "{\"callId\":\"flow-1\",\"outcome\":\"digit:1\",\"data\":{\"digits\":\"1\"}}").body());
        assertEquals(3L, sales.get("step"));
        assertEquals("enqueue", ((Map<String, Object>)sales.get("command")).get("type"));
        final Map<String, Object> bye = TestServers.json(cp.form("/flow", "callId", "flow-1", "outcome", "queue:timeout").body());
        assertEquals("hangup", ((Map<String, Object>)bye.get("command")).get("type"));

        final HttpResponse<String> late = cp.json("/flow", "{\"callId\":\"flow-1\",\"outcome\":\"digit:1\"}");
        assertEquals(409, late.statusCode(), late.body());
        assertEquals(404, cp.json("/flow", "{\"callId\":\"never-started\",\"outcome\":\"digit:1\"}").statusCode());
        assertEquals(409, cp.json("/flow", "{\"callId\":\"flow-1\",\"accountId\":\"" + ACCOUNT + "\",\"flowId\":\"" + FLOW + "\"}").statusCode());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldHangUpALoopingFlowAtTheStepLimit() throws Exception
    {
        cp.json("/flow", "{\"callId\":\"loop-1\",\"accountId\":\"" + ACCOUNT + "\",\"flowId\":\"" + LOOP_FLOW + "\"}");
        Map<String, Object> last = null;
        for (int i = 0; i < 25; i++)
        {
            final HttpResponse<String> r = cp.json("/flow", "{\"callId\":\"loop-1\",\"outcome\":\"done\"}");
            if (r.statusCode() == 409)
            {
                break;
            }
            last = (Map<String, Object>)TestServers.json(r.body()).get("command");
        }
        assertNotNull(last);
        assertEquals("hangup", last.get("type"));
        assertEquals("loop", last.get("cause"));
    }

    @Test
    void shouldRejectFlowStartsForUnknownAccountsAndFlows() throws Exception
    {
        assertEquals(404, cp.json("/flow", "{\"callId\":\"x\",\"accountId\":\"acc_01jf18ah3jeb5w6dfp27sgjsbz\",\"flowId\":\"" + FLOW + "\"}").statusCode());
        assertEquals(404, cp.json("/flow", "{\"callId\":\"x\",\"accountId\":\"" + ACCOUNT + "\",\"flowId\":\"flow_nope\"}").statusCode());
        assertInvalid(cp.json("/flow", "{\"callId\":\"x\",\"outcome\":7}"), "outcome");
    }

    // ---- presence, traces ----

    @Test
    void shouldExpireRegistrationsByThemselves() throws Exception
    {
        cp.register("1002", "sip:1002@203.0.113.9:5060", 1);
        assertEquals("proxy", cp.route("exp-1", "1001", DOMAIN, "1002").get("action"));
        TestServers.await("the registration to expire", 10_000, () ->
        {
            try
            {
                return Long.valueOf(480).equals(cp.route("exp-" + System.nanoTime(), "1001", DOMAIN, "1002").get("code"));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepAnOrderedTraceOfTheCall() throws Exception
    {
        cp.route("trace-1", "+14155551234", "carrier.example", "+12025550123");
        cp.json("/flow", "{\"callId\":\"trace-1\",\"accountId\":\"" + ACCOUNT + "\",\"flowId\":\"" + FLOW + "\"}");
        cp.json("/flow", "{\"callId\":\"trace-1\",\"outcome\":\"digit:2\"}");
        cp.terminate("trace-1");
        final HttpResponse<String> r = cp.get("/calls/trace-1/trace");
        assertEquals(200, r.statusCode(), r.body());
        final byte[] bytes = r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final List<Map<String, Object>> events = (List<Map<String, Object>>)dev.edgeplane.codec.Json.parse(bytes, 0, bytes.length);
        final List<Object> kinds = events.stream().map(e -> e.get("kind")).toList();
        assertEquals(List.of("cac.admit", "route.decision", "flow.start", "flow.step", "presence.dialog", "cac.release"), kinds);
        assertEquals(1L, events.get(0).get("seq"));
        assertEquals("digit:2", ((Map<String, Object>)events.get(3).get("detail")).get("outcome"));
        assertEquals(404, cp.get("/calls/never-seen/trace").statusCode());
    }

    // ---- bad input changes nothing ----

    @Test
    void shouldRejectBadInputWithoutChangingState() throws Exception
    {
        assertInvalid(cp.form("/route", "from", "1001", "fromDomain", DOMAIN, "to", "+12125550100"), "callId");
        assertInvalid(cp.json("/route", "{\"callId\":5,\"from\":\"1001\",\"fromDomain\":\"" + DOMAIN + "\",\"to\":\"+1212\"}"), "callId");
        assertEquals(400, cp.json("/route", "{\"callId\":\"x\"").statusCode());
        assertInvalid(cp.form("/presence/event", "type", "dialog", "callId", "x", "state", "ringing"), "state");
        assertInvalid(cp.form("/presence/event", "type", "register", "domain", DOMAIN, "user", "1002", "expires", "-5"), "expires");
        assertEquals(404, cp.form("/presence/event", "type", "register", "domain", "nope.example", "user", "1002",
            "contact", "sip:x@y", "expires", "60").statusCode());
        assertInvalid(cp.form("/presence/event", "type", "bogus"), "type");
        assertInvalid(cp.form("/route", "callId", "nul\0id", "from", "1001", "fromDomain", DOMAIN, "to", "+12125550100"), "callId");
        assertEquals(404, cp.get("/cac?accountId=acc_01jf18ah3jeb5w6dfp27sgjsbz").statusCode());
        assertInvalid(cp.get("/cac"), "accountId");
        assertEquals(0L, cp.active(), "no bad request took a channel");
    }

    private static void assertOk(final HttpResponse<String> r)
    {
        assertEquals(200, r.statusCode(), r.body());
        final Map<String, Object> body = TestServers.json(r.body());
        assertEquals("ok", body.get("status"), r.body());
        assertEquals(ACCOUNT, body.get("account_id"));
        assertEquals(DOMAIN, body.get("domain"));
        assertNull(body.get("ha1"));
    }

    private static void assertFail(final String message, final HttpResponse<String> r)
    {
        assertEquals(200, r.statusCode(), r.body());
        final Map<String, Object> body = TestServers.json(r.body());
        assertEquals("fail", body.get("status"), r.body());
        assertEquals(message, body.get("message"));
    }

    @SuppressWarnings("unchecked")
    static void assertInvalid(final HttpResponse<String> r, final String field)
    {
        assertEquals(400, r.statusCode(), r.body());
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(r.body()).get("error");
        final List<Map<String, Object>> problems = (List<Map<String, Object>>)((Map<String, Object>)error.get("details")).get("problems");
        assertTrue(problems.stream().anyMatch(p -> field.equals(p.get("path"))), r.body());
    }
}
