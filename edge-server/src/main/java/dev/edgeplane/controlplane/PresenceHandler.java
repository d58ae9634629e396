package dev.edgeplane.controlplane;


import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.controlplane.acd.AgentEvent;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.AnswerHandler;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.RequestSlot;
import dev.edgeplane.server.ShardCommand;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code POST /presence/event}: SIP lifecycle events. {@code register} stores or removes a device's
 * registration (with expiry); {@code dialog} tracks a routed call through early, confirmed and
 * terminated — terminated releases its CAC channel, closes its flow session, ends the call's ACD
 * part (queue departure or agent wrap-up, through {@link CallEnd}) and writes the call record;
 * {@code agent} applies an agent event as {@code POST /agent} does. Answers {@code 204}.
 *
 * <p>Threading: validation on the event loop; state changes on the account's shard writer, as
 * {@link ShardCommand}s with per-connection request objects (no allocation for the hand-off).
 */
final class PresenceHandler implements AnswerHandler
{
    /** Longest registration accepted (RFC 3261 lets the registrar shorten it). */
    static final long MAX_EXPIRES_S = 7 * 24 * 3600;

    private static final ThreadLocal<CallEntry> ENTRY = ThreadLocal.withInitial(CallEntry::new);
    private static final RequestSlot<Register> REGISTER = RequestSlot.of(Register::new);
    private static final RequestSlot<Dialog> DIALOG = RequestSlot.of(Dialog::new);

    /** A {@code register} event for the account's shard; reused per connection. */
    static final class Register
    {
        String key;
        String accountId;
        String contact;
        String sourceIp;
        String userAgent;
        long expires;
    }

    /** A {@code dialog} event for the account's shard; reused per connection. */
    static final class Dialog
    {
        String callId;
        String state;
        String cause;
    }

    private final ControlPlane cp;
    private final AgentHandlers agents;
    private final ShardCommand<Register> registerStep = this::onRegister;
    private final ShardCommand<Dialog> dialogStep = this::onDialog;

    PresenceHandler(final ControlPlane cp)
    {
        this.cp = cp;
        this.agents = new AgentHandlers(cp);
    }

    @Override
    public Answer handle(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            return ex.bodyFailure();
        }
        final Problems p = new Problems();
        final String type = Requests.text(f, "type", true, p);
        if (type == null)
        {
            return Requests.invalid(p);
        }
        return switch (type)
        {
            case "register" -> register(ex, f, p);
            case "dialog" -> dialog(ex, f, p);
            case "agent" -> agent(ex, f, p);
            default -> Requests.invalid(p.add("type", "must be register, dialog or agent"));
        };
    }

    private Answer register(final HttpExchange ex, final Fields f, final Problems p)
    {
        final String domain = Requests.text(f, "domain", true, p);
        final String user = Requests.text(f, "user", true, p);
        final String contact = Requests.text(f, "contact", false, p);
        final long expires = f.requireLong("expires", 0, MAX_EXPIRES_S, p);
        final String sourceIp = Requests.text(f, "sourceIp", false, p);
        final String userAgent = Requests.text(f, "userAgent", false, p);
        if (expires > 0 && contact == null && p.isEmpty())
        {
            p.add("contact", "is required when expires > 0");
        }
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CompiledAccount account = cp.config.snapshot().accountByDomain(domain);
        if (account == null || account.device(user) == null)
        {
            return Requests.notFound(account == null ? "no account with domain " + domain : "no device " + user + " in " + domain);
        }
        final Register r = ex.request(REGISTER);
        r.key = Registration.key(user, account.domain());
        r.accountId = account.id();
        r.contact = contact;
        r.sourceIp = sourceIp;
        r.userAgent = userAgent;
        r.expires = expires;
        ex.offer(cp.accountShard(account.id()), registerStep, r);
        return null;
    }

    /** On the account's shard. */
    private Answer onRegister(final ShardWriter shard, final HttpExchange ex, final Register q)
    {
        if (q.expires == 0)
        {
            cp.registrations.remove(q.key);
            cp.expiries(shard).registrations.cancel(q.key);
        }
        else
        {
            final long now = System.currentTimeMillis();
            final Registration r = new Registration();
            r.accountId = q.accountId;
            r.contact = q.contact;
            r.sourceIp = q.sourceIp == null ? "" : q.sourceIp;
            r.userAgent = q.userAgent == null ? "" : q.userAgent;
            r.registeredAtMillis = now;
            r.expiresAtMillis = now + q.expires * 1000;
            cp.registrations.put(q.key, r);
            cp.expiries(shard).registrations.schedule(q.key, r.expiresAtMillis);
        }
        return ex.empty(HttpResponseStatus.NO_CONTENT, 0);
    }

    /**
     * {@code agent} ({@code accountId, userId, state}): the agent's app reports a change, as with
     * {@code POST /agent}; {@code state} is an event name (login, logout, available, pause, unpause)
     * or the status it leads to ({@code logged_out}, {@code paused}). 204, or the 4xx of
     * {@code POST /agent}.
     */
    private Answer agent(final HttpExchange ex, final Fields f, final Problems p)
    {
        final String accountId = Requests.text(f, "accountId", true, p);
        final String userId = Requests.text(f, "userId", true, p);
        final String state = Requests.text(f, "state", true, p);
        final String reason = Requests.text(f, "reason", false, p);
        final AgentEvent event = state == null ? null
            : AgentEvent.byName(state.equals("logged_out") ? "logout" : state.equals("paused") ? "pause" : state);
        if (state != null && event == null)
        {
            p.add("state", "must be " + AgentEvent.NAMES);
        }
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        return agents.apply(ex, accountId, userId, event, null, reason, true);
    }

    private Answer dialog(final HttpExchange ex, final Fields f, final Problems p)
    {
        final String callId = Requests.text(f, "callId", true, p);
        final String state = Requests.text(f, "state", true, p);
        final String cause = Requests.text(f, "cause", false, p);
        if (state != null && !state.equals("early") && !state.equals("confirmed") && !state.equals("terminated"))
        {
            p.add("state", "must be early, confirmed or terminated");
        }
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final CallEntry known = cp.calls.get(callId, ENTRY.get());
        if (known == null)
        {
            // Not a call we routed (or already terminated): no channel to release. A flow may still
            // have run for it (the media engine can start one directly), so its session goes too.
            if (state.equals("terminated"))
            {
                cp.endFlowSession(callId);
            }
            return ex.empty(HttpResponseStatus.NO_CONTENT, 0);
        }
        final Dialog d = ex.request(DIALOG);
        d.callId = callId;
        d.state = state;
        d.cause = cause;
        ex.offer(cp.accountShard(known.accountId), dialogStep, d);
        return null;
    }

    /** On the account's shard. */
    private Answer onDialog(final ShardWriter shard, final HttpExchange ex, final Dialog d)
    {
        final String callId = d.callId;
        final String state = d.state;
        final String cause = d.cause;
        final long now = System.currentTimeMillis();
        final boolean terminated = state.equals("terminated");
        // A terminated call's entry is read and removed in one lookup.
        final CallEntry entry = terminated ? cp.calls.remove(callId, cp.entry(shard)) : cp.calls.get(callId, cp.entry(shard));
        if (entry == null)
        {
            return ex.empty(HttpResponseStatus.NO_CONTENT, 0);
        }
        final long seq;
        if (terminated)
        {
            cp.expiries(shard).calls.cancel(callId);
            seq = CallEnd.finish(cp, shard, callId, entry, cause == null ? "terminated" : cause, now, state, cause);
            cp.endFlowSession(callId);
        }
        else
        {
            entry.lastSeenMillis = now;
            if (state.equals("confirmed"))
            {
                entry.state = CallEntry.CONFIRMED;
                if (entry.answeredAtMillis == 0)
                {
                    entry.answeredAtMillis = now;
                }
                // Answered: from now on the lease TTL applies (later events that only extend it leave the index alone).
                cp.expiries(shard).calls.schedule(callId, CallSweeper.callDeadline(cp.settings, entry));
            }
            else if (entry.state == CallEntry.ROUTED)
            {
                entry.state = CallEntry.EARLY;
            }
            cp.calls.put(callId, entry);
            seq = cp.trace.dialog(callId, entry.accountId, state, cause, entry.direction, null);
        }
        return ex.empty(HttpResponseStatus.NO_CONTENT, seq);
    }
}
