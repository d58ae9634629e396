package dev.edgeplane.controlplane;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.codec.SipDigest;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.state.AuthGuard;
import dev.edgeplane.controlplane.state.NonceUse;
import dev.edgeplane.persistence.config.DeviceConfig;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.AnswerHandler;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.RequestSlot;
import dev.edgeplane.server.ShardCommand;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /auth}: SIP digest verification (RFC 2617 / RFC 7616, MD5 and SHA-256, qop auth or
 * none) against the device's stored HA1, replay refusal for a repeated (nonce, nc, cnonce), and
 * failure counting per source address that earns a ban ({@code blacklist} seconds). A source on the
 * security allowlist ({@link SecurityState}) is never banned: its failures are not counted and an
 * earlier ban is ignored. The sweeper forgets a source's failure count once its window and ban are
 * over; while the store is at its capacity, failures of addresses it does not know yet are answered
 * but not counted (logged at most once a minute, and counted in {@link #overflows()}), so a flood of
 * spoofed addresses cannot fill it or stall the verdicts.
 *
 * <p>Every verdict is {@code 200} (the SIP layer branches on {@code status}); malformed requests
 * are {@code 400}. Threading: validation on the event loop; the verdict on the shard that owns the
 * source address (or the realm when no address is given), so its failure counter has one writer.
 */
final class AuthHandler implements AnswerHandler
{
    private static final RequestSlot<Attempt> ATTEMPT = RequestSlot.of(Attempt::new);

    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);
    private static final long OVERFLOW_LOG_MILLIS = 60_000;

    private final ControlPlane cp;
    private final SipMetrics metrics;
    private final ShardCommand<Attempt> verdict = this::verdict;
    private final LongAdder overflows = new LongAdder();
    private final AtomicLong overflowLoggedAt = new AtomicLong();

    AuthHandler(final ControlPlane cp, final SipMetrics metrics)
    {
        this.cp = cp;
        this.metrics = metrics;
    }

    /** One digest attempt for the verdict shard; reused per connection (every field is set by {@link #handle}). */
    static final class Attempt
    {
        String method;
        String realm;
        String username;
        String uri;
        String nonce;
        String response;
        DigestAlgorithm algorithm;
        String qop;
        String cnonce;
        String nc;
        String sourceIp;
        boolean wantHa1;
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
        final String method = Requests.text(f, "method", true, p);
        final String realm = Requests.text(f, "realm", true, p);
        final String username = Requests.text(f, "username", true, p);
        final String uri = Requests.text(f, "uri", true, p);
        final String nonce = Requests.text(f, "nonce", true, p);
        final String response = Requests.text(f, "response", true, p);
        final String algorithmName = Requests.text(f, "algorithm", false, p);
        final String qop = Requests.text(f, "qop", false, p);
        final String cnonce = Requests.text(f, "cnonce", false, p);
        final String nc = Requests.text(f, "nc", false, p);
        // sourceIp is optional (SPEC-control-plane.md), but when given it must be a literal address, and
        // bans count its canonical form: ::ffff:192.0.2.1 is 192.0.2.1, one address, one counter.
        final String sourceText = Requests.text(f, "sourceIp", false, p);
        String sourceIp = null;
        if (sourceText != null)
        {
            final IpBlock address = IpBlock.address(sourceText);
            if (address == null)
            {
                p.add("sourceIp", "must be a literal IPv4 or IPv6 address (no leading zeros, zone id or spaces)");
            }
            else
            {
                sourceIp = address.text();
            }
        }
        final boolean wantHa1 = f.optBoolean("wantHa1", false, p);
        final DigestAlgorithm algorithm = DigestAlgorithm.parse(algorithmName);
        if (algorithm == null)
        {
            p.add("algorithm", "must be MD5 or SHA-256");
        }
        if (qop != null)
        {
            if (!SipDigest.supportsQop(qop))
            {
                p.add("qop", "must be auth or absent");
            }
            if (cnonce == null)
            {
                p.add("cnonce", "is required with qop");
            }
            if (nc == null || !nc.matches("[0-9a-fA-F]{8}"))
            {
                p.add("nc", "must be 8 hex digits with qop");
            }
        }
        if (!p.isEmpty())
        {
            return Requests.invalid(p);
        }
        final Attempt a = ex.request(ATTEMPT);
        a.method = method;
        a.realm = realm;
        a.username = username;
        a.uri = uri;
        a.nonce = nonce;
        a.response = response;
        a.algorithm = algorithm;
        a.qop = qop;
        a.cnonce = cnonce;
        a.nc = nc;
        a.sourceIp = sourceIp;
        a.wantHa1 = wantHa1;
        ex.offer(cp.shards().forKey(sourceIp != null ? sourceIp : realm), verdict, a);
        return null;
    }

    /** On the source address's shard. */
    private Answer verdict(final ShardWriter shard, final HttpExchange ex, final Attempt a)
    {
        final long now = System.currentTimeMillis();
        AuthGuard guard = null;
        boolean known = false;
        if (a.sourceIp != null)
        {
            final AuthGuard reusable = cp.expiries(shard).guard;
            guard = cp.guards.get(a.sourceIp, reusable);
            known = guard != null;
            if (guard == null)
            {
                guard = reusable.clear();
            }
        }
        // An allowlisted source is never banned: a ban recorded before it was listed is ignored.
        if (guard != null && guard.bannedUntilMillis > now && !allowlisted(a.sourceIp))
        {
            metrics.auth("banned");
            return answer(ex, fail("banned", seconds(guard.bannedUntilMillis - now)), 0);
        }

        final CompiledAccount account = cp.config.snapshot().accountByDomain(a.realm);
        final DeviceConfig device = account == null ? null : account.device(a.username);
        final String failure;
        String ha1 = null;
        if (device == null)
        {
            failure = "unknown user";
        }
        else if (!device.enabled())
        {
            failure = "device disabled";
        }
        else
        {
            ha1 = a.algorithm == DigestAlgorithm.MD5 ? device.ha1Md5() : device.ha1Sha256();
            if (ha1 == null || !SipDigest.verify(a.algorithm, ha1, a.method, a.uri, a.nonce, a.nc, a.cnonce, a.qop, a.response))
            {
                failure = "invalid credentials";
            }
            else if (!firstUse(shard, a, now))
            {
                failure = "replay";
            }
            else
            {
                failure = null;
            }
        }

        metrics.auth(failure);
        if (failure == null)
        {
            if (guard != null && guard.failures > 0)
            {
                cp.guards.remove(a.sourceIp); // a good answer clears the failure count
            }
            final Map<String, Object> ok = new LinkedHashMap<>();
            ok.put("status", "ok");
            ok.put("account_id", account.id());
            ok.put("device_id", device.id());
            ok.put("username", device.username());
            ok.put("domain", account.domain());
            if (a.wantHa1)
            {
                ok.put("ha1", ha1);
            }
            return answer(ex, ok, 0);
        }
        long blacklist = 0;
        if (guard != null && !known && cp.guards.size() >= cp.guards.capacity())
        {
            guardOverflow(); // full: a new address's failure is answered but not counted
        }
        else if (guard != null && !allowlisted(a.sourceIp)) // failures of an allowlisted source are not counted
        {
            if (now - guard.windowStartMillis > cp.settings.authWindowMillis())
            {
                guard.windowStartMillis = now;
                guard.failures = 0;
            }
            guard.failures++;
            guard.lastFailureMillis = now;
            if (guard.failures >= cp.settings.authMaxFailures())
            {
                guard.bannedUntilMillis = now + cp.settings.authBanMillis();
                blacklist = seconds(cp.settings.authBanMillis());
                metrics.ban();
                cp.trace.journal().append("security.ban", Json.write(Map.of("ip", a.sourceIp, "reason", "auth failures",
                    "failures", (long)guard.failures, "until", guard.bannedUntilMillis)));
            }
            cp.guards.put(a.sourceIp, guard);
            cp.expiries(shard).guards.scheduleNoLater(a.sourceIp, CallSweeper.guardDeadline(cp.settings, guard));
        }
        final long seq = cp.trace.journal().append("security.auth_failure", Json.write(Map.of(
            "ip", a.sourceIp == null ? "" : a.sourceIp, "realm", a.realm, "username", a.username, "reason", failure)));
        return answer(ex, fail(failure, blacklist), seq);
    }

    /** @return failures not counted since start because the failure store was full (a counter). */
    long overflows()
    {
        return overflows.sum();
    }

    private void guardOverflow()
    {
        overflows.increment();
        final long now = System.currentTimeMillis();
        final long last = overflowLoggedAt.get();
        if (now - last >= OVERFLOW_LOG_MILLIS && overflowLoggedAt.compareAndSet(last, now))
        {
            LOG.warn("the auth failure store is full ({} addresses): failures of new addresses are not counted "
                + "until the sweeper frees room ({} so far)", cp.guards.size(), overflows.sum());
        }
    }

    /**
     * @return true when the security allowlist covers the address: one volatile read, and no parsing
     *         while the allowlist is empty. Asked only on the ban and failure paths.
     */
    private boolean allowlisted(final String sourceIp)
    {
        return cp.security.allowList().covers(sourceIp);
    }

    /** Remembers (nonce, nc, cnonce) for the nonce lifetime; false when it was already used. */
    private boolean firstUse(final ShardWriter shard, final Attempt a, final long now)
    {
        final String key = a.nonce + ":" + (a.nc == null ? "" : a.nc) + ":" + (a.cnonce == null ? "" : a.cnonce);
        final NonceUse use = new NonceUse();
        use.expiresAtMillis = now + cp.settings.nonceTtlMillis();
        if (cp.nonces.putIfAbsent(key, use))
        {
            cp.expiries(shard).nonces.schedule(key, use.expiresAtMillis);
            return true;
        }
        final NonceUse seen = cp.nonces.get(key, new NonceUse());
        if (seen != null && seen.expiresAtMillis <= now)
        {
            cp.nonces.put(key, use); // the old use expired before the sweeper removed it
            cp.expiries(shard).nonces.schedule(key, use.expiresAtMillis);
            return true;
        }
        return false;
    }

    private static Map<String, Object> fail(final String message, final long blacklistSeconds)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "fail");
        m.put("message", message);
        m.put("blacklist", blacklistSeconds);
        return m;
    }

    private static long seconds(final long millis)
    {
        return (millis + 999) / 1000;
    }

    /** Every verdict is 200; a failure is answered once its journal entry is durable. */
    private static Answer answer(final HttpExchange ex, final Map<String, Object> body, final long afterSeq)
    {
        return ex.json(HttpResponseStatus.OK, Json.write(body), afterSeq);
    }
}
