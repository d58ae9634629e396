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
import dev.edgeplane.server.HttpExchange;
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
 * shard writer ({@link dev.edgeplane.controlplane.acd.CallDistributor}). Changes are answered once
 * their journal entries are durable.
 */
final class AgentHandlers
{
    /** Most queues one login may name. */
    static final int MAX_QUEUES = 64;

    private final ControlPlane cp;

    AgentHandlers(final ControlPlane cp)
    {
        this.cp = cp;
    }

    /** {@code POST /agent {accountId, userId, event, queues?, reason?}}. */
    void agentEvent(final HttpExchange ex)
    {
        final Fields f = ex.decodeBody();
        if (f == null)
        {
            return;
        }
        final Problems p = new Problems();
        final String accountId = Requests.text(f, "accountId", true, p);
        final String userId = Requests.text(f, "userId", true, p);
        final AgentEvent event = event(f, "event", p);
        final String reason = Requests.text(f, "reason", false, p);
        final List<String> queues = queues(f, event, p);
        if (!p.isEmpty())
        {
            Requests.invalid(ex, p);
            return;
        }
        apply(ex, accountId, userId, event, queues, reason, false);
    }

    /**
     * Applies an agent event; shared by {@code POST /agent} and the presence {@code agent} event.
     *
     * @param noContent answer {@code 204} instead of the agent's view (presence events).
     */
    void apply(final HttpExchange ex, final String accountId, final String userId, final AgentEvent event,
        final List<String> queues, final String reason, final boolean noContent)
    {
        final CompiledAccount account = cp.account(ex, accountId);
        if (account == null)
        {
            return;
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
                Requests.invalid(ex, p);
                return;
            }
        }
        final ShardWriter shard = cp.accountShard(accountId);
        ex.offer(shard, () ->
        {
            final long now = System.currentTimeMillis();
            final AcdAnswer answer = cp.acd.account(shard, account, now).agentEvent(userId, event, queues, reason, now);
            if (noContent && answer.kind() == AcdAnswer.Kind.OK)
            {
                cp.trace.journal().whenDurable(cp.trace.journal().lastSeq(), () -> ex.respondEmpty(HttpResponseStatus.NO_CONTENT));
                return;
            }
            respond(ex, answer);
        });
    }

    /** {@code GET /agent?accountId=&userId=} → {@code {status, state, reachable, queues, …}}. */
    void agent(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = Requests.text(ex.query(), "accountId", true, p);
        final String userId = Requests.text(ex.query(), "userId", true, p);
        if (!p.isEmpty())
        {
            Requests.invalid(ex, p);
            return;
        }
        final CompiledAccount account = cp.account(ex, accountId);
        if (account == null)
        {
            return;
        }
        final ShardWriter shard = cp.accountShard(accountId);
        ex.offer(shard, () ->
        {
            final long now = System.currentTimeMillis();
            respond(ex, cp.acd.account(shard, account, now).agent(userId, now));
        });
    }

    /** {@code GET /presence/users?accountId=} → {@code {users:[…], counts:{…}}}. */
    void roster(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = Requests.text(ex.query(), "accountId", true, p);
        if (!p.isEmpty())
        {
            Requests.invalid(ex, p);
            return;
        }
        final CompiledAccount account = cp.account(ex, accountId);
        if (account == null)
        {
            return;
        }
        final ShardWriter shard = cp.accountShard(accountId);
        ex.offer(shard, () ->
        {
            final long now = System.currentTimeMillis();
            final byte[] body = Json.write(cp.acd.account(shard, account, now).roster(now));
            ex.respondJson(HttpResponseStatus.OK, body);
        });
    }

    /** {@code GET /agent/confirm/{accountId}/{leaseId}/{epoch}}: the answer hook of a single-agent offer. */
    void confirm(final HttpExchange ex)
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
            Requests.invalid(ex, p);
            return;
        }
        final CompiledAccount account = cp.account(ex, accountId);
        if (account == null)
        {
            return;
        }
        final ShardWriter shard = cp.accountShard(accountId);
        ex.offer(shard, () ->
        {
            final long now = System.currentTimeMillis();
            respond(ex, cp.acd.account(shard, account, now).confirm(leaseId, epoch, now));
        });
    }

    /** {@code GET /agent/claim/{accountId}/{agentId}/{callId}}: the answer hook of a ring_all offer. */
    void claim(final HttpExchange ex)
    {
        final Problems p = new Problems();
        final String accountId = pathText(ex, "accountId", p);
        final String agentId = pathText(ex, "agentId", p);
        final String callId = pathText(ex, "callId", p);
        if (!p.isEmpty())
        {
            Requests.invalid(ex, p);
            return;
        }
        final CompiledAccount account = cp.account(ex, accountId);
        if (account == null)
        {
            return;
        }
        final ShardWriter shard = cp.accountShard(accountId);
        ex.offer(shard, () ->
        {
            final long now = System.currentTimeMillis();
            respond(ex, cp.acd.account(shard, account, now).claim(agentId, callId, now));
        });
    }

    /** Runs on the shard: answers a result once whatever it journaled is durable. */
    private void respond(final HttpExchange ex, final AcdAnswer answer)
    {
        switch (answer.kind())
        {
            case OK ->
            {
                final byte[] body = Json.write(answer.body());
                cp.trace.journal().whenDurable(cp.trace.journal().lastSeq(), () -> ex.respondJson(HttpResponseStatus.OK, body));
            }
            case NOT_FOUND -> Requests.notFound(ex, answer.message());
            case CONFLICT -> ex.respondError(HttpResponseStatus.CONFLICT, answer.code(), answer.message(), answer.body());
            default -> throw new IllegalStateException(String.valueOf(answer.kind()));
        }
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
