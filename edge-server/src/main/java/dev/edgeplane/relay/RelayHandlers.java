package dev.edgeplane.relay;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.relay.state.RelaySession;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.ShardCommand;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The relay lifecycle endpoints: {@code POST /relay/start} (Idempotency-Key required), {@code GET
 * /relay/active}, {@code POST /relay/stop}, {@code GET /relay/manifest} and {@code POST /relay/health} (called
 * by the relay itself with {@code X-Relay-Auth}).
 *
 * <p>The Idempotency-Key contract (docs/SPEC-relay.md): missing → 400 {@code idempotency_key_required}; not a
 * UUIDv4 → 400 {@code invalid_idempotency_key}; same key with a different body (compared as canonical JSON:
 * member order and whitespace do not matter) → 422; same key while the first request is in flight → 409; a
 * replay answers 200 with the session's current state and {@code Idempotent-Replayed: true}. Keys are scoped
 * to the user and kept one hour. A request refused before it started anything (4xx) does not keep its key.
 *
 * <p>Threading: authentication and validation on the event loop; rate limiting and every state change on the
 * user's shard, which also sends the validation errors so they carry the rate-limit headers.
 */
final class RelayHandlers
{
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String RELAY_AUTH = "X-Relay-Auth";
    private static final Pattern UUID_V4 =
        Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}");

    private final RelayPlane p;
    private final BearerAuth auth;
    private final RelayLifecycle lifecycle;
    private final ShardCommand<Report> health = this::health;

    RelayHandlers(final RelayPlane plane, final BearerAuth auth, final RelayLifecycle lifecycle)
    {
        this.p = plane;
        this.auth = auth;
        this.lifecycle = lifecycle;
    }

    /** {@code POST /api/v1/relay/start {region?}} with {@code Idempotency-Key}. */
    void start(final HttpExchange ex)
    {
        final BearerAuth.Principal principal = auth.authenticate(ex);
        if (principal == null)
        {
            return;
        }
        final RelayRequests.Body body = RelayRequests.decode(ex);
        final String rawKey = ex.header(IDEMPOTENCY_KEY);
        final Answer refused;
        final Problems problems = new Problems();
        final String region = RelayRequests.text(body.fields(), "region", false, 64, problems);
        if (region != null && p.manifest.region(region) == null)
        {
            problems.add("region", "is not a region of the relay manifest");
        }
        if (body.failure() != null)
        {
            refused = body.failure();
        }
        else if (rawKey == null || rawKey.isBlank())
        {
            refused = Outcome.error(HttpResponseStatus.BAD_REQUEST, "idempotency_key_required",
                "POST /relay/start needs an Idempotency-Key header (a UUIDv4)", Outcome.details("header", IDEMPOTENCY_KEY));
        }
        else if (!UUID_V4.matcher(rawKey.trim()).matches())
        {
            refused = Outcome.error(HttpResponseStatus.BAD_REQUEST, "invalid_idempotency_key",
                "the Idempotency-Key must be a UUIDv4", Outcome.details("header", IDEMPOTENCY_KEY));
        }
        else if (!problems.isEmpty())
        {
            refused = RelayRequests.invalid(problems);
        }
        else
        {
            refused = null;
        }
        final String key = rawKey == null ? null : rawKey.trim().toLowerCase(Locale.ROOT);
        final byte[] bodyHash = refused == null ? canonicalHash(body.fields()) : null;
        final ShardWriter shard = p.userShard(principal.userId());
        ex.offer(shard, () ->
        {
            final Outcome limited = p.limiter.admit(shard, principal.userId(), RateLimiter.Policy.START, p.now(),
                ex.responseHeaders());
            if (limited != null || refused != null)
            {
                ex.send(limited != null ? limited : refused);
                return;
            }
            lifecycle.start(principal.userId(), key, bodyHash, region, ex::send);
        });
    }

    /** @return SHA-256 of the body as canonical JSON (members sorted), so formatting never makes a body "different". */
    static byte[] canonicalHash(final Fields fields)
    {
        final byte[] json = Json.write(canonical(fields.asMap()));
        return Secrets.sha256(json, 0, json.length);
    }

    private static Object canonical(final Object tree)
    {
        if (tree instanceof Map<?, ?> m)
        {
            final TreeMap<String, Object> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), canonical(v)));
            return sorted;
        }
        if (tree instanceof java.util.List<?> list)
        {
            return list.stream().map(RelayHandlers::canonical).toList();
        }
        return tree;
    }

    /** {@code GET /api/v1/relay/active}. */
    void active(final HttpExchange ex)
    {
        final BearerAuth.Principal principal = auth.authenticate(ex);
        if (principal == null)
        {
            return;
        }
        final ShardWriter shard = p.userShard(principal.userId());
        ex.offer(shard, () ->
        {
            final Outcome limited = p.limiter.admit(shard, principal.userId(), RateLimiter.Policy.ACTIVE, p.now(),
                ex.responseHeaders());
            ex.send(limited != null ? limited : lifecycle.active(principal.userId()));
        });
    }

    /** {@code POST /api/v1/relay/stop}: idempotent. */
    void stop(final HttpExchange ex)
    {
        final BearerAuth.Principal principal = auth.authenticate(ex);
        if (principal == null)
        {
            return;
        }
        final RelayRequests.Body body = RelayRequests.decode(ex);
        final ShardWriter shard = p.userShard(principal.userId());
        ex.offer(shard, () ->
        {
            final Outcome limited = p.limiter.admit(shard, principal.userId(), RateLimiter.Policy.STOP, p.now(),
                ex.responseHeaders());
            ex.send(limited != null ? limited
                : body.failure() != null ? body.failure()
                : lifecycle.stop(principal.userId()));
        });
    }

    /** {@code GET /api/v1/relay/manifest}: launchable regions and image metadata. */
    void manifest(final HttpExchange ex)
    {
        if (auth.authenticate(ex) != null)
        {
            ex.send(Answer.json(HttpResponseStatus.OK, Json.write(p.manifest.manifestView())));
        }
    }

    /** On the session's user shard: the report applied, answered once journaled. */
    private Answer health(final ShardWriter shard, final HttpExchange ex, final Report r)
    {
        return lifecycle.health(r.sessionId(), r.instanceId(), r.publicIp());
    }

    /** A health report, checked and ready for the session's shard. */
    private record Report(String sessionId, String instanceId, String publicIp, String userId)
    {
    }

    /**
     * {@code POST /api/v1/relay/health {session_id, instance_id, public_ip?}} with {@code X-Relay-Auth}: the
     * secret must be the one issued for the session (else 401) and the instance the session's (else 403).
     */
    void health(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            ex.send(ex.bodyFailure());
            return;
        }
        final Problems problems = new Problems();
        final String sessionId = RelayRequests.text(f, "session_id", true, 64, problems);
        final String instanceId = RelayRequests.text(f, "instance_id", true, 64, problems);
        final String publicIp = RelayRequests.text(f, "public_ip", false, 64, problems);
        if (!problems.isEmpty())
        {
            ex.send(RelayRequests.invalid(problems));
            return;
        }
        final Object checked = check(sessionId, instanceId, publicIp, ex.header(RELAY_AUTH));
        if (checked instanceof Outcome refused)
        {
            ex.send(refused);
            return;
        }
        ex.offer(p.userShard(((Report)checked).userId()), health, (Report)checked);
    }

    /** The same health path without HTTP: how a simulated relay reports (same secret check). */
    void report(final String sessionId, final String instanceId, final String publicIp, final String relayAuth)
    {
        if (check(sessionId, instanceId, publicIp, relayAuth) instanceof Report r)
        {
            p.onShard(p.userShard(r.userId()), () -> lifecycle.health(r.sessionId(), r.instanceId(), r.publicIp()));
        }
    }

    /** @return a {@link Report} when the secret is right and the session exists, else the refusal. */
    private Object check(final String sessionId, final String instanceId, final String publicIp, final String relayAuth)
    {
        if (relayAuth == null || relayAuth.isEmpty())
        {
            return Outcome.error(HttpResponseStatus.UNAUTHORIZED, "relay_auth_required",
                "relay health reports need the X-Relay-Auth secret issued for the session");
        }
        final byte[] expected = p.relayAuth(sessionId).getBytes(StandardCharsets.UTF_8);
        if (!Secrets.equal(expected, relayAuth.trim().getBytes(StandardCharsets.UTF_8)))
        {
            return Outcome.error(HttpResponseStatus.UNAUTHORIZED, "invalid_relay_auth",
                "X-Relay-Auth does not match the secret issued for this session", Outcome.details("session_id", sessionId));
        }
        final RelaySession s = p.sessions.get(sessionId, new RelaySession());
        if (s == null)
        {
            return Outcome.error(HttpResponseStatus.NOT_FOUND, "session_not_found", "no relay session " + sessionId,
                Outcome.details("session_id", sessionId));
        }
        return new Report(sessionId, instanceId, publicIp, s.userId);
    }
}
