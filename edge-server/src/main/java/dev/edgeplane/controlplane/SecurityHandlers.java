package dev.edgeplane.controlplane;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.state.AuthGuard;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.ShardCommand;
import dev.edgeplane.state.ShardTask;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /security/report}, {@code GET /security/bans}, {@code GET|POST /security/allow} and
 * {@code DELETE /security/allow/{ip}} (SPEC-control-plane.md, "Security"); gating is done by
 * {@link ControlPlaneSurface}.
 *
 * <ul>
 *   <li>A report replaces the node's snapshot whole ({@code 204}); a bad one is {@code 400} with
 *       every problem and replaces nothing. Changes to a node's banned set are journaled as
 *       {@code security.report}.</li>
 *   <li>{@code POST /security/allow {ip, note?}} adds an address or CIDR block ({@code 201}; {@code 200}
 *       when already listed, the note replaced) and lifts the {@code /auth} bans and failure counts
 *       of the addresses it covers; {@code DELETE} removes exactly the block named ({@code 204},
 *       {@code 404} when absent; a CIDR's slash is sent as {@code %2F}). Journaled as
 *       {@code security.allow}, {@code security.unban}, {@code security.disallow}.</li>
 * </ul>
 *
 * <p>Threading: validation on the event loop; node snapshots and the published allowlist are
 * written only on the security shard ({@link SecurityState}); an {@code /auth} guard is cleared on
 * its address's shard; JDBC, scans of the guard store and the merge run on the blocking pool.
 */
final class SecurityHandlers
{
    private static final Logger LOG = LoggerFactory.getLogger(SecurityHandlers.class);
    /**
     * Body limit {@code POST /security/report} needs: {@value BanReport#MAX_BANS} bans with IPv6
     * addresses, ISO instants and long reasons pass the default {@code EDGEPLANE_MAX_BODY_BYTES}
     * (1 MiB). For {@link ControlPlaneSurface} to register the route with.
     */
    static final int MAX_REPORT_BYTES = 4 << 20;
    /** Longest allowlist note. */
    static final int MAX_NOTE = 256;
    /** Most addresses listed in one journal entry (counts are always exact). */
    static final int MAX_JOURNALED_IPS = 100;
    /** How long a blocking task waits for a shard to run its part of a change. */
    private static final long SHARD_WAIT_MILLIS = 5_000;

    private final ControlPlane cp;
    private final ShardCommand<BanReport> replace = this::replace;

    SecurityHandlers(final ControlPlane cp)
    {
        this.cp = cp;
    }

    // ---- POST /security/report ----

    Answer report(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            return ex.bodyFailure();
        }
        final Problems p = new Problems();
        final BanReport report = BanReport.parse(f, System.currentTimeMillis(), p);
        if (report == null)
        {
            return Requests.invalid(p);
        }
        ex.offer(cp.security.shard(), replace, report);
        return null;
    }

    /** On the security shard. */
    private Answer replace(final ShardWriter shard, final HttpExchange ex, final BanReport report)
    {
        final SecurityState state = cp.security;
        final BanReport previous = state.previous(report.nodeId(), report.receivedAt());
        if (!state.replace(report))
        {
            return Answer.error(HttpResponseStatus.CONFLICT, "too_many_nodes", "already " + SecurityState.MAX_NODES
                + " nodes are reporting; a node counts until it has been silent for "
                + SecurityState.NODE_TTL_MILLIS / 60_000 + " minutes");
        }
        final Set<String> before = ips(previous);
        final Set<String> after = ips(report);
        final List<String> added = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        for (final String ip : after)
        {
            if (!before.contains(ip))
            {
                added.add(ip);
            }
        }
        for (final String ip : before)
        {
            if (!after.contains(ip))
            {
                removed.add(ip);
            }
        }
        if (previous != null && added.isEmpty() && removed.isEmpty())
        {
            return ex.empty(HttpResponseStatus.NO_CONTENT, 0); // the usual 30 s refresh: nothing to record
        }
        final Map<String, Object> event = new LinkedHashMap<>();
        event.put("node", report.nodeId());
        event.put("bans", (long)report.bans().size());
        event.put("added_count", (long)added.size());
        event.put("added", first(added));
        event.put("removed_count", (long)removed.size());
        event.put("removed", first(removed));
        final long seq = cp.trace.journal().append("security.report", Json.write(event));
        return ex.empty(HttpResponseStatus.NO_CONTENT, seq);
    }

    private static Set<String> ips(final BanReport report)
    {
        final Set<String> ips = new HashSet<>();
        if (report != null)
        {
            for (final BanReport.Ban b : report.bans())
            {
                ips.add(b.ip().text());
            }
        }
        return ips;
    }

    private static List<String> first(final List<String> ips)
    {
        return ips.size() <= MAX_JOURNALED_IPS ? ips : ips.subList(0, MAX_JOURNALED_IPS);
    }

    // ---- GET /security/bans ----

    Answer bans(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final BanView.Filter filter = BanView.Filter.parse(ex.query(), p);
        if (filter == null)
        {
            return Requests.invalid(p);
        }
        ex.offerBlocking(() ->
        {
            final long now = System.currentTimeMillis();
            final BanView view = new BanView(now);
            for (final BanReport report : cp.security.reportingNodes(now))
            {
                view.addNode(report);
            }
            final long banMillis = cp.settings.authBanMillis();
            cp.guards.forEach((key, guard) ->
            {
                if (guard.bannedUntilMillis > 0)
                {
                    view.addAuthBan(key.toString(), guard.bannedUntilMillis - banMillis, guard.bannedUntilMillis);
                }
            });
            ex.send(Answer.json(HttpResponseStatus.OK, Json.write(view.answer(cp.security.allowList(), filter))));
        });
        return null;
    }

    // ---- GET /security/allow ----

    Answer allowList(final HttpExchange ex)
    {
        final List<AllowList.Entry> entries = cp.security.allowList().entries();
        final List<Object> list = new ArrayList<>(entries.size());
        for (final AllowList.Entry e : entries)
        {
            list.add(e.toJson());
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("allow", list);
        return Answer.ok(body);
    }

    // ---- POST /security/allow ----

    Answer allow(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            return ex.bodyFailure();
        }
        final Problems p = new Problems();
        final String ip = Requests.text(f, "ip", true, p);
        final IpBlock block = ip == null ? null : IpBlock.block(ip);
        if (ip != null && block == null)
        {
            p.add("ip", "must be an IPv4/IPv6 address or CIDR block, e.g. 203.0.113.7 or 10.0.0.0/8");
        }
        final String note = Requests.text(f, "note", false, p);
        if (note != null && note.length() > MAX_NOTE)
        {
            p.add("note", "must be at most " + MAX_NOTE + " characters");
        }
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        ex.offerBlocking(() -> ex.send(add(ex, block, note)));
        return null;
    }

    /** On the blocking pool. */
    private Answer add(final HttpExchange ex, final IpBlock block, final String note)
    {
        final AllowListRepository.Change change;
        try
        {
            change = cp.security.repository().add(block, note);
        }
        catch (final SQLException | RuntimeException e)
        {
            return databaseUnavailable("add " + block, e);
        }
        if (change.outcome() == AllowListRepository.Outcome.FULL)
        {
            return Answer.error(HttpResponseStatus.CONFLICT, "allowlist_full",
                "the allowlist already holds " + AllowList.MAX_ENTRIES + " entries; remove one or use a wider block");
        }
        final Answer unpublished = publish(change.list());
        if (unpublished != null)
        {
            return unpublished;
        }
        // Now that /auth sees the entry, lift the bans it may have recorded before.
        final List<String> unbanned = liftBans(block);
        final boolean created = change.outcome() == AllowListRepository.Outcome.CREATED;
        final Map<String, Object> event = new LinkedHashMap<>();
        event.put("ip", block.text());
        event.put("note", change.entry().note());
        event.put("created", created);
        event.put("unbanned_count", (long)unbanned.size());
        event.put("unbanned", first(unbanned));
        event.put("actor", actor(ex));
        final long seq = cp.trace.journal().append("security.allow", Json.write(event));
        LOG.info("allowlist: {} {} ({} ban(s) lifted)", created ? "added" : "updated", block, unbanned.size());
        final Map<String, Object> body = change.entry().toJson();
        body.put("unbanned", (long)unbanned.size());
        return Answer.json(created ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, Json.write(body)).after(seq);
    }

    /**
     * Removes the {@code /auth} guard (ban and failure count) of every address {@code block} covers,
     * each on its address's shard, and waits for them. On the blocking pool.
     *
     * @return the guard keys whose ban was active, sorted.
     */
    private List<String> liftBans(final IpBlock block)
    {
        final List<String> keys = new ArrayList<>();
        cp.guards.forEach((key, guard) ->
        {
            final IpBlock address = IpBlock.address(key);
            if (address != null && block.covers(address))
            {
                keys.add(key.toString());
            }
        });
        final Queue<String> lifted = new ConcurrentLinkedQueue<>();
        final CountDownLatch done = new CountDownLatch(keys.size());
        for (final String key : keys)
        {
            final boolean offered = offerPatiently(cp.shards().forKey(key), () ->
            {
                try
                {
                    final AuthGuard guard = cp.guards.get(key, new AuthGuard());
                    if (guard != null)
                    {
                        final long now = System.currentTimeMillis();
                        if (guard.bannedUntilMillis > now)
                        {
                            lifted.add(key);
                            cp.trace.journal().append("security.unban", Json.write(Map.of("ip", key,
                                "reason", "allowlisted", "allow", block.text(), "was_until", guard.bannedUntilMillis)));
                        }
                        cp.guards.remove(key);
                    }
                }
                finally
                {
                    done.countDown();
                }
            });
            if (!offered)
            {
                // /auth ignores the ban of an allowlisted address anyway; only the view keeps showing it.
                LOG.warn("allowlist: shard busy, the /auth guard of {} stays (not enforced)", key);
                done.countDown();
            }
        }
        await(done);
        final List<String> sorted = new ArrayList<>(lifted);
        sorted.sort(null);
        return sorted;
    }

    // ---- DELETE /security/allow/{ip} ----

    Answer disallow(final HttpExchange ex)
    {
        final String ip = ex.pathParam("ip");
        final IpBlock block = ip == null ? null : IpBlock.block(ip);
        if (block == null)
        {
            return Requests.invalid(new Problems().add("ip",
                "must be an IPv4/IPv6 address or CIDR block (send a CIDR's '/' as %2F)"));
        }
        ex.offerBlocking(() -> ex.send(remove(ex, block)));
        return null;
    }

    /** On the blocking pool. */
    private Answer remove(final HttpExchange ex, final IpBlock block)
    {
        final AllowListRepository.Change change;
        try
        {
            change = cp.security.repository().remove(block);
        }
        catch (final SQLException | RuntimeException e)
        {
            return databaseUnavailable("remove " + block, e);
        }
        if (change.outcome() == AllowListRepository.Outcome.ABSENT)
        {
            return Requests.notFound(block + " is not on the allowlist");
        }
        final Answer unpublished = publish(change.list());
        if (unpublished != null)
        {
            return unpublished;
        }
        final long seq = cp.trace.journal().append("security.disallow",
            Json.write(Map.of("ip", block.text(), "actor", actor(ex))));
        LOG.info("allowlist: removed {}", block);
        return Answer.empty(HttpResponseStatus.NO_CONTENT).after(seq);
    }

    // ---- shared ----

    /**
     * Publishes a stored list on the security shard and waits until it is visible to {@code /auth}.
     * On the blocking pool. When the shard cannot take it in time, answers 503: the change is stored
     * (and published by the next change or restart), and repeating the request is safe.
     *
     * @return null once published, else the 503 to answer.
     */
    private Answer publish(final AllowList list)
    {
        final CountDownLatch published = new CountDownLatch(1);
        final boolean offered = offerPatiently(cp.security.shard(), () ->
        {
            cp.security.publish(list);
            published.countDown();
        });
        if (offered && await(published))
        {
            return null;
        }
        LOG.error("allowlist version {} is stored but could not be published: the security shard is busy", list.version());
        return Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded",
            "the change is stored but not yet in effect on this node; repeat the request")
            .header(HttpHeaderNames.RETRY_AFTER, cp.runtime.settings().retryAfterSeconds());
    }

    /** Offers a task, retrying while the shard's queue is full, for up to {@link #SHARD_WAIT_MILLIS}. Blocking pool only. */
    private static boolean offerPatiently(final ShardWriter shard, final ShardTask task)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHARD_WAIT_MILLIS);
        while (!shard.offer(task))
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    private static boolean await(final CountDownLatch latch)
    {
        try
        {
            return latch.await(SHARD_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String actor(final HttpExchange ex)
    {
        return cp.runtime.gate().hasAdminToken(ex) ? "admin-token" : String.valueOf(ex.remoteAddress());
    }

    private static Answer databaseUnavailable(final String what, final Exception e)
    {
        LOG.warn("allowlist: cannot {}: {}", what, e.toString());
        return Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "database_unavailable",
            "the allowlist is stored in PostgreSQL, which is not reachable right now; nothing was changed");
    }
}
