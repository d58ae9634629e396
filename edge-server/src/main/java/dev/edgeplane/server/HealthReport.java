package dev.edgeplane.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.persistence.FlusherStatus;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.persistence.ProbeResult;
import dev.edgeplane.state.OffHeapStore;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * One health probe's verdict, pre-rendered so that {@code /health} costs no I/O and no encoding.
 *
 * <p>Policy (documented in the README): the server is {@code ok} when PostgreSQL answers, the journal
 * is open and the stores are open; {@code degraded} (still 200) while PostgreSQL is down, because
 * writes are journaled and flushed when it returns, so a load balancer should keep sending traffic;
 * {@code unavailable} (503) when the journal or a state store cannot be used (the journal's disk is full:
 * {@code reason} says so, and journaled writes are refused until there is room again), or while shutting down.
 * Problems that recovery found in the journal (a torn tail) are listed under {@code checks.journal.recovery_problems}
 * with {@code checks.journal.recovery} {@code "problems"} instead of {@code "clean"}.
 *
 * <p>Two bodies: {@code body} with every detail (latencies, journal sequence numbers and lag, store fill, the
 * database error) for callers the control plane trusts, and {@code publicBody} for anyone else: the verdict and
 * one status word per check ({@code {"status":"degraded","checks":{"postgres":"down","journal":"ok",
 * "state":"ok"}}}), which names a failing check without telling a stranger anything about the inside.
 *
 * @param status     HTTP status to answer with.
 * @param body       the detailed JSON body {@code {"status","checks":{...}}}.
 * @param publicBody the JSON body without internal details.
 * @param verdict    {@code ok}, {@code degraded}, {@code unavailable} or {@code draining}.
 */
public record HealthReport(HttpResponseStatus status, byte[] body, byte[] publicBody, String verdict)
{
    static HealthReport evaluate(final EdgeRuntime runtime, final ProbeResult db, final FlusherStatus flush,
        final boolean journalOpen)
    {
        final Map<String, Object> checks = new LinkedHashMap<>();

        final Map<String, Object> postgres = new LinkedHashMap<>();
        postgres.put("status", db.up() ? "up" : "down");
        postgres.put("embedded", runtime.database().settings().embedded());
        postgres.put("latency_ms", Math.round(db.latencyMillis() * 10.0) / 10.0);
        if (!db.up())
        {
            postgres.put("error", db.error());
        }
        checks.put("postgres", postgres);

        final Journal j = runtime.journal();
        final boolean writable = j.acceptingWrites();
        final String journalReason = j.unavailableReason();
        final List<String> recoveryProblems = j.recoveryProblems();
        final Map<String, Object> journal = new LinkedHashMap<>();
        journal.put("status", !journalOpen ? "closed" : writable ? "ok" : "unavailable");
        if (journalOpen && journalReason != null)
        {
            // While writes are still taken this is a warning: the next segment could not be allocated.
            journal.put(writable ? "allocation_error" : "reason", journalReason);
        }
        journal.put("recovery", recoveryProblems.isEmpty() ? "clean" : "problems");
        if (!recoveryProblems.isEmpty())
        {
            journal.put("recovery_problems", recoveryProblems);
        }
        journal.put("last_seq", flush.journalLastSeq());
        journal.put("flushed_seq", flush.flushedSeq());
        journal.put("lag_events", flush.lagEvents());
        journal.put("lag_ms", flush.lagMillis());
        journal.put("flusher_database_up", flush.databaseUp());
        journal.put("size_bytes", runtime.journal().sizeBytes());
        if (flush.lastError() != null && !flush.databaseUp())
        {
            journal.put("flusher_error", flush.lastError());
        }
        checks.put("journal", journal);

        final Map<String, Object> state = new LinkedHashMap<>();
        final Map<String, Object> stores = new LinkedHashMap<>();
        for (final OffHeapStore<?> store : runtime.stores())
        {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("entries", store.size());
            s.put("capacity", store.capacity());
            stores.put(store.name(), s);
        }
        state.put("status", "ok");
        state.put("stores", stores);
        state.put("shards", runtime.shards().count());
        state.put("queue_depth", runtime.shards().totalQueueDepth());
        checks.put("state", state);

        final String verdict;
        final HttpResponseStatus status;
        String reason = null;
        if (runtime.draining())
        {
            verdict = "draining";
            status = HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
        else if (!journalOpen)
        {
            verdict = "unavailable";
            status = HttpResponseStatus.SERVICE_UNAVAILABLE;
            reason = "the journal is closed";
        }
        else if (!writable)
        {
            verdict = "unavailable";
            status = HttpResponseStatus.SERVICE_UNAVAILABLE;
            reason = journalReason;
        }
        else if (!db.up())
        {
            verdict = "degraded";
            status = HttpResponseStatus.OK;
        }
        else
        {
            verdict = "ok";
            status = HttpResponseStatus.OK;
        }
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("status", verdict);
        if (reason != null)
        {
            root.put("reason", reason);
        }
        root.put("checks", checks);
        final Map<String, Object> publicChecks = new LinkedHashMap<>();
        checks.forEach((name, check) -> publicChecks.put(name, ((Map<?, ?>)check).get("status")));
        final Map<String, Object> publicRoot = new LinkedHashMap<>();
        publicRoot.put("status", verdict);
        publicRoot.put("checks", publicChecks);
        return new HealthReport(status, Json.write(root), Json.write(publicRoot), verdict);
    }
}
