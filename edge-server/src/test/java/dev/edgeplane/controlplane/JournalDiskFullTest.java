package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneFixture.ACCOUNT;
import static dev.edgeplane.controlplane.ControlPlaneFixture.DOMAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.persistence.JournalFaults;
import dev.edgeplane.persistence.testing.SmallFilesystem;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the journal's disk full, a write to the control plane is answered {@code 503 journal_unavailable} with
 * {@code Retry-After} before it changes anything (no call entry, no channel, no trace), reads keep working,
 * {@code /health} says {@code unavailable} with the reason, and serving resumes by itself once there is room. Real
 * requests over loopback to a real server: once with an injected allocation failure (always), once on a real, full
 * tmpfs under the journal (skipped where mounting is not allowed).
 */
class JournalDiskFullTest
{
    private static final byte[] FILLER = new byte[16 * 1024];

    @TempDir
    Path dataDir;

    @Test
    void shouldRefuseWritesWhileSegmentsCannotBeAllocatedAndResumeAfter() throws Exception
    {
        try (EdgeServer server = start("journal_full_injected"))
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            cp.applyConfig(ControlPlaneFixture.document(10, ""));
            assertEquals("outbound", cp.route("before-full", "1001", DOMAIN, "+12125550100").get("action"));
            final Journal journal = server.runtime().journal();

            JournalFaults.awaitReserve(journal);
            JournalFaults.failAllocations(journal);
            fillActiveSegment(journal);

            assertRefusedWithoutChange(cp, journal, server.port(SurfaceKind.TELAPI));

            JournalFaults.allowAllocations(journal);
            assertServingAgain(cp, server.port(SurfaceKind.TELAPI));
        }
    }

    @Test
    void shouldRefuseWritesOnAFullTmpfsAndResumeWhenSpaceReturns() throws Exception
    {
        try (SmallFilesystem fs = SmallFilesystem.mount(dataDir.resolve("journal"), 4 << 20);
             EdgeServer server = start("journal_full_tmpfs"))
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            cp.applyConfig(ControlPlaneFixture.document(10, ""));
            assertEquals("outbound", cp.route("before-full", "1001", DOMAIN, "+12125550100").get("action"));
            final Journal journal = server.runtime().journal();

            // Other files take the room: the filler grows again whenever the flusher releases a segment, until the
            // journal has neither a reserve nor more than its headroom left.
            JournalFaults.awaitReserve(journal);
            int guard = 0;
            while (true)
            {
                fs.fill();
                if (!journal.acceptingWrites())
                {
                    TestServers.await("the flusher to catch up", 20_000,
                        () -> server.runtime().flusher().status().lagEvents() == 0);
                    fs.fill(); // whatever the released segments gave back
                    Thread.sleep(1_500); // longer than the allocator's retry period
                    if (!journal.acceptingWrites())
                    {
                        break;
                    }
                }
                journal.append("test.filler", FILLER);
                assertTrue(++guard < 10_000, "the journal never filled the tmpfs");
            }
            assertTrue(fs.freeBytes() < (1 << 20), "less than a segment is free: " + fs.freeBytes());

            assertRefusedWithoutChange(cp, journal, server.port(SurfaceKind.TELAPI));

            fs.free();
            assertServingAgain(cp, server.port(SurfaceKind.TELAPI));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReportATornJournalTailInHealthAfterRestart() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("journal_torn_tail");
        try (EdgeServer server = startOn(databaseUrl))
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            cp.applyConfig(ControlPlaneFixture.document(10, ""));
            final Map<String, Object> health = TestServers.json(health(server.port(SurfaceKind.TELAPI)).body());
            assertEquals("clean", ((Map<String, Map<String, Object>>)health.get("checks")).get("journal").get("recovery"));
            assertEquals("outbound", cp.route("before-tear", "1001", DOMAIN, "+12125550100").get("action"));
        }
        final long torn = JournalFaults.tearLastRecord(dataDir.resolve("journal"));

        try (EdgeServer server = startOn(databaseUrl))
        {
            assertEquals(torn - 1, server.runtime().journal().lastSeq(), "the log ends before the torn record");
            final int healthPort = server.port(SurfaceKind.TELAPI);
            // The torn record had been flushed before the stop: the flusher finds PostgreSQL ahead of the journal.
            TestServers.await("/health to list both problems", 10_000, () ->
            {
                final Object listed = journalCheck(healthPort).get("recovery_problems");
                return listed != null && ((List<String>)listed).size() == 2;
            });
            final Map<String, Object> journal = journalCheck(healthPort);
            assertEquals("problems", journal.get("recovery"), journal.toString());
            final List<String> problems = (List<String>)journal.get("recovery_problems");
            assertTrue(problems.get(0).startsWith("torn tail: CRC mismatch"), problems.toString());
            assertTrue(problems.get(0).contains("expected seq " + torn), problems.toString());
            assertTrue(problems.get(1).startsWith("PostgreSQL has seqs up to " + torn + " but the journal ends at " +
                (torn - 1)), problems.toString());
            final String metrics = cpMetrics(server);
            assertTrue(metrics.contains("edgeplane_journal_recovery_problems 2"), metrics);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> journalCheck(final int healthPort)
    {
        return ((Map<String, Map<String, Object>>)TestServers.json(health(healthPort).body()).get("checks")).get("journal");
    }

    private static String cpMetrics(final EdgeServer server) throws Exception
    {
        return TestServers.get(server.port(SurfaceKind.CONTROL_PLANE), "/metrics").body();
    }

    private EdgeServer start(final String database)
    {
        return startOn(TestPostgres.freshDatabaseUrl(database));
    }

    private EdgeServer startOn(final String databaseUrl)
    {
        return TestServers.start(dataDir, databaseUrl, Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            "EDGEPLANE_JOURNAL_SEGMENT_MB", "1"));
    }

    /** Other writers use up the active segment until the journal stops accepting writes (no reserve is possible). */
    private static void fillActiveSegment(final Journal journal)
    {
        int guard = 0;
        while (journal.acceptingWrites())
        {
            journal.append("test.filler", FILLER);
            assertTrue(++guard < 1_000, "the journal never stopped accepting writes");
        }
    }

    @SuppressWarnings("unchecked")
    private static void assertRefusedWithoutChange(final ControlPlaneFixture cp, final Journal journal, final int healthPort)
        throws Exception
    {
        final long lastSeq = journal.lastSeq();
        assertEquals(1L, cp.active());

        final HttpResponse<String> route = cp.form("/route", "callId", "during-full", "from", "1001", "fromDomain", DOMAIN,
            "to", "+12125550100");
        assertEquals(503, route.statusCode(), route.body());
        assertNotNull(route.headers().firstValue("Retry-After").orElse(null), "503 carries Retry-After");
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(route.body()).get("error");
        assertEquals("journal_unavailable", error.get("code"), route.body());
        assertNotNull(error.get("request_id"));

        final HttpResponse<String> hangup = cp.form("/presence/event", "type", "dialog", "callId", "before-full",
            "state", "terminated");
        assertEquals(503, hangup.statusCode(), hangup.body());

        assertEquals(1L, cp.active(), "reads still answer, and no channel was taken or released");
        assertEquals(lastSeq, journal.lastSeq(), "nothing was journaled for the refused writes");

        TestServers.await("/health to say unavailable", 10_000, () -> health(healthPort).statusCode() == 503);
        final HttpResponse<String> health = health(healthPort);
        final Map<String, Object> h = TestServers.json(health.body());
        assertEquals("unavailable", h.get("status"), health.body());
        assertTrue(String.valueOf(h.get("reason")).contains("No space left on device"), health.body());
        final Map<String, Object> checks = (Map<String, Object>)((Map<String, Object>)h.get("checks")).get("journal");
        assertEquals("unavailable", checks.get("status"), health.body());
    }

    @SuppressWarnings("unchecked")
    private static void assertServingAgain(final ControlPlaneFixture cp, final int healthPort) throws Exception
    {
        TestServers.await("/health to recover", 15_000, () -> health(healthPort).statusCode() == 200);
        assertEquals("outbound", cp.route("during-full", "1001", DOMAIN, "+12125550100").get("action"));
        assertEquals(2L, cp.active(), "the retried call takes its channel now");

        // The refused attempt left no call entry and no trace: the retry is a first decision, not a replay.
        final HttpResponse<String> trace = cp.get("/calls/during-full/trace");
        assertEquals(200, trace.statusCode(), trace.body());
        final byte[] bytes = trace.body().getBytes(StandardCharsets.UTF_8);
        final List<Map<String, Object>> events = (List<Map<String, Object>>)Json.parse(bytes, 0, bytes.length);
        assertEquals(List.of("cac.admit", "route.decision"), events.stream().map(e -> e.get("kind")).toList());
        assertFalse(trace.body().contains("route.retry"));

        cp.terminate("before-full");
        assertEquals(1L, cp.active());
        assertEquals(200, cp.get("/cac?accountId=" + ACCOUNT).statusCode());
    }

    private static HttpResponse<String> health(final int port)
    {
        try
        {
            return TestServers.get(port, "/health");
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
