package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.AcdScenario.dialAgents;
import static dev.edgeplane.controlplane.AcdScenario.epoch;
import static dev.edgeplane.controlplane.AcdScenario.errorCode;
import static dev.edgeplane.controlplane.AcdScenario.leaseId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACD invariants under concurrency (docs/SPEC-control-plane.md, "Agents and ACD"): 8 agents and 40
 * callers in three queues (longest_idle, ring_all, and one nobody serves), driven from a thread pool over real sockets —
 * pollers, confirms, racing claims, offers nobody answers, agents logging out mid-offer, stale-epoch
 * probes. No caller is bridged twice, no agent has two callers at once, every stale or withdrawn
 * lease gets 409, and every caller is eventually bridged or timed out. Bounded by deadlines; no
 * timing is asserted.
 */
class AcdConcurrencyTest
{
    static final int AGENTS = 8;
    static final int CALLERS = 40;
    static final long DEADLINE_MILLIS = 45_000;

    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static ControlPlaneFixture cp;

    @BeforeAll
    static void start() throws Exception
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("acd_race"), Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            "EDGEPLANE_SWEEP_MS", "250"));
        cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    private enum Outcome
    {
        BRIDGED,
        TIMED_OUT
    }

    /** What the callers saw, shared by all of them. */
    private static final class Ledger
    {
        /** Call → agent it was bridged to (a second bridge of the same call is a violation). */
        final Map<String, String> bridged = new ConcurrentHashMap<>();
        /** Agent → call it is on right now (a second caller at once is a violation). */
        final Map<String, String> onCall = new ConcurrentHashMap<>();
        final Queue<String> violations = new ConcurrentLinkedQueue<>();
        final AtomicInteger staleRefused = new AtomicInteger();
        final AtomicInteger expiredRefused = new AtomicInteger();
        final AtomicInteger revokedRefused = new AtomicInteger();
        final AtomicInteger claimsLost = new AtomicInteger();
        final AtomicInteger noAnswers = new AtomicInteger();
        final AtomicBoolean firstNoAnswer = new AtomicBoolean();
        final AtomicInteger doubleConfirmsRefused = new AtomicInteger();
        final AtomicInteger logoutBudget = new AtomicInteger(6);
        final AtomicInteger logouts = new AtomicInteger();

        void bridgedTo(final String callId, final String agent)
        {
            final String before = bridged.putIfAbsent(callId, agent);
            if (before != null)
            {
                violations.add("call " + callId + " bridged to " + before + " and to " + agent);
            }
            final String busy = onCall.putIfAbsent(agent, callId);
            if (busy != null)
            {
                violations.add("agent " + agent + " bridged to " + callId + " while on " + busy);
            }
        }
    }

    @Test
    void shouldNeverDoubleBridgeAndServeOrTimeOutEveryCaller() throws Exception
    {
        final AcdScenario s = new AcdScenario(cp);
        final int plain = s.queue("longest_idle", 2, 0, 15);
        final int ringAll = s.queue("ring_all", 2, 0, 15);
        final int unserved = s.queue("longest_idle", 2, 0, 2); // no agent serves it: its callers time out
        for (int i = 0; i < AGENTS; i++)
        {
            if (i < AGENTS / 2)
            {
                s.agent(plain);
            }
            else
            {
                s.agent(plain, ringAll);
            }
        }
        s.apply(true);
        s.loginAll();

        final Ledger ledger = new Ledger();
        final ExecutorService callers = Executors.newFixedThreadPool(16);
        final ExecutorService claimers = Executors.newFixedThreadPool(8);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        try
        {
            final List<Future<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++)
            {
                final String callId = "race-" + i;
                final int queue = i % 10 == 9 ? unserved : i % 4 == 3 ? ringAll : plain;
                outcomes.add(callers.submit(() -> caller(s, callId, queue, queue == ringAll, ledger, claimers, deadline)));
            }
            int served = 0;
            int timedOut = 0;
            for (final Future<Outcome> f : outcomes)
            {
                final Outcome o = f.get(DEADLINE_MILLIS + 15_000, TimeUnit.MILLISECONDS);
                if (o == Outcome.BRIDGED)
                {
                    served++;
                }
                else if (o == Outcome.TIMED_OUT)
                {
                    timedOut++;
                }
            }
            assertTrue(ledger.violations.isEmpty(), ledger.violations.toString());
            assertEquals(CALLERS, served + timedOut, "every caller was served or timed out");
            assertEquals(served, ledger.bridged.size());
            assertTrue(ledger.staleRefused.get() > 0, "stale epochs were probed");
            assertTrue(ledger.noAnswers.get() > 0, "some offers rang out");
            assertTrue(ledger.logouts.get() > 0 && ledger.revokedRefused.get() > 0, "an agent logged out mid-offer");
            assertTrue(ledger.doubleConfirmsRefused.get() > 0, "racing confirms were refused");
            assertTrue(served > 0, "some callers were served");
            assertTrue(timedOut >= CALLERS / 10, "the callers of the queue nobody serves timed out");

            // Nothing is left behind: no offer in flight, nobody on a call.
            @SuppressWarnings("unchecked")
            final Map<String, Object> counts = (Map<String, Object>)s.roster().get("counts");
            assertEquals(0L, counts.get("offered"), counts.toString());
            assertEquals(0L, counts.get("on_call"), counts.toString());
            assertEquals((long)AGENTS, counts.get("available"), counts.toString());
            System.out.printf("ACD race: %d served, %d timed out, %d unanswered offers, %d logouts mid-offer, "
                    + "%d stale / %d expired / %d withdrawn / %d twice-confirmed leases refused, %d claims lost%n",
                served, timedOut, ledger.noAnswers.get(), ledger.logouts.get(), ledger.staleRefused.get(),
                ledger.expiredRefused.get(), ledger.revokedRefused.get(), ledger.doubleConfirmsRefused.get(),
                ledger.claimsLost.get());
        }
        finally
        {
            callers.shutdownNow();
            claimers.shutdownNow();
        }
    }

    /** One caller's life: enter the queue, poll, and react to each offer until bridged or timed out. */
    private static Outcome caller(final AcdScenario s, final String callId, final int queue, final boolean ringAll,
        final Ledger ledger, final ExecutorService claimers, final long deadline) throws Exception
    {
        s.call(callId, queue);
        final List<Map<String, Object>> unanswered = new ArrayList<>();
        while (System.nanoTime() < deadline)
        {
            final HttpResponse<String> r = s.poll(callId);
            if (r.statusCode() != 200)
            {
                ledger.violations.add(callId + ": poll answered " + r.statusCode() + " " + r.body());
                return null;
            }
            @SuppressWarnings("unchecked")
            final Map<String, Object> command = (Map<String, Object>)TestServers.json(r.body()).get("command");
            switch ((String)command.get("type"))
            {
                case "noop" ->
                {
                    Thread.sleep(40);
                    continue;
                }
                case "play" ->
                {
                    return Outcome.TIMED_OUT; // queue:timeout led to the flow's next node
                }
                case "dial" ->
                {
                    // Offers we let ring out must be dead once a new one comes.
                    for (final Map<String, Object> old : unanswered)
                    {
                        if (!leaseId(old).equals(leaseId(command)))
                        {
                            expectRefused(ledger, s.confirm(old));
                        }
                    }
                    unanswered.removeIf(old -> !leaseId(old).equals(leaseId(command)));
                    if (!unanswered.isEmpty())
                    {
                        Thread.sleep(40); // still ringing out
                        continue;
                    }
                    final String agent = react(s, callId, command, ringAll, ledger, claimers, unanswered);
                    if (agent != null)
                    {
                        holdAndHangUp(s, callId, agent, ledger);
                        return Outcome.BRIDGED;
                    }
                }
                default ->
                {
                    ledger.violations.add(callId + ": unexpected command " + command);
                    return null;
                }
            }
        }
        ledger.violations.add(callId + ": neither served nor timed out before the deadline");
        return null;
    }

    /** @return the agent bridged, or null (offer left ringing, withdrawn, or lost). */
    private static String react(final AcdScenario s, final String callId, final Map<String, Object> dial, final boolean ringAll,
        final Ledger ledger, final ExecutorService claimers, final List<Map<String, Object>> unanswered) throws Exception
    {
        final int roll = ThreadLocalRandom.current().nextInt(100);
        if (roll < 15 || ledger.noAnswers.get() == 0 && ledger.firstNoAnswer.compareAndSet(false, true))
        {
            ledger.noAnswers.incrementAndGet();
            unanswered.add(dial);
            return null;
        }
        if (ringAll)
        {
            // Every rung agent answers at once: exactly one claim may win.
            final List<Future<HttpResponse<String>>> claims = new ArrayList<>();
            for (final String agent : dialAgents(dial))
            {
                claims.add(claimers.submit(() -> s.claim(agent, callId)));
            }
            String winner = null;
            for (final Future<HttpResponse<String>> f : claims)
            {
                final HttpResponse<String> r = f.get();
                if (r.statusCode() == 200)
                {
                    final String agent = (String)TestServers.json(r.body()).get("agentId");
                    if (winner != null)
                    {
                        ledger.violations.add(callId + ": claims won by " + winner + " and " + agent);
                    }
                    winner = agent;
                    ledger.bridgedTo(callId, agent);
                }
                else if (r.statusCode() == 409)
                {
                    ledger.claimsLost.incrementAndGet();
                }
                else
                {
                    ledger.violations.add(callId + ": claim answered " + r.statusCode() + " " + r.body());
                }
            }
            return winner;
        }
        final String agent = dialAgents(dial).get(0);
        // A stale epoch never bridges.
        final HttpResponse<String> stale = s.confirm(leaseId(dial), epoch(dial) - 1);
        if (stale.statusCode() != 409)
        {
            ledger.violations.add(callId + ": stale epoch answered " + stale.statusCode() + " " + stale.body());
        }
        ledger.staleRefused.incrementAndGet();
        if ((roll < 25 || ledger.logouts.get() == 0) && ledger.logoutBudget.getAndDecrement() > 0)
        {
            // The agent logs out while its phone rings: the lease is withdrawn, the caller re-offered.
            final HttpResponse<String> out = s.event(agent, "logout");
            if (out.statusCode() == 200)
            {
                ledger.logouts.incrementAndGet();
                expectRefused(ledger, s.confirm(dial));
            }
            else
            {
                ledger.violations.add(callId + ": logout of " + agent + " answered " + out.statusCode() + " " + out.body());
            }
            final HttpResponse<String> in = s.event(agent, "login");
            if (in.statusCode() != 200)
            {
                ledger.violations.add(callId + ": login of " + agent + " answered " + in.statusCode() + " " + in.body());
            }
            return null;
        }
        // The answer hook fires twice at once (a retry racing the original): one 200 at most.
        final Future<HttpResponse<String>> twin = claimers.submit(() -> s.confirm(dial));
        final HttpResponse<String> first = s.confirm(dial);
        final HttpResponse<String> second = twin.get();
        String bridged = null;
        for (final HttpResponse<String> r : List.of(first, second))
        {
            if (r.statusCode() == 200)
            {
                if (bridged != null)
                {
                    ledger.violations.add(callId + ": lease " + leaseId(dial) + " confirmed twice");
                }
                bridged = agent;
                ledger.bridgedTo(callId, agent);
                continue;
            }
            final String code = r.statusCode() == 409 ? errorCode(r) : "";
            if (code.equals("already_confirmed"))
            {
                ledger.doubleConfirmsRefused.incrementAndGet();
            }
            else if (code.equals("lease_expired"))
            {
                // Only if the ring timeout passed before we answered (a slow machine): a clean 409.
                ledger.expiredRefused.incrementAndGet();
            }
            else
            {
                ledger.violations.add(callId + ": confirm answered " + r.statusCode() + " " + r.body());
            }
        }
        return bridged;
    }

    /** A lease that rang out or was withdrawn must be refused with 409. */
    private static void expectRefused(final Ledger ledger, final HttpResponse<String> r)
    {
        if (r.statusCode() != 409)
        {
            ledger.violations.add("a dead lease answered " + r.statusCode() + " " + r.body());
            return;
        }
        switch (errorCode(r))
        {
            case "lease_expired" -> ledger.expiredRefused.incrementAndGet();
            case "stale_lease" -> ledger.revokedRefused.incrementAndGet();
            default -> ledger.claimsLost.incrementAndGet();
        }
    }

    private static void holdAndHangUp(final AcdScenario s, final String callId, final String agent, final Ledger ledger)
        throws Exception
    {
        final Map<String, Object> view = s.agentView(agent);
        if (!"on_call".equals(view.get("state")) || !callId.equals(view.get("callId")))
        {
            ledger.violations.add(callId + ": agent " + agent + " shows " + view);
        }
        Thread.sleep(ThreadLocalRandom.current().nextInt(30));
        // Off the ledger before the hang-up: once the server has it, the agent may take the next caller.
        ledger.onCall.remove(agent, callId);
        s.hangUp(callId);
    }
}
