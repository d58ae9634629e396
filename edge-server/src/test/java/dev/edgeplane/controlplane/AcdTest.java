package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.AcdScenario.dialAgents;
import static dev.edgeplane.controlplane.AcdScenario.epoch;
import static dev.edgeplane.controlplane.AcdScenario.errorCode;
import static dev.edgeplane.controlplane.AcdScenario.leaseId;
import static dev.edgeplane.controlplane.ControlPlaneTest.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents and ACD over real sockets and embedded PostgreSQL (docs/SPEC-control-plane.md, "Agents and
 * ACD"): agent events and views, the roster, queue entry through {@code /flow}, every strategy,
 * confirm and claim hooks, ring timeout, max wait, logout mid-offer and wrap-up. Each test builds
 * its own account ({@link AcdScenario}), so tests share no ACD state.
 */
class AcdTest
{
    @TempDir
    static Path dataDir;
    static String databaseUrl;
    static EdgeServer server;
    static ControlPlaneFixture cp;

    @BeforeAll
    static void start() throws Exception
    {
        databaseUrl = TestPostgres.freshDatabaseUrl("acd");
        server = TestServers.start(dataDir, databaseUrl, Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            "EDGEPLANE_SWEEP_MS", "250"));
        cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    private static AcdScenario scenario()
    {
        return new AcdScenario(cp);
    }

    // ---- agent events and views ----

    @Test
    void shouldFollowTheAgentStatusTransitionsAndRefuseInvalidOnes() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 0, 300);
        final String a = s.agent(0);
        s.apply(false);
        s.register(0, 600);

        Map<String, Object> v = s.agentView(a);
        assertEquals("logged_out", v.get("status"));
        assertEquals("idle", v.get("state"));
        assertEquals(true, v.get("reachable"));
        assertEquals(List.of(s.queueId(0)), v.get("queues"));

        assertConflict("invalid_transition", s.event(a, "pause"));
        assertConflict("invalid_transition", s.event(a, "logout"));
        assertConflict("invalid_transition", s.event(a, "available"));
        assertConflict("invalid_transition", s.event(a, "unpause"));
        assertEquals("logged_out", s.agentView(a).get("status"), "refusals change nothing");

        v = s.must(a, "login");
        assertEquals("available", v.get("status"));
        assertEquals("idle", v.get("state"));
        assertConflict("invalid_transition", s.event(a, "login"));
        assertConflict("invalid_transition", s.event(a, "available"));
        assertConflict("invalid_transition", s.event(a, "unpause"));
        assertEquals("paused", s.must(a, "pause").get("status"));
        assertConflict("invalid_transition", s.event(a, "pause"));
        assertEquals("available", s.must(a, "unpause").get("status"));
        s.must(a, "pause");
        assertEquals("available", s.must(a, "available").get("status"), "available ends a pause");
        assertEquals("logged_out", s.must(a, "logout").get("status"));

        s.register(0, 0);
        assertEquals(false, s.agentView(a).get("reachable"), "no live registration");

        // The presence event does the same (204).
        final HttpResponse<String> r = cp.form("/presence/event", "type", "agent", "accountId", s.account, "userId", a, "state", "login");
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("available", s.agentView(a).get("status"));
        assertEquals(409, cp.form("/presence/event", "type", "agent", "accountId", s.account, "userId", a, "state", "login").statusCode());
        TestServers.await("agent transitions in event_log", 10_000, () -> TestServers.count(databaseUrl,
            "SELECT count(*) FROM event_log WHERE type = 'agent.transition' AND convert_from(payload, 'UTF8') LIKE '%" + a + "%'") >= 7);
    }

    @Test
    void shouldRejectBadInputAndUnknownAgentsChangingNothing() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 0, 300);
        s.queue("longest_idle", 20, 0, 300);
        final String a = s.agent(0);
        s.apply(true);

        assertInvalid(cp.json("/agent", "{\"accountId\":\"" + s.account + "\",\"event\":\"login\"}"), "userId");
        assertInvalid(cp.json("/agent", "{\"accountId\":\"" + s.account + "\",\"userId\":\"" + a + "\",\"event\":\"dance\"}"), "event");
        assertInvalid(cp.json("/agent", "{\"accountId\":\"" + s.account + "\",\"userId\":\"" + a + "\",\"event\":\"login\",\"queues\":7}"), "queues");
        assertInvalid(cp.json("/agent", "{\"accountId\":\"" + s.account + "\",\"userId\":\"" + a + "\",\"event\":\"pause\",\"queues\":[\""
            + s.queueId(0) + "\"]}"), "queues");
        assertInvalid(cp.json("/agent", "{\"accountId\":\"" + s.account + "\",\"userId\":\"" + a + "\",\"event\":\"login\",\"queues\":[\""
            + "q_01jzqwjn803wtnhc445bvjenzz\"]}"), "queues[0]");
        assertInvalid(cp.form("/presence/event", "type", "agent", "accountId", s.account, "userId", a, "state", "dancing"), "state");
        assertEquals(404, cp.json("/agent", "{\"accountId\":\"acc_01jf18ah3jeb5w6dfp27sgjsbz\",\"userId\":\"" + a + "\",\"event\":\"login\"}").statusCode());
        assertEquals(404, s.event("usr_01jf18ah3jeb5w6dfp27sgjsbz", "login").statusCode());
        assertEquals("logged_out", s.agentView(a).get("status"), "nothing changed");

        assertInvalid(cp.get("/agent?accountId=" + s.account), "userId");
        assertEquals(404, cp.get("/agent?accountId=" + s.account + "&userId=usr_01jf18ah3jeb5w6dfp27sgjsbz").statusCode());
        assertEquals(404, cp.get("/agent?accountId=acc_01jf18ah3jeb5w6dfp27sgjsbz&userId=" + a).statusCode());
        assertInvalid(cp.get("/presence/users"), "accountId");
        assertEquals(404, cp.get("/presence/users?accountId=acc_01jf18ah3jeb5w6dfp27sgjsbz").statusCode());

        assertInvalid(s.confirm("lease_nope", 1), "leaseId");
        assertInvalid(cp.get("/agent/confirm/" + s.account + "/lease_01jf18ah3jeb5w6dfp27sgjsbz/-1"), "epoch");
        assertInvalid(cp.get("/agent/confirm/" + s.account + "/lease_01jf18ah3jeb5w6dfp27sgjsbz/x"), "epoch");
        assertEquals(404, cp.get("/agent/confirm/acc_01jf18ah3jeb5w6dfp27sgjsbz/lease_01jf18ah3jeb5w6dfp27sgjsbz/1").statusCode());
        assertConflict("stale_lease", s.confirm("lease_01jf18ah3jeb5w6dfp27sgjsbz", 1));
        assertEquals(404, s.claim("usr_01jf18ah3jeb5w6dfp27sgjsbz", "c").statusCode());
        assertEquals(404, cp.get("/agent/claim/acc_01jf18ah3jeb5w6dfp27sgjsbz/" + a + "/c").statusCode());
        assertConflict("no_offer", s.claim(a, "never-queued"));

        // A login may serve other queues of the account for the session.
        final Map<String, Object> v = TestServers.json(cp.json("/agent", "{\"accountId\":\"" + s.account + "\",\"userId\":\"" + a
            + "\",\"event\":\"login\",\"queues\":[\"" + s.queueId(1) + "\"]}").body());
        assertEquals(List.of(s.queueId(1)), v.get("queues"));
        s.call("override-0", 0);
        assertEquals("noop", s.pollCommand("override-0").get("type"), "the agent does not serve queue 0 this session");
        s.call("override-1", 1);
        assertEquals("dial", s.pollCommand("override-1").get("type"));
        s.must(a, "logout");
        assertEquals(List.of(s.queueId(0)), s.agentView(a).get("queues"), "the override ends with the session");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldListTheRosterWithCountTiles() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 0, 300);
        final String a = s.agent(0);
        final String b = s.agent(0);
        s.agent(0);
        s.apply(false);
        s.register(0, 600);
        s.register(1, 600);
        s.must(a, "login");
        s.must(b, "login");
        s.must(b, "pause");

        final Map<String, Object> roster = s.roster();
        final List<Map<String, Object>> users = (List<Map<String, Object>>)roster.get("users");
        assertEquals(3, users.size());
        assertEquals(a, users.get(0).get("userId"));
        assertEquals("1001", users.get(0).get("device"));
        assertEquals("available", users.get(0).get("status"));
        assertEquals("paused", users.get(1).get("status"));
        assertEquals(false, users.get(2).get("reachable"));
        final Map<String, Object> counts = (Map<String, Object>)roster.get("counts");
        assertEquals(1L, counts.get("logged_out"));
        assertEquals(1L, counts.get("available"));
        assertEquals(1L, counts.get("paused"));
        assertEquals(3L, counts.get("idle"));
        assertEquals(0L, counts.get("offered"));
        assertEquals(0L, counts.get("on_call"));
        assertEquals(0L, counts.get("wrap_up"));
        assertEquals(2L, counts.get("reachable"));
    }

    // ---- queue entry through /flow ----

    @Test
    void shouldQueueCallersInOrderAndDialTheAgentWithALease() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 7, 0, 300);
        final String a = s.agent(0);
        s.apply(true);

        assertEquals(1L, s.call("fifo-1", 0).get("position"));
        assertEquals(2L, s.call("fifo-2", 0).get("position"));
        final Map<String, Object> noop = s.pollCommand("fifo-2");
        assertEquals("noop", noop.get("type"));
        assertEquals(1000L, noop.get("waitMs"));

        s.must(a, "login");
        assertEquals("noop", s.pollCommand("fifo-2").get("type"), "first come, first served: the agent is offered fifo-1");
        final Map<String, Object> dial = s.pollCommand("fifo-1");
        assertEquals("dial", dial.get("type"));
        assertEquals(List.of("sip:1001@" + s.domain), dial.get("targets"));
        assertEquals(7000L, dial.get("timeoutMs"));
        assertTrue(leaseId(dial).matches("lease_[0-9a-hjkmnp-tv-z]{26}"), leaseId(dial));
        assertTrue(epoch(dial) >= 1);
        assertEquals(List.of(a), dialAgents(dial));
        assertEquals("offered", s.state(a));
        // A repeated poll (a retry) gets the same offer.
        assertEquals(leaseId(dial), leaseId(s.pollCommand("fifo-1")));

        final HttpResponse<String> ok = s.confirm(dial);
        assertEquals(200, ok.statusCode(), ok.body());
        final Map<String, Object> bridged = TestServers.json(ok.body());
        assertEquals("fifo-1", bridged.get("callId"));
        assertEquals(a, bridged.get("agentId"));
        assertEquals("on_call", s.state(a));
        assertConflict("already_confirmed", s.confirm(dial));
        assertConflict("queue_bridged", s.poll("fifo-1"));
        assertEquals(1L, s.agentView(a).get("calls"));

        // The bridged caller reports the answer: the flow goes on, the agent stays on the call.
        final Map<String, Object> next = TestServers.json(cp.json("/flow", "{\"callId\":\"fifo-1\",\"outcome\":\"queue:answered\"}").body());
        assertEquals("hangup", ((Map<?, ?>)next.get("command")).get("type"));
        assertEquals("on_call", s.state(a));
    }

    @Test
    void shouldAdvanceTheFlowWithQueueTimeoutAfterTheMaxWait() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 0, 1);
        s.agent(0);
        s.apply(true);
        s.call("maxwait-1", 0);
        final Map<String, Object> command = s.pollUntilNot("noop", "maxwait-1", 10_000);
        assertEquals("play", command.get("type"), "queue:timeout leads to the definition's next node");
        assertEquals("media:sorry.wav", command.get("media"));
        // The caller is out of the queue: an agent logging in now is not offered it.
        s.must(s.agents.get(0), "login");
        assertEquals("idle", s.state(s.agents.get(0)));
        final Map<String, Object> bye = TestServers.json(cp.json("/flow", "{\"callId\":\"maxwait-1\",\"outcome\":\"done\"}").body());
        assertEquals("hangup", ((Map<?, ?>)bye.get("command")).get("type"));
    }

    @Test
    void shouldTakeACallerThatLeavesOutOfTheQueue() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 0, 300);
        final String a = s.agent(0);
        s.apply(true);
        s.call("leave-1", 0);
        s.call("leave-2", 0);
        s.call("leave-3", 0);
        // leave-1 abandons through the flow, leave-2 hangs up (dialog terminated).
        assertEquals(200, cp.json("/flow", "{\"callId\":\"leave-1\",\"outcome\":\"queue:abandon\"}").statusCode());
        s.hangUp("leave-2");
        s.must(a, "login");
        final Map<String, Object> dial = s.pollCommand("leave-3");
        assertEquals("dial", dial.get("type"), "callers that left are not offered");
        assertEquals(409, s.poll("leave-1").statusCode(), "its flow went on to hang up");
        assertEquals(404, s.poll("leave-2").statusCode(), "its flow session ended with the call");
    }

    // ---- strategies ----

    @Test
    void shouldPickTheLongestIdleAgent() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 0, 300);
        final String a = s.agent(0);
        final String b = s.agent(0);
        final String c = s.agent(0);
        s.apply(true);
        s.loginAll();
        s.must(a, "pause");
        s.must(a, "unpause"); // idle order now: b, c, a
        assertEquals(List.of(b), bridgeNext(s, "li-1"));
        assertEquals(List.of(c), bridgeNext(s, "li-2"));
        assertEquals(List.of(a), bridgeNext(s, "li-3"));
    }

    @Test
    void shouldRotateRoundRobin() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("round_robin", 20, 0, 300);
        final String a = s.agent(0);
        final String b = s.agent(0);
        final String c = s.agent(0);
        s.apply(true);
        s.loginAll();
        s.must(b, "pause");
        s.must(b, "unpause"); // b is now the most recently idle: longest_idle would skip it
        assertEquals(List.of(a), bridgeNext(s, "rr-1"));
        assertEquals(List.of(b), bridgeNext(s, "rr-2"));
        s.hangUp("rr-1");
        assertEquals(List.of(c), bridgeNext(s, "rr-3"));
        assertEquals(List.of(a), bridgeNext(s, "rr-4"), "wraps around");
    }

    @Test
    void shouldPickTheAgentWithFewestCalls() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("fewest_calls", 20, 0, 300);
        final String a = s.agent(0);
        final String b = s.agent(0);
        final String c = s.agent(0);
        s.apply(true);
        s.loginAll();
        assertEquals(List.of(a), bridgeNext(s, "fc-1"));
        s.hangUp("fc-1");
        s.must(b, "pause");
        s.must(b, "unpause");
        s.must(c, "pause");
        s.must(c, "unpause"); // a is idle the longest but took a call
        assertEquals(List.of(b), bridgeNext(s, "fc-2"));
        assertEquals(List.of(c), bridgeNext(s, "fc-3"));
    }

    @Test
    void shouldPickRandomlyAmongEligibleAgentsOnly() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("random", 20, 0, 300);
        final String a = s.agent(0);
        final String b = s.agent(0);
        final String c = s.agent(0);
        final String d = s.agent(0);
        s.apply(false);
        s.register(0, 600);
        s.register(1, 600);
        s.register(2, 600);
        s.loginAll();
        s.must(c, "pause"); // d is unreachable, c paused: only a and b are eligible
        final Set<String> picked = new HashSet<>();
        for (int i = 0; i < 6; i++)
        {
            final List<String> agent = bridgeNext(s, "rnd-" + i);
            assertEquals(1, agent.size());
            assertTrue(Set.of(a, b).contains(agent.get(0)), agent.toString());
            picked.add(agent.get(0));
            s.hangUp("rnd-" + i);
        }
        assertFalse(picked.contains(d));
    }

    @Test
    void shouldRingAllAndLetExactlyOneClaimWin() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("ring_all", 20, 0, 300);
        s.agent(0);
        s.agent(0);
        s.agent(0);
        s.apply(true);
        s.loginAll();
        s.call("ra-1", 0);
        final Map<String, Object> dial = s.pollCommand("ra-1");
        assertEquals("dial", dial.get("type"));
        assertEquals(3, ((List<?>)dial.get("targets")).size());
        assertEquals(Set.copyOf(s.agents), Set.copyOf(dialAgents(dial)));
        assertConflict("claim_required", s.confirm(dial));

        final ExecutorService pool = Executors.newFixedThreadPool(12);
        try
        {
            final CountDownLatch go = new CountDownLatch(1);
            final List<Future<HttpResponse<String>>> claims = new ArrayList<>();
            for (int i = 0; i < 12; i++)
            {
                final String agent = s.agents.get(i % 3);
                claims.add(pool.submit(() ->
                {
                    go.await();
                    return s.claim(agent, "ra-1");
                }));
            }
            go.countDown();
            String winner = null;
            int won = 0;
            for (final Future<HttpResponse<String>> f : claims)
            {
                final HttpResponse<String> r = f.get();
                if (r.statusCode() == 200)
                {
                    won++;
                    winner = (String)TestServers.json(r.body()).get("agentId");
                }
                else
                {
                    assertEquals(409, r.statusCode(), r.body());
                }
            }
            assertEquals(1, won, "exactly one claim wins");
            for (final String agent : s.agents)
            {
                assertEquals(agent.equals(winner) ? "on_call" : "idle", s.state(agent));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    // ---- timers and revocation ----

    @Test
    void shouldReofferTheCallerAfterTheRingTimeout() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 2, 0, 300);
        final String a = s.agent(0);
        final String b = s.agent(0);
        s.apply(true);
        s.loginAll();
        s.call("rt-1", 0);
        final Map<String, Object> first = s.pollCommand("rt-1");
        assertEquals(List.of(a), dialAgents(first));
        // Nobody answers: once the ring timeout passes the caller is offered again, to the other agent.
        final long deadline = System.nanoTime() + 10_000_000_000L;
        Map<String, Object> again = first;
        while (leaseId(again).equals(leaseId(first)))
        {
            assertTrue(System.nanoTime() < deadline, "no new offer after the ring timeout");
            Thread.sleep(50);
            again = s.pollCommand("rt-1");
            assertEquals("dial", again.get("type"), again.toString());
        }
        assertEquals(List.of(b), dialAgents(again), "the agent who did not answer goes behind the others");
        assertConflict("lease_expired", s.confirm(first));
        assertEquals("idle", s.state(a));
        assertConflict("stale_lease", s.confirm(leaseId(again), epoch(again) - 1));
        assertEquals(200, s.confirm(again).statusCode());
        assertEquals("on_call", s.state(b));
    }

    @Test
    void shouldRevokeTheOfferWhenTheAgentLogsOut() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 0, 300);
        final String a = s.agent(0);
        final String b = s.agent(0);
        s.apply(true);
        s.must(a, "login");
        s.call("lo-1", 0);
        s.call("lo-2", 0);
        final Map<String, Object> dial = s.pollCommand("lo-1");
        assertEquals(List.of(a), dialAgents(dial));
        assertEquals("logged_out", s.must(a, "logout").get("status"));
        assertEquals("idle", s.state(a));
        assertConflict("stale_lease", s.confirm(dial));
        s.must(b, "login");
        assertEquals("noop", s.pollCommand("lo-2").get("type"), "lo-1 went back to the head of the line");
        final Map<String, Object> again = s.pollCommand("lo-1");
        assertEquals(List.of(b), dialAgents(again));
        assertNotEquals(leaseId(dial), leaseId(again));
        assertEquals(200, s.confirm(again).statusCode());
    }

    @Test
    void shouldWrapUpAfterTheCallThenGoIdle() throws Exception
    {
        final AcdScenario s = scenario();
        s.queue("longest_idle", 20, 2, 300);
        final String a = s.agent(0);
        s.apply(true);
        s.must(a, "login");
        assertEquals(List.of(a), bridgeNext(s, "wu-1"));
        s.hangUp("wu-1");
        assertEquals("wrap_up", s.state(a));
        s.call("wu-2", 0);
        assertEquals("noop", s.pollCommand("wu-2").get("type"), "no offer during wrap-up");
        TestServers.await("the wrap-up to end", 10_000, () -> "idle".equals(unchecked(() -> s.state(a))));
        assertEquals("dial", s.pollCommand("wu-2").get("type"));

        // "available" ends a wrap-up early.
        assertEquals(200, s.confirm(s.pollCommand("wu-2")).statusCode());
        s.hangUp("wu-2");
        assertEquals("wrap_up", s.state(a));
        assertEquals("idle", s.must(a, "available").get("state"));

        TestServers.await("the ACD trace of the call", 10_000, () ->
        {
            final HttpResponse<String> r = unchecked(() -> cp.get("/calls/wu-1/trace"));
            return r.statusCode() == 200 && r.body().contains("acd.offer") && r.body().contains("acd.bridged")
                && r.body().contains("acd.wrap_up");
        });
    }

    /** Offers one new caller and bridges it; @return the agents the dial named. */
    private static List<String> bridgeNext(final AcdScenario s, final String callId) throws Exception
    {
        s.call(callId, 0);
        final Map<String, Object> dial = s.pollCommand(callId);
        assertEquals("dial", dial.get("type"), dial.toString());
        final HttpResponse<String> r = s.confirm(dial);
        assertEquals(200, r.statusCode(), r.body());
        return dialAgents(dial);
    }

    static void assertConflict(final String code, final HttpResponse<String> r)
    {
        assertEquals(409, r.statusCode(), r.body());
        assertEquals(code, errorCode(r), r.body());
    }

    interface Call<T>
    {
        T call() throws Exception;
    }

    static <T> T unchecked(final Call<T> call)
    {
        try
        {
            return call.call();
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
