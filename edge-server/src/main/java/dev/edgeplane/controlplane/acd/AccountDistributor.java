package dev.edgeplane.controlplane.acd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.AgentConfig;
import dev.edgeplane.persistence.config.QueueConfig;

/**
 * One account's automatic call distribution (docs/SPEC-control-plane.md, "Agents and ACD"): its agents,
 * its queues' waiting lines, the offers (leases) in flight and the bridges made.
 *
 * <p>Invariants, all kept by running every change on one thread: a caller holds at most one offer and
 * is bridged at most once per visit to a queue; an agent holds at most one offer and is on at most
 * one call; a lease is confirmed (or claimed) at most once, and only while it is live, its epoch
 * matches and its ring timeout has not passed. Every agent change bumps nothing but what it says,
 * is written to the agent's off-heap {@link AgentRecord} and journaled ({@code agent.transition});
 * every queue event of a call goes to the call's trace ({@code acd.*}).
 *
 * <p>Timers are lazy: ring timeouts, wrap-ups and max waits are applied when the account is next
 * touched (a poll, a hook, an agent event, a call end) and by the periodic sweep; a precomputed
 * next deadline makes a touch with nothing due cost one comparison.
 *
 * <p>Durability: agents' status, state, epochs, bridges and wrap-ups survive a restart (off-heap
 * records); waiting lines and offers are heap state, rebuilt empty after a restart. A waiting caller
 * rejoins its line at its next poll, in order of the time it entered the queue (kept in its flow
 * session), and an offer in flight is lost: its agent comes back idle, its confirm answers 409.
 *
 * <p>Not thread-safe: confined to the account's shard writer ({@link CallDistributor} checks).
 */
public final class AccountDistributor
{
    /** Ended leases remembered for precise 409s (already confirmed, expired). */
    static final int ENDED_LEASES_KEPT = 4096;
    /** How long a timed-out caller that never polls again, or a departure, is remembered. */
    static final long FORGET_AFTER_MILLIS = 10 * 60_000L;
    /** Most agents one ring_all offer rings (the dial command's target limit). */
    static final int MAX_TARGETS = 64;

    private record Departure(int joinStep, long atMillis)
    {
    }

    private final String accountId;
    private final CallDistributor owner;
    private final AgentRecord record = new AgentRecord();
    private AccountConfig config;
    private String domain;
    /** Agents in configuration order. */
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final Map<String, QueueLine> queues = new HashMap<>();
    /** Callers in a queue (waiting in line, offered, or timed out and not yet told), by Call-ID. */
    private final Map<String, WaitingCaller> callers = new HashMap<>();
    /** Live offers by lease id. */
    private final Map<String, Offer> leases = new HashMap<>();
    /** The agent each bridged caller is on call with, by the caller's Call-ID. */
    private final Map<String, Agent> bridges = new HashMap<>();
    private final Map<String, Offer> ended = new LinkedHashMap<>(64, 0.75f, false)
    {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Offer> eldest)
        {
            return size() > ENDED_LEASES_KEPT;
        }
    };
    /** Callers that left a queue visit (step ≤ joinStep): polls about it are stale, not a new join. */
    private final Map<String, Departure> departed = new HashMap<>();
    private long idleSeq;
    private long nextDeadline = Long.MIN_VALUE;

    AccountDistributor(final String accountId, final CallDistributor owner)
    {
        this.accountId = accountId;
        this.owner = owner;
    }

    // ---------------------------------------------------------------- configuration

    /**
     * Follows a configuration change: queues and agents are added, updated or removed. A removed
     * queue's callers time out at their next poll; a removed agent loses its offer and its record.
     * Only newer versions are applied: a request that read the configuration before a reload may
     * reach the shard after one that read it after, and must not turn the clock back.
     */
    void sync(final CompiledAccount account, final long now)
    {
        final AccountConfig next = account.config();
        if (next == config || (config != null && next.version() <= config.version()))
        {
            return;
        }
        config = next;
        domain = account.domain();
        nextDeadline = Long.MIN_VALUE;

        final Set<String> queueIds = new HashSet<>();
        for (final QueueConfig q : next.queues())
        {
            queueIds.add(q.id());
            final QueueLine line = queues.get(q.id());
            if (line == null)
            {
                queues.put(q.id(), new QueueLine(q));
            }
            else
            {
                line.configure(q);
            }
        }
        for (final Iterator<QueueLine> it = queues.values().iterator(); it.hasNext();)
        {
            final QueueLine line = it.next();
            if (!queueIds.contains(line.id))
            {
                it.remove();
                for (final WaitingCaller c : line.waiting)
                {
                    timeOut(c, "queue_removed", now);
                }
                line.waiting.clear();
            }
        }

        final Map<String, Agent> previous = new HashMap<>(agents);
        agents.clear();
        int order = 0;
        for (final AgentConfig ac : next.agents())
        {
            Agent a = previous.remove(ac.userId());
            if (a == null)
            {
                a = new Agent(ac.userId());
                a.config = ac;
                restore(a);
            }
            a.config = ac;
            a.order = order++;
            agents.put(ac.userId(), a);
        }
        for (final Agent gone : previous.values())
        {
            retire(gone, now);
        }
    }

    /** Loads an agent's off-heap record (first sight in this process). */
    private void restore(final Agent a)
    {
        a.idleSeq = ++idleSeq;
        final AgentRecord r = owner.records.get(AgentRecord.key(accountId, a.userId), record);
        if (r == null)
        {
            return;
        }
        a.status = AgentStatus.byCode(r.status);
        a.state = AgentState.byCode(r.state);
        a.epoch = r.epoch;
        a.callsTaken = r.callsTaken;
        a.stateSinceMillis = r.stateSinceMillis;
        a.wrapUntilMillis = r.wrapUntilMillis;
        a.queueOverride = r.queues.isEmpty() ? null : List.of(r.queues.split(","));
        if (a.state == AgentState.OFFERED)
        {
            // The offer was heap state and is gone: its lease can never be confirmed.
            a.state = AgentState.IDLE;
        }
        if (a.state == AgentState.ON_CALL || a.state == AgentState.WRAP_UP)
        {
            a.callId = r.callId.isEmpty() ? null : r.callId;
            a.callQueueId = r.callQueueId;
            a.callJoinStep = r.callJoinStep;
        }
        if (a.state == AgentState.ON_CALL && a.callId != null)
        {
            bridges.put(a.callId, a);
        }
    }

    private void retire(final Agent a, final long now)
    {
        final AgentStatus fromStatus = a.status;
        final AgentState fromState = a.state;
        final String leaseId = a.offer == null ? null : a.offer.leaseId;
        revokeOffer(a, "agent_removed", now);
        if (a.callId != null && bridges.get(a.callId) == a)
        {
            bridges.remove(a.callId);
        }
        a.status = AgentStatus.LOGGED_OUT;
        a.state = AgentState.IDLE;
        owner.records.remove(AgentRecord.key(accountId, a.userId));
        owner.history.transition(accountId, a, fromStatus, fromState, "removed", a.callId, leaseId, null, now);
    }

    // ---------------------------------------------------------------- agents

    /** {@code POST /agent}: applies an agent event (see {@link AgentEvent} for the transitions). */
    public AcdAnswer agentEvent(final String userId, final AgentEvent event, final List<String> queueOverride,
        final String reason, final long now)
    {
        advance(now);
        final Agent a = agents.get(userId);
        if (a == null)
        {
            return AcdAnswer.notFound("no agent " + userId + " in account " + accountId);
        }
        final AgentStatus fromStatus = a.status;
        final AgentState fromState = a.state;
        String callId = null;
        String leaseId = null;
        switch (event)
        {
            case LOGIN ->
            {
                if (a.status != AgentStatus.LOGGED_OUT)
                {
                    return invalid(a, event, "is already logged in");
                }
                a.status = AgentStatus.AVAILABLE;
                a.callsTaken = 0;
                a.queueOverride = queueOverride == null ? null : List.copyOf(queueOverride);
                becameReady(a);
            }
            case LOGOUT ->
            {
                if (a.status == AgentStatus.LOGGED_OUT)
                {
                    return invalid(a, event, "is not logged in");
                }
                if (a.offer != null)
                {
                    callId = a.offer.caller.callId;
                    leaseId = a.offer.leaseId;
                    revokeOffer(a, "logout", now);
                }
                a.status = AgentStatus.LOGGED_OUT;
                a.queueOverride = null;
            }
            case PAUSE ->
            {
                if (a.status != AgentStatus.AVAILABLE)
                {
                    return invalid(a, event, "can pause only when available");
                }
                if (a.offer != null)
                {
                    callId = a.offer.caller.callId;
                    leaseId = a.offer.leaseId;
                    revokeOffer(a, "pause", now);
                }
                a.status = AgentStatus.PAUSED;
            }
            case UNPAUSE ->
            {
                if (a.status != AgentStatus.PAUSED)
                {
                    return invalid(a, event, "is not paused");
                }
                a.status = AgentStatus.AVAILABLE;
                becameReady(a);
            }
            case AVAILABLE ->
            {
                if (a.status == AgentStatus.PAUSED)
                {
                    a.status = AgentStatus.AVAILABLE;
                    becameReady(a);
                }
                else if (a.status == AgentStatus.AVAILABLE && a.state == AgentState.WRAP_UP)
                {
                    callId = a.callId;
                    toIdle(a);
                }
                else
                {
                    return invalid(a, event, a.status == AgentStatus.LOGGED_OUT ? "must log in first" : "is already available");
                }
            }
            default -> throw new IllegalArgumentException(String.valueOf(event));
        }
        changed(a, fromStatus, fromState, event.wireName(), callId, leaseId, reason, now);
        return AcdAnswer.ok(view(a, now));
    }

    /** {@code GET /agent}: one agent's view, or 404. */
    public AcdAnswer agent(final String userId, final long now)
    {
        advance(now);
        final Agent a = agents.get(userId);
        return a == null ? AcdAnswer.notFound("no agent " + userId + " in account " + accountId) : AcdAnswer.ok(view(a, now));
    }

    /** {@code GET /presence/users}: every agent's view and the count tiles. */
    public Map<String, Object> roster(final long now)
    {
        advance(now);
        final Map<String, Object> counts = new LinkedHashMap<>();
        for (final AgentStatus s : AgentStatus.values())
        {
            counts.put(s.wireName(), 0L);
        }
        for (final AgentState s : AgentState.values())
        {
            counts.put(s.wireName(), 0L);
        }
        counts.put("reachable", 0L);
        final List<Object> users = new ArrayList<>(agents.size());
        for (final Agent a : agents.values())
        {
            final Map<String, Object> v = view(a, now);
            users.add(v);
            counts.merge(a.status.wireName(), 1L, (x, y) -> (Long)x + (Long)y);
            counts.merge(a.state.wireName(), 1L, (x, y) -> (Long)x + (Long)y);
            if (Boolean.TRUE.equals(v.get("reachable")))
            {
                counts.merge("reachable", 1L, (x, y) -> (Long)x + (Long)y);
            }
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", accountId);
        body.put("users", users);
        body.put("counts", counts);
        return body;
    }

    private Map<String, Object> view(final Agent a, final long now)
    {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("userId", a.userId);
        v.put("device", a.device());
        v.put("status", a.status.wireName());
        v.put("state", a.state.wireName());
        v.put("reachable", reachable(a, now));
        v.put("queues", a.queues());
        v.put("epoch", a.epoch);
        v.put("calls", (long)a.callsTaken);
        final String callId = a.offer != null ? a.offer.caller.callId : a.callId;
        if (callId != null)
        {
            v.put("callId", callId);
        }
        if (a.offer != null)
        {
            v.put("leaseId", a.offer.leaseId);
        }
        if (a.state == AgentState.WRAP_UP)
        {
            v.put("wrapUpRemainingMs", Math.max(0, a.wrapUntilMillis - now));
        }
        return v;
    }

    private AcdAnswer invalid(final Agent a, final AgentEvent event, final String why)
    {
        final Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", a.status.wireName());
        details.put("state", a.state.wireName());
        return AcdAnswer.conflict("invalid_transition",
            event.wireName() + ": agent " + a.userId + " " + why + " (status " + a.status.wireName() + ", state "
                + a.state.wireName() + ")", details);
    }

    // ---------------------------------------------------------------- callers

    /**
     * The flow entered an enqueue node: the caller joins the line (first come first served).
     *
     * @param joinStep the session's step at the enqueue node (identifies this visit).
     * @param joinedAt when the flow entered the node, epoch milliseconds.
     * @return the 1-based position in line, or 0 when the caller is not in line (unknown queue,
     *         already offered, or a stale request).
     */
    public int join(final String callId, final String queueId, final int joinStep, final long joinedAt, final long now)
    {
        advance(now);
        final WaitingCaller existing = callers.get(callId);
        if (existing != null)
        {
            if (existing.joinStep > joinStep)
            {
                return 0;
            }
            if (existing.joinStep == joinStep && existing.queueId.equals(queueId))
            {
                return position(existing);
            }
            drop(existing, now);
            depart(callId, existing.joinStep, now);
        }
        if (departedSince(callId, joinStep) || bridgedSince(callId, joinStep) != null)
        {
            return 0;
        }
        final QueueLine line = queues.get(queueId);
        if (line == null)
        {
            owner.history.call(callId, accountId, "acd.enqueue", detail("queue", queueId, "error", "unknown_queue"));
            return 0;
        }
        final WaitingCaller c = enlist(line, callId, joinStep, joinedAt, now);
        final int position = line.position(c);
        owner.history.call(callId, accountId, "acd.enqueue", detail("queue", queueId, "position", (long)position));
        return position;
    }

    /**
     * A {@code queue:poll}: keep waiting, ring the picked agent(s), or time out. A caller unknown here
     * (the process restarted) rejoins its line in order of {@code joinedAt}.
     */
    public PollDecision poll(final String callId, final String queueId, final int joinStep, final long joinedAt, final long now)
    {
        advance(now);
        final Agent bridged = bridgedSince(callId, joinStep);
        if (bridged != null)
        {
            return PollDecision.refused(PollDecision.Kind.BRIDGED, "call " + callId + " is bridged to agent " + bridged.userId);
        }
        WaitingCaller c = callers.get(callId);
        if (c != null && c.joinStep > joinStep)
        {
            return PollDecision.refused(PollDecision.Kind.STALE, "call " + callId + " has entered a queue again since");
        }
        if (c != null && (c.joinStep < joinStep || !c.queueId.equals(queueId)))
        {
            drop(c, now);
            depart(callId, c.joinStep, now);
            c = null;
        }
        if (c == null)
        {
            if (departedSince(callId, joinStep))
            {
                return PollDecision.refused(PollDecision.Kind.STALE, "call " + callId + " has left queue " + queueId);
            }
            final QueueLine line = queues.get(queueId);
            if (line == null || now - joinedAt >= line.maxWaitMillis())
            {
                depart(callId, joinStep, now);
                return PollDecision.timeout(owner.history.call(callId, accountId, "acd.timeout",
                    detail("queue", queueId, "cause", line == null ? "unknown_queue" : "max_wait", "waited_ms", now - joinedAt)));
            }
            c = enlist(line, callId, joinStep, joinedAt, now);
            owner.history.call(callId, accountId, "acd.enqueue",
                detail("queue", queueId, "position", (long)line.position(c), "rejoined", true));
        }
        c.lastPollMillis = now;
        if (c.offer != null)
        {
            return offered(c.offer, now);
        }
        final QueueLine line = queues.get(c.queueId);
        if (line == null && !c.timedOut)
        {
            timeOut(c, "queue_removed", now);
        }
        if (!c.timedOut)
        {
            assign(line, now);
            if (c.offer != null)
            {
                return offered(c.offer, now);
            }
            if (!c.timedOut)
            {
                return PollDecision.waiting(line.position(c));
            }
        }
        callers.remove(callId);
        depart(callId, c.joinStep, now);
        return PollDecision.timeout(0);
    }

    /**
     * The flow left the enqueue node with another outcome ({@code queue:answered},
     * {@code queue:abandon}, …): the caller leaves the line, and an offer in flight is withdrawn. A
     * bridge stays until the call ends.
     */
    public void leave(final String callId, final int joinStep, final String outcome, final long now)
    {
        advance(now);
        final WaitingCaller c = callers.get(callId);
        if (c != null && c.joinStep <= joinStep)
        {
            drop(c, now);
            owner.history.call(callId, accountId, "acd.leave",
                detail("queue", c.queueId, "outcome", outcome, "waited_ms", now - c.joinedAtMillis));
        }
        depart(callId, joinStep, now);
    }

    /**
     * The caller's call ended (dialog terminated, or reclaimed): a waiting caller leaves; an agent on
     * the call goes to wrap-up for the queue's {@code wrapup_s}, then idle.
     */
    public void callEnded(final String callId, final long now)
    {
        advance(now);
        final WaitingCaller c = callers.get(callId);
        if (c != null)
        {
            drop(c, now);
            if (!c.timedOut)
            {
                owner.history.call(callId, accountId, "acd.abandon", detail("queue", c.queueId, "waited_ms", now - c.joinedAtMillis));
            }
        }
        // The call is over: a poll or join still on its way about it must not put it back in line.
        depart(callId, Integer.MAX_VALUE, now);
        final Agent a = bridges.remove(callId);
        if (a != null && a.state == AgentState.ON_CALL && callId.equals(a.callId))
        {
            wrapUp(a, now);
        }
    }

    // ---------------------------------------------------------------- answer hooks

    /**
     * {@code GET /agent/confirm/{accountId}/{leaseId}/{epoch}}: the offered agent answered. 200 when
     * the lease is live and the epoch current (agent on call, caller bridged and out of line); 409
     * when stale, expired (the ring timeout passed: agent idle again, caller back at the head of the
     * line) or already confirmed.
     */
    public AcdAnswer confirm(final String leaseId, final long epoch, final long now)
    {
        advance(now);
        final Offer o = leases.get(leaseId);
        if (o == null)
        {
            return endedLease(leaseId);
        }
        if (o.ringAll)
        {
            return AcdAnswer.conflict("claim_required", "lease " + leaseId + " is a ring_all offer: answer it with "
                + "GET /agent/claim/{accountId}/{agentId}/{callId}", null);
        }
        final Agent a = o.agents.get(0);
        if (epoch != o.epoch || a.epoch != epoch || a.offer != o)
        {
            return AcdAnswer.conflict("stale_lease", "epoch " + epoch + " is not the current epoch of lease " + leaseId,
                detail("epoch", a.epoch));
        }
        return AcdAnswer.ok(bridge(o, a, "confirm", now));
    }

    /**
     * {@code GET /agent/claim/{accountId}/{agentId}/{callId}}: an agent rung by a ring_all offer
     * answered. The first claim wins 200; every other 409.
     */
    public AcdAnswer claim(final String agentId, final String callId, final long now)
    {
        advance(now);
        final Agent a = agents.get(agentId);
        if (a == null)
        {
            return AcdAnswer.notFound("no agent " + agentId + " in account " + accountId);
        }
        final WaitingCaller c = callers.get(callId);
        if (c == null || c.offer == null)
        {
            final Agent b = bridges.get(callId);
            if (b != null)
            {
                return AcdAnswer.conflict("already_claimed", "call " + callId + " is already bridged to agent " + b.userId,
                    detail("agentId", b.userId));
            }
            return AcdAnswer.conflict("no_offer", "call " + callId + " has no offer in flight", null);
        }
        final Offer o = c.offer;
        if (!o.ringAll)
        {
            return AcdAnswer.conflict("confirm_required", "call " + callId + " is offered under lease " + o.leaseId
                + ": answer it with GET /agent/confirm/{accountId}/{leaseId}/{epoch}", null);
        }
        if (a.offer != o)
        {
            return AcdAnswer.conflict("not_offered", "agent " + agentId + " is not ringing for call " + callId, null);
        }
        return AcdAnswer.ok(bridge(o, a, "claim", now));
    }

    private AcdAnswer endedLease(final String leaseId)
    {
        final Offer e = ended.get(leaseId);
        if (e == null)
        {
            return AcdAnswer.conflict("stale_lease", "lease " + leaseId + " is not current", null);
        }
        return switch (e.state)
        {
            case CONFIRMED -> AcdAnswer.conflict("already_confirmed", "lease " + leaseId + " was already answered by agent "
                + e.winner.userId, detail("agentId", e.winner.userId));
            case EXPIRED -> AcdAnswer.conflict("lease_expired", "lease " + leaseId + " expired: the ring timeout passed", null);
            default -> AcdAnswer.conflict("stale_lease", "lease " + leaseId + " was withdrawn", null);
        };
    }

    // ---------------------------------------------------------------- sweep

    /**
     * The periodic tick: applies due timers, forgets long-gone callers, and wraps up agents whose
     * call the control plane no longer knows (it ended while nobody told us, e.g. across a restart).
     */
    void sweep(final long now, final CallDistributor.CallLiveness liveness)
    {
        advance(now);
        callers.values().removeIf(c -> c.timedOut && now - c.timedOutAtMillis > FORGET_AFTER_MILLIS);
        departed.values().removeIf(d -> now - d.atMillis() > FORGET_AFTER_MILLIS);
        List<Agent> orphaned = null;
        for (final Agent a : agents.values())
        {
            if (a.state == AgentState.ON_CALL && a.callId != null && !liveness.alive(a.callId))
            {
                orphaned = orphaned == null ? new ArrayList<>() : orphaned;
                orphaned.add(a);
            }
        }
        if (orphaned != null)
        {
            for (final Agent a : orphaned)
            {
                bridges.remove(a.callId);
                wrapUp(a, now);
            }
        }
    }

    // ---------------------------------------------------------------- mechanics

    private WaitingCaller enlist(final QueueLine line, final String callId, final int joinStep, final long joinedAt,
        final long now)
    {
        final WaitingCaller c = new WaitingCaller(callId, line.id, joinStep, joinedAt);
        c.lastPollMillis = now;
        line.insert(c);
        callers.put(callId, c);
        deadline(joinedAt + line.maxWaitMillis());
        return c;
    }

    private int position(final WaitingCaller c)
    {
        final QueueLine line = queues.get(c.queueId);
        return line == null ? 0 : line.position(c);
    }

    /** Offers the line's callers, first come first served, to the agents the strategy picks. */
    private void assign(final QueueLine line, final long now)
    {
        final long maxWait = line.maxWaitMillis();
        for (int i = 0; i < line.waiting.size();)
        {
            final WaitingCaller c = line.waiting.get(i);
            if (now - c.joinedAtMillis >= maxWait)
            {
                line.waiting.remove(i);
                timeOut(c, "max_wait", now);
                continue;
            }
            if (now - c.lastPollMillis > owner.settings.stalePollMillis())
            {
                i++; // quiet media engine: keep its place, do not ring agents for it
                continue;
            }
            final List<Agent> picked = pick(line, now);
            if (picked.isEmpty())
            {
                return;
            }
            line.waiting.remove(i);
            offer(line, c, picked, now);
        }
    }

    private List<Agent> pick(final QueueLine line, final long now)
    {
        List<Agent> eligible = null;
        for (final Agent a : agents.values())
        {
            if (a.ready() && a.serves(line.id) && reachable(a, now))
            {
                if (eligible == null)
                {
                    eligible = new ArrayList<>();
                }
                eligible.add(a);
            }
        }
        if (eligible == null)
        {
            return List.of();
        }
        Agent best = null;
        switch (line.strategy)
        {
            case RING_ALL ->
            {
                if (eligible.size() > MAX_TARGETS)
                {
                    eligible.sort(Comparator.comparingLong(a -> a.idleSeq));
                    return eligible.subList(0, MAX_TARGETS);
                }
                return eligible;
            }
            case LONGEST_IDLE ->
            {
                for (final Agent a : eligible)
                {
                    best = best == null || a.idleSeq < best.idleSeq ? a : best;
                }
            }
            case ROUND_ROBIN ->
            {
                for (final Agent a : eligible)
                {
                    if (a.order > line.lastPickedOrder)
                    {
                        best = a;
                        break;
                    }
                }
                best = best == null ? eligible.get(0) : best;
                line.lastPickedOrder = best.order;
            }
            case FEWEST_CALLS ->
            {
                for (final Agent a : eligible)
                {
                    best = best == null || a.callsTaken < best.callsTaken
                        || (a.callsTaken == best.callsTaken && a.idleSeq < best.idleSeq) ? a : best;
                }
            }
            case RANDOM -> best = eligible.get(ThreadLocalRandom.current().nextInt(eligible.size()));
            default -> throw new IllegalStateException(String.valueOf(line.strategy));
        }
        return List.of(best);
    }

    private void offer(final QueueLine line, final WaitingCaller c, final List<Agent> picked, final long now)
    {
        long epoch = 0;
        for (final Agent a : picked)
        {
            epoch = Math.max(epoch, a.epoch);
        }
        epoch++; // one epoch for the lease, and still strictly increasing for each agent
        final Offer o = new Offer(LeaseIds.next(now), epoch, c, line.strategy == Strategy.RING_ALL, picked, now,
            now + line.ringTimeoutMillis());
        final List<Object> names = new ArrayList<>(picked.size());
        for (final Agent a : picked)
        {
            final AgentStatus fromStatus = a.status;
            final AgentState fromState = a.state;
            a.epoch = epoch;
            a.offer = o;
            a.state = AgentState.OFFERED;
            changed(a, fromStatus, fromState, "offer", c.callId, o.leaseId, null, now);
            names.add(a.userId);
        }
        c.offer = o;
        leases.put(o.leaseId, o);
        deadline(o.expiresAtMillis);
        o.traceSeq = owner.history.call(c.callId, accountId, "acd.offer", detail("queue", line.id, "strategy",
            line.strategy.wireName, "lease_id", o.leaseId, "epoch", epoch, "agents", names, "waited_ms", now - c.joinedAtMillis));
    }

    /** Renders an offer for the caller's poll; the first delivery starts the ring clock. */
    private PollDecision offered(final Offer o, final long now)
    {
        if (o.deliveredAtMillis == 0)
        {
            o.deliveredAtMillis = now;
            o.expiresAtMillis = now + (o.expiresAtMillis - o.createdAtMillis);
        }
        final List<String> targets = new ArrayList<>(o.agents.size());
        final List<String> names = new ArrayList<>(o.agents.size());
        for (final Agent a : o.agents)
        {
            targets.add(target(a));
            names.add(a.userId);
        }
        return new PollDecision(PollDecision.Kind.OFFER, 0, o.leaseId, o.epoch, targets, names,
            Math.max(1, o.expiresAtMillis - now), o.traceSeq, null);
    }

    private String target(final Agent a)
    {
        return "sip:" + a.device() + "@" + domain;
    }

    private Map<String, Object> bridge(final Offer o, final Agent winner, final String via, final long now)
    {
        final WaitingCaller c = o.caller;
        leases.remove(o.leaseId);
        o.state = Offer.State.CONFIRMED;
        o.winner = winner;
        ended.put(o.leaseId, o);
        for (final Agent a : o.agents)
        {
            if (a != winner && a.offer == o)
            {
                final AgentStatus fromStatus = a.status;
                final AgentState fromState = a.state;
                a.offer = null;
                a.state = AgentState.IDLE; // rang but lost: keeps its place among the idle
                changed(a, fromStatus, fromState, "offer_ended", c.callId, o.leaseId, null, now);
            }
        }
        final AgentStatus fromStatus = winner.status;
        final AgentState fromState = winner.state;
        winner.offer = null;
        winner.state = AgentState.ON_CALL;
        winner.callsTaken++;
        winner.callId = c.callId;
        winner.callQueueId = c.queueId;
        winner.callJoinStep = c.joinStep;
        changed(winner, fromStatus, fromState, "bridge", c.callId, o.leaseId, null, now);
        callers.remove(c.callId);
        c.offer = null;
        bridges.put(c.callId, winner);
        depart(c.callId, c.joinStep, now);
        owner.history.call(c.callId, accountId, "acd.bridged", detail("queue", c.queueId, "lease_id", o.leaseId, "epoch",
            o.epoch, "agent", winner.userId, "via", via, "waited_ms", now - c.joinedAtMillis));

        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "bridged");
        body.put("callId", c.callId);
        body.put("agentId", winner.userId);
        body.put("device", winner.device());
        body.put("target", target(winner));
        body.put("queue", c.queueId);
        body.put("leaseId", o.leaseId);
        body.put("epoch", o.epoch);
        return body;
    }

    /** Ring timeout: every agent still ringing goes back to idle (behind the others), the caller to the head of its line. */
    private void expire(final Offer o, final long now)
    {
        leases.remove(o.leaseId);
        o.state = Offer.State.EXPIRED;
        ended.put(o.leaseId, o);
        final List<Object> names = new ArrayList<>(o.agents.size());
        for (final Agent a : o.agents)
        {
            if (a.offer == o)
            {
                final AgentStatus fromStatus = a.status;
                final AgentState fromState = a.state;
                a.offer = null;
                a.state = AgentState.IDLE;
                a.idleSeq = ++idleSeq; // did not answer: the others go first
                changed(a, fromStatus, fromState, "ring_timeout", o.caller.callId, o.leaseId, null, now);
                names.add(a.userId);
            }
        }
        owner.history.call(o.caller.callId, accountId, "acd.ring_timeout",
            detail("queue", o.caller.queueId, "lease_id", o.leaseId, "epoch", o.epoch, "agents", names));
        requeue(o.caller, now);
    }

    /**
     * Takes an offer away from one agent (logout, pause, removal); the agent's status change is the
     * caller's business. When nobody is left ringing, the lease is stale and the caller goes back to
     * the head of its line.
     */
    private void revokeOffer(final Agent a, final String cause, final long now)
    {
        final Offer o = a.offer;
        if (o == null)
        {
            return;
        }
        a.offer = null;
        a.state = AgentState.IDLE;
        o.agents.remove(a);
        owner.history.call(o.caller.callId, accountId, "acd.revoke",
            detail("queue", o.caller.queueId, "lease_id", o.leaseId, "agent", a.userId, "cause", cause));
        if (o.agents.isEmpty())
        {
            leases.remove(o.leaseId);
            o.state = Offer.State.REVOKED;
            ended.put(o.leaseId, o);
            requeue(o.caller, now);
        }
    }

    /** The caller left while offered: the lease is withdrawn and its agents are idle again. */
    private void withdraw(final Offer o, final long now)
    {
        leases.remove(o.leaseId);
        o.state = Offer.State.REVOKED;
        ended.put(o.leaseId, o);
        o.caller.offer = null;
        for (final Agent a : o.agents)
        {
            if (a.offer == o)
            {
                final AgentStatus fromStatus = a.status;
                final AgentState fromState = a.state;
                a.offer = null;
                a.state = AgentState.IDLE;
                changed(a, fromStatus, fromState, "offer_ended", o.caller.callId, o.leaseId, null, now);
            }
        }
    }

    private void requeue(final WaitingCaller c, final long now)
    {
        c.offer = null;
        final QueueLine line = queues.get(c.queueId);
        if (line == null)
        {
            timeOut(c, "queue_removed", now);
            return;
        }
        line.waiting.add(0, c);
        deadline(c.joinedAtMillis + line.maxWaitMillis());
    }

    /** Removes a caller from this account's ACD entirely (its line or its offer). */
    private void drop(final WaitingCaller c, final long now)
    {
        callers.remove(c.callId);
        if (c.offer != null)
        {
            withdraw(c.offer, now);
        }
        else
        {
            final QueueLine line = queues.get(c.queueId);
            if (line != null)
            {
                line.waiting.remove(c);
            }
        }
    }

    /** Marks a caller (already out of its line) as timed out; its next poll answers {@code queue:timeout}. */
    private void timeOut(final WaitingCaller c, final String cause, final long now)
    {
        c.timedOut = true;
        c.timedOutAtMillis = now;
        owner.history.call(c.callId, accountId, "acd.timeout",
            detail("queue", c.queueId, "cause", cause, "waited_ms", now - c.joinedAtMillis));
    }

    private void wrapUp(final Agent a, final long now)
    {
        final AgentStatus fromStatus = a.status;
        final AgentState fromState = a.state;
        final String callId = a.callId;
        final QueueLine line = a.callQueueId == null ? null : queues.get(a.callQueueId);
        final long wrapMillis = line == null ? 0 : line.wrapUpMillis();
        if (wrapMillis <= 0)
        {
            toIdle(a);
        }
        else
        {
            a.state = AgentState.WRAP_UP;
            a.wrapUntilMillis = now + wrapMillis;
            deadline(a.wrapUntilMillis);
        }
        changed(a, fromStatus, fromState, "call_end", callId, null, null, now);
        owner.history.call(callId, accountId, "acd.wrap_up", detail("agent", a.userId, "wrapup_ms", wrapMillis));
    }

    private void toIdle(final Agent a)
    {
        a.state = AgentState.IDLE;
        a.callId = null;
        a.callQueueId = null;
        a.wrapUntilMillis = 0;
        a.idleSeq = ++idleSeq;
    }

    /** An agent became available: if idle, its idle time starts now. */
    private void becameReady(final Agent a)
    {
        if (a.state == AgentState.IDLE)
        {
            a.idleSeq = ++idleSeq;
        }
    }

    /** Applies every timer that is due: ring timeouts, wrap-ups, max waits. */
    private void advance(final long now)
    {
        if (now < nextDeadline)
        {
            return;
        }
        if (!leases.isEmpty())
        {
            List<Offer> due = null;
            for (final Offer o : leases.values())
            {
                if (o.expiresAtMillis <= now)
                {
                    due = due == null ? new ArrayList<>() : due;
                    due.add(o);
                }
            }
            if (due != null)
            {
                for (final Offer o : due)
                {
                    expire(o, now);
                }
            }
        }
        for (final Agent a : agents.values())
        {
            if (a.state == AgentState.WRAP_UP && a.wrapUntilMillis <= now)
            {
                final AgentStatus fromStatus = a.status;
                final AgentState fromState = a.state;
                final String callId = a.callId;
                toIdle(a);
                changed(a, fromStatus, fromState, "wrap_up_end", callId, null, null, now);
            }
        }
        long next = Long.MAX_VALUE;
        for (final QueueLine line : queues.values())
        {
            final long maxWait = line.maxWaitMillis();
            for (int i = 0; i < line.waiting.size();)
            {
                final WaitingCaller c = line.waiting.get(i);
                if (now - c.joinedAtMillis >= maxWait)
                {
                    line.waiting.remove(i);
                    timeOut(c, "max_wait", now);
                }
                else
                {
                    next = Math.min(next, c.joinedAtMillis + maxWait);
                    i++;
                }
            }
        }
        for (final Offer o : leases.values())
        {
            next = Math.min(next, o.expiresAtMillis);
        }
        for (final Agent a : agents.values())
        {
            if (a.state == AgentState.WRAP_UP)
            {
                next = Math.min(next, a.wrapUntilMillis);
            }
        }
        nextDeadline = next;
    }

    private void deadline(final long at)
    {
        if (at < nextDeadline)
        {
            nextDeadline = at;
        }
    }

    private void depart(final String callId, final int joinStep, final long now)
    {
        final Departure d = departed.get(callId);
        if (d == null || d.joinStep() < joinStep)
        {
            departed.put(callId, new Departure(joinStep, now));
        }
    }

    private boolean departedSince(final String callId, final int joinStep)
    {
        final Departure d = departed.get(callId);
        return d != null && d.joinStep() >= joinStep;
    }

    private Agent bridgedSince(final String callId, final int joinStep)
    {
        final Agent a = bridges.get(callId);
        return a != null && a.callJoinStep >= joinStep ? a : null;
    }

    private boolean reachable(final Agent a, final long now)
    {
        return a.device() != null && owner.reachability.reachable(a.device(), domain, now);
    }

    /** Writes the agent's record and journals the change. */
    private void changed(final Agent a, final AgentStatus fromStatus, final AgentState fromState, final String cause,
        final String callId, final String leaseId, final String reason, final long now)
    {
        if (a.state != fromState)
        {
            a.stateSinceMillis = now;
        }
        record.status = (byte)a.status.ordinal();
        record.state = (byte)a.state.ordinal();
        record.epoch = a.epoch;
        record.callsTaken = a.callsTaken;
        record.stateSinceMillis = a.stateSinceMillis;
        record.wrapUntilMillis = a.wrapUntilMillis;
        record.callJoinStep = a.callJoinStep;
        record.callId = a.callId == null ? "" : a.callId;
        record.callQueueId = a.callQueueId == null ? "" : a.callQueueId;
        record.queues = a.queueOverride == null ? "" : String.join(",", a.queueOverride);
        owner.records.put(AgentRecord.key(accountId, a.userId), record);
        owner.history.transition(accountId, a, fromStatus, fromState, cause, callId, leaseId, reason, now);
    }

    private static Map<String, Object> detail(final Object... pairs)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            m.put((String)pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Override
    public String toString()
    {
        return "AccountDistributor[" + accountId + ", " + agents.size() + " agents, " + callers.size() + " callers, "
            + leases.size() + " leases, " + bridges.size() + " bridges]";
    }
}
