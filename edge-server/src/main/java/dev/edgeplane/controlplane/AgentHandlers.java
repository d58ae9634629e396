package dev.edgeplane.controlplane;

import java.util.ArrayList;
import java.util.List;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.acd.AcdAnswer;
import dev.edgeplane.controlplane.acd.AgentEvent;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.config.ConfigDocument;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.RequestSlot;
import dev.edgeplane.server.ShardCommand;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Agents and ACD (SPEC-control-plane.md, "Agents and ACD"): {@code POST /agent} (login, logout,
 * available, pause, unpause), {@code GET /agent}, {@code GET /presence/users} (roster and count
 * tiles), and the answer hooks {@code GET /agent/confirm/{accountId}/{leaseId}/{epoch}} and
 * {@code GET /agent/claim/{accountId}/{agentId}/{callId}}.
 *
 * <p>Answers: 200 with the agent (or bridge) as JSON; 400 for bad input, 404 for an unknown account
 * or agent, 409 for an expected refusal ({@code invalid_transition}, {@code stale_lease},
 * {@code lease_expired}, {@code already_confirmed}, {@code already_claimed}, …). A refusal changes
 * nothing.
 *
 * <p>Threading: validation on the event loop; every read and change of ACD state on the account's
 * shard writer ({@link dev.edgeplane.controlplane.acd.CallDistributor}), as a {@link ShardCommand}
 * with the connection's {@link AgentRequest}. Changes are answered once their journal entries are durable.
 */
final class AgentHandlers
{
    /** Most queues one login may name. */
    static final int MAX_QUEUES = 64;

    private static final RequestSlot<AgentRequest> REQUEST = RequestSlot.of(AgentRequest::new);

    /** What one of these routes asks of the account's shard; reused per connection. */
    static final class AgentRequest
    {
        CompiledAccount account;
        String userId;
        AgentEvent event;
        List<String> queues;
        String reason;
        boolean noContent;
        String leaseId;
        long epoch;
        String agentId;
        String callId;
    }

    private final ControlPlane cp;
    private final ShardCommand<AgentRequest> applyEvent = this::applyEvent;
    private final ShardCommand<AgentRequest> readAgent = this::readAgent;
    private final ShardCommand<AgentRequest> readRoster = this::readRoster;
    private final ShardCommand<AgentRequest> confirmLease = this::confirmLease;
    private final ShardCommand<AgentRequest> claimCall = this::claimCall;

    AgentHandlers(final ControlPlane cp)
    {
        this.cp = cp;
    }

    private static AgentRequest request(final HttpExchange ex, final CompiledAccount account)
    {
        final AgentRequest r = ex.request(REQUEST);
        r.account = account;
        r.userId = null;
        r.event = null;
        r.queues = null;
        r.reason = null;
        r.noContent = false;
        r.leaseId = null;
        r.epoch = 0;
        r.agentId = null;
        r.callId = null;
        return r;
    }

    /** {@code POST /agent {accountId, userId, event, queues?, reason?}}. */
    Answer agentEvent(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            return ex.bodyFailure();
        }
        final Problems p = new Problems();
        final String accountId = Requests.text(f, "accountId", true, p);
        final String userId = Requests.text(f, "userId", true, p);
        final AgentEvent event = event(f, "event", p);
        final String reason = Requests.text(f, "reason", false, p);
        final List<String> queues = queues(f, event, p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        return apply(ex, accountId, userId, event, queues, reason, false);
    }

    /**
     * Applies an agent event; shared by {@code POST /agent} and the presence {@code agent} event.
     *
     * @param noContent answer {@code 204} instead of the agent's view (presence events).
     */
    Answer apply(final HttpExchange ex, final String accountId, final String userId, final AgentEvent event,
        final List<String> queues, final String reason, final boolean noContent)
    {
        final CompiledAccount account = cp.account(accountId);
        if (account == null)
        {
            return ControlPlane.noAccount(accountId);
        }
        if (queues != null)
        {
            final Problems p = new Problems();
            for (int i = 0; i < queues.size(); i++)
            {
                if (account.queue(queues.get(i)) == null)
                {
                    p.add("queues[" + i + "]", "queue " + queues.get(i) + " is not defined in account " + accountId);
                }
            }
            if (!p.isEmpty())
            {
                return Requests.invalid(p);
            }
        }
        final AgentRequest r = request(ex, account);
        r.userId = userId;
        r.event = event;
        r.queues = queues;
        r.reason = reason;
        r.noContent = noContent;
        ex.offer(cp.accountShard(accountId), applyEvent, r);
        return null;
    }

    /** On the account's shard. */
    private Answer applyEvent(final ShardWriter shard, final HttpExchange ex, final AgentRequest r)
    {
        final long now = System.currentTimeMillis();
        final AcdAnswer answer = cp.acd.account(shard, r.account, now).agentEvent(r.userId, r.event, r.queues, r.reason, now);
        if (r.noContent && answer.kind() == AcdAnswer.Kind.OK)
        {
            return ex.empty(HttpResponseStatus.NO_CONTENT, cp.trace.journal().lastSeq());
        }
        return answer(answer);
    }

    /** {@code GET /agent?accountId=&userId=} → {@code {status, state, reachable, queues, …}}. */
    Answer agent(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = Requests.text(ex.query(), "accountId", true, p);
        final String userId = Requests.text(ex.query(), "userId", true, p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CompiledAccount account = cp.account(accountId);
        if (account == null)
        {
            return ControlPlane.noAccount(accountId);
        }
        final AgentRequest r = request(ex, account);
        r.userId = userId;
        ex.offer(cp.accountShard(accountId), readAgent, r);
        return null;
    }

    /** On the account's shard. */
    private Answer readAgent(final ShardWriter shard, final HttpExchange ex, final AgentRequest r)
    {
        final long now = System.currentTimeMillis();
        return answer(cp.acd.account(shard, r.account, now).agent(r.userId, now));
    }

    /** {@code GET /presence/users?accountId=} → {@code {users:[…], counts:{…}}}. */
    Answer roster(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = Requests.text(ex.query(), "accountId", true, p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CompiledAccount account = cp.account(accountId);
        if (account == null)
        {
            return ControlPlane.noAccount(accountId);
        }
        ex.offer(cp.accountShard(accountId), readRoster, request(ex, account));
        return null;
    }

    /** On the account's shard (the roster is encoded here: the ACD state changes after this task). */
    private Answer readRoster(final ShardWriter shard, final HttpExchange ex, final AgentRequest r)
    {
        final long now = System.currentTimeMillis();
        return ex.json(HttpResponseStatus.OK, Json.write(cp.acd.account(shard, r.account, now).roster(now)), 0);
    }

    /** {@code GET /agent/confirm/{accountId}/{leaseId}/{epoch}}: the answer hook of a single-agent offer. */
    Answer confirm(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = pathText(ex, "accountId", p);
        final String leaseId = ex.pathParam("leaseId");
        if (!ConfigDocument.isId("lease_", leaseId))
        {
            p.add("leaseId", "must be lease_ followed by a lowercase ULID");
        }
        final long epoch = epoch(ex.pathParam("epoch"), p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CompiledAccount account = cp.account(accountId);
        if (account == null)
        {
            return ControlPlane.noAccount(accountId);
        }
        final AgentRequest r = request(ex, account);
        r.leaseId = leaseId;
        r.epoch = epoch;
        ex.offer(cp.accountShard(accountId), confirmLease, r);
        return null;
    }

    /** On the account's shard. */
    private Answer confirmLease(final ShardWriter shard, final HttpExchange ex, final AgentRequest r)
    {
        final long now = System.currentTimeMillis();
        return answer(cp.acd.account(shard, r.account, now).confirm(r.leaseId, r.epoch, now));
    }

    /** {@code GET /agent/claim/{accountId}/{agentId}/{callId}}: the answer hook of a ring_all offer. */
    Answer claim(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = pathText(ex, "accountId", p);
        final String agentId = pathText(ex, "agentId", p);
        final String callId = pathText(ex, "callId", p);
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CompiledAccount account = cp.account(accountId);
        if (account == null)
        {
            return ControlPlane.noAccount(accountId);
        }
        final AgentRequest r = request(ex, account);
        r.agentId = agentId;
        r.callId = callId;
        ex.offer(cp.accountShard(accountId), claimCall, r);
        return null;
    }

    /** On the account's shard. */
    private Answer claimCall(final ShardWriter shard, final HttpExchange ex, final AgentRequest r)
    {
        final long now = System.currentTimeMillis();
        return answer(cp.acd.account(shard, r.account, now).claim(r.agentId, r.callId, now));
    }

    /**
     * On the shard: the ACD's result as the answer, sent once whatever it journaled is durable (the body
     * is encoded here, while the shard's state is what it describes).
     */
    private Answer answer(final AcdAnswer answer)
    {
        return switch (answer.kind())
        {
            case OK -> Answer.json(HttpResponseStatus.OK, Json.write(answer.body())).after(cp.trace.journal().lastSeq());
            case NOT_FOUND -> Requests.notFound(answer.message());
            case CONFLICT -> Answer.error(HttpResponseStatus.CONFLICT, answer.code(), answer.message(), answer.body());
        };
    }

    /** @return the event named by field {@code name}, or null with a problem. */
    static AgentEvent event(final Fields f, final String name, final Problems p)
    {
        final String text = Requests.text(f, name, true, p);
        if (text == null)
        {
            return null;
        }
        final AgentEvent event = AgentEvent.byName(text);
        if (event == null)
        {
            p.add(name, "must be " + AgentEvent.NAMES);
        }
        return event;
    }

    /**
     * The login's queue override: a JSON array of queue ids, or (forms) ids separated by commas.
     *
     * @return the ids, or null when absent (or with a problem).
     */
    private static List<String> queues(final Fields f, final AgentEvent event, final Problems p)
    {
        final Object raw = f.raw("queues");
        if (raw == null)
        {
            return null;
        }
        final List<String> ids = new ArrayList<>();
        if (raw instanceof String s)
        {
            for (final String part : s.split(",", -1))
            {
                ids.add(part.trim());
            }
        }
        else if (raw instanceof List<?> list)
        {
            for (final Object o : list)
            {
                if (!(o instanceof String))
                {
                    p.add("queues", "must be an array of queue ids");
                    return null;
                }
                ids.add((String)o);
            }
        }
        else
        {
            p.add("queues", "must be an array of queue ids");
            return null;
        }
        if (event != null && event != AgentEvent.LOGIN)
        {
            p.add("queues", "is accepted with event login only");
            return null;
        }
        if (ids.isEmpty() || ids.size() > MAX_QUEUES)
        {
            p.add("queues", "must name 1 to " + MAX_QUEUES + " queues");
            return null;
        }
        for (int i = 0; i < ids.size(); i++)
        {
            final String id = ids.get(i);
            if (id.isEmpty() || id.length() > Requests.MAX_TEXT || id.indexOf('\0') >= 0 || id.indexOf(',') >= 0)
            {
                p.add("queues[" + i + "]", "must be a queue id");
                return null;
            }
        }
        return ids.stream().distinct().toList();
    }

    private static String pathText(final HttpExchange ex, final String name, final Problems p)
    {
        final String s = ex.pathParam(name);
        if (s == null || s.isEmpty() || s.length() > Requests.MAX_TEXT || s.indexOf('\0') >= 0)
        {
            p.add(name, "must be 1 to " + Requests.MAX_TEXT + " characters");
            return null;
        }
        return s;
    }

    private static long epoch(final String text, final Problems p)
    {
        if (text == null || text.isEmpty() || text.length() > 18)
        {
            p.add("epoch", "must be a non-negative integer");
            return -1;
        }
        long n = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                p.add("epoch", "must be a non-negative integer");
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
