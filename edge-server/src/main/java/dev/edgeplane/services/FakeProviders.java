package dev.edgeplane.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;

/**
 * Loopback stand-ins for the four providers, answering on their wire formats, for development
 * ({@code edgeplane services fake-providers}) and tests. One HTTP server on 127.0.0.1 serves
 * <ul>
 *   <li>{@code /railway/graphql/v2}: the GraphQL documents {@link RailwayClient} sends (dispatched on the root
 *   field), with Railway's {@code errors} arrays on HTTP 200 ("Not Authorized", "Service not found");</li>
 *   <li>{@code /openrouter/api/v1/keys}: create (201 with the secret once), list, delete (404 when gone);</li>
 *   <li>{@code /agentmail/v0/inboxes}: create with {@code client_id} idempotency, list, delete;</li>
 *   <li>{@code /telnyx/v2/…}: available number search, number orders, phone numbers by
 *   {@code customer_reference}, messaging profiles, Telnyx's {@code {"errors":[…]}} bodies.</li>
 * </ul>
 * Every provider wants a bearer token (any non-empty one). Faults can be injected per operation (named
 * {@code <provider>.<operation>}, e.g. {@code railway.serviceCreate}, {@code openrouter.createKey}): an HTTP status,
 * a GraphQL error with HTTP 200, a rate limit (429 with {@code Retry-After} or an epoch-millisecond
 * {@code X-RateLimit-Reset}, enforced: a retry before the reset is refused again), or a slow answer given after the
 * operation took effect (what a client timeout looks like from the provider's side).
 *
 * <p>Thread-safe. Not a security boundary: loopback only, for development.
 */
public final class FakeProviders implements AutoCloseable
{
    /** An injected fault. */
    public record Fault(String kind, int status, String message, long millis, boolean retryAfterHeader)
    {
    }

    private record Armed(Fault fault, AtomicInteger remaining)
    {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r ->
    {
        final Thread t = new Thread(r, "fake-providers");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Armed> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
    private final Map<String, Long> blockedUntil = new ConcurrentHashMap<>();
    private final AtomicInteger earlyRetries = new AtomicInteger();
    private final AtomicInteger pendingLists = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong(1000);
    private final Object lock = new Object();
    /** The delay a slow fault imposes on the current call, applied after the operation took effect. */
    private final ThreadLocal<Long> slowMillis = new ThreadLocal<>();

    // Provider state, guarded by lock.
    private final Map<String, Map<String, Object>> services = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> inboxes = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> numbers = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> profiles = new LinkedHashMap<>();

    public static final String PROJECT_ID = "proj-fake-0001";
    public static final Map<String, String> ENVIRONMENTS = Map.of("production", "env-fake-prod", "scaling", "env-fake-scaling");

    private FakeProviders(final HttpServer server)
    {
        this.server = server;
    }

    /** Starts on 127.0.0.1:{@code port} (0: any free port). */
    public static FakeProviders start(final int port) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        final FakeProviders fakes = new FakeProviders(server);
        server.setExecutor(fakes.executor);
        server.createContext("/", fakes::handle);
        server.start();
        return fakes;
    }

    public int port()
    {
        return server.getAddress().getPort();
    }

    /** @return the base-URL settings that point the services API here. */
    public Map<String, String> settings()
    {
        final String base = "http://127.0.0.1:" + port();
        final Map<String, String> m = new LinkedHashMap<>();
        m.put(ServicesSettings.RAILWAY_API_URL, base + "/railway/graphql/v2");
        m.put(ServicesSettings.OPENROUTER_API_URL, base + "/openrouter/api/v1");
        m.put(ServicesSettings.AGENTMAIL_API_URL, base + "/agentmail/v0");
        m.put(ServicesSettings.TELNYX_API_URL, base + "/telnyx/v2");
        return m;
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- fault injection and inspection

    /** The next {@code times} calls of {@code op} answer {@code status} (Retry-After-less 5xx/4xx). */
    public void fail(final String op, final int status, final int times)
    {
        faults.put(op, new Armed(new Fault("status", status, "injected failure", 0, false), new AtomicInteger(times)));
    }

    /** The next {@code times} calls of a Railway operation answer HTTP 200 with a GraphQL {@code errors} array. */
    public void graphqlError(final String op, final String message, final int times)
    {
        faults.put(op, new Armed(new Fault("graphql", 200, message, 0, false), new AtomicInteger(times)));
    }

    /**
     * The next {@code times} calls of {@code op} answer 429 and refuse any retry for {@code resetMillis}: with
     * {@code Retry-After} (whole seconds) when {@code retryAfterHeader}, else {@code X-RateLimit-Reset} (epoch ms).
     */
    public void rateLimit(final String op, final long resetMillis, final boolean retryAfterHeader, final int times)
    {
        faults.put(op, new Armed(new Fault("ratelimit", 429, "rate limited", resetMillis, retryAfterHeader), new AtomicInteger(times)));
    }

    /** The next {@code times} calls of {@code op} take effect, then answer after {@code millis}. */
    public void slow(final String op, final long millis, final int times)
    {
        faults.put(op, new Armed(new Fault("slow", 200, "slow", millis, false), new AtomicInteger(times)));
    }

    /** Numbers ordered from now on stay "pending" (unlisted) for the next {@code lists} number listings. */
    public void telnyxPending(final int lists)
    {
        pendingLists.set(lists);
    }

    public void clearFaults()
    {
        pendingLists.set(0);
        faults.clear();
        blockedUntil.clear();
    }

    /** @return calls received for an operation (faulted ones included). */
    public int calls(final String op)
    {
        final AtomicInteger n = calls.get(op);
        return n == null ? 0 : n.get();
    }

    /** @return resources of a kind ever created ({@code railway.service}, {@code openrouter.key}, …). */
    public int created(final String kind)
    {
        final AtomicInteger n = created.get(kind);
        return n == null ? 0 : n.get();
    }

    /** @return retries that arrived before a rate limit's reset. */
    public int earlyRetries()
    {
        return earlyRetries.get();
    }

    /** @return every live resource as {@code kind:id:name}, sorted. */
    public List<String> live()
    {
        synchronized (lock)
        {
            final List<String> out = new ArrayList<>();
            services.forEach((id, s) -> out.add("railway.service:" + id + ":" + s.get("name")));
            volumes.forEach((id, v) -> out.add("railway.volume:" + id + ":" + v.get("serviceId")));
            keys.forEach((id, k) -> out.add("openrouter.key:" + id + ":" + k.get("name")));
            inboxes.forEach((id, i) -> out.add("agentmail.inbox:" + id + ":" + i.get("client_id")));
            numbers.forEach((id, n) -> out.add("telnyx.number:" + id + ":" + n.get("customer_reference")));
            out.sort(null);
            return out;
        }
    }

    /** @return the variables set on a live Railway service, or null. */
    @SuppressWarnings("unchecked")
    public Map<String, String> variables(final String serviceId)
    {
        synchronized (lock)
        {
            final Map<String, Object> s = services.get(serviceId);
            return s == null ? null : new LinkedHashMap<>((Map<String, String>)s.get("variables"));
        }
    }

    /** @return what OpenRouter was asked for a live key: {@code limit} and {@code limit_reset}, or null. */
    public Map<String, Object> keyLimits(final String hash)
    {
        synchronized (lock)
        {
            final Map<String, Object> k = keys.get(hash);
            if (k == null)
            {
                return null;
            }
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("limit", k.get("limit"));
            m.put("limit_reset", k.get("limit_reset"));
            return m;
        }
    }

    /** @return deploys (and redeploys) triggered on a service. */
    public int deploys(final String serviceId)
    {
        synchronized (lock)
        {
            final Map<String, Object> s = services.get(serviceId);
            return s == null ? 0 : ((Number)s.get("deploys")).intValue();
        }
    }

    /** Removes a resource behind the services API's back (to test "already gone" and reconcile). */
    public void removeBehindTheBack(final String kind, final String id)
    {
        synchronized (lock)
        {
            switch (kind)
            {
                case "railway.service" -> services.remove(id);
                case "railway.volume" -> volumes.remove(id);
                case "openrouter.key" -> keys.remove(id);
                case "agentmail.inbox" -> inboxes.remove(id);
                default -> numbers.remove(id);
            }
        }
    }

    // ---------------------------------------------------------------- HTTP

    private record Reply(int status, Object body, Map<String, String> headers)
    {
        static Reply of(final int status, final Object body)
        {
            return new Reply(status, body, Map.of());
        }
    }

    private void handle(final HttpExchange ex) throws IOException
    {
        try (ex)
        {
            final String path = ex.getRequestURI().getRawPath();
            final String method = ex.getRequestMethod();
            final Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            final Object body = readJson(ex.getRequestBody());
            final String auth = ex.getRequestHeaders().getFirst("Authorization");
            final boolean authed = auth != null && auth.startsWith("Bearer ") && auth.length() > 7;
            Reply reply;
            if (path.startsWith("/railway/graphql/v2"))
            {
                reply = railway(body, authed);
            }
            else if (path.startsWith("/openrouter/api/v1/keys"))
            {
                reply = authed ? openRouter(method, path.substring("/openrouter/api/v1/keys".length()), body)
                    : Reply.of(401, Map.of("error", Map.of("code", 401, "message", "No auth credentials found")));
            }
            else if (path.startsWith("/agentmail/v0/inboxes"))
            {
                reply = authed ? agentMail(method, path.substring("/agentmail/v0/inboxes".length()), body)
                    : Reply.of(401, Map.of("name", "UnauthorizedError", "message", "Unauthorized"));
            }
            else if (path.startsWith("/telnyx/v2/"))
            {
                reply = authed ? telnyx(method, path.substring("/telnyx/v2".length()), query, body)
                    : Reply.of(401, telnyxError("10009", "Authentication failed", "no API key"));
            }
            else
            {
                reply = Reply.of(404, Map.of("error", "no such fake endpoint"));
            }
            write(ex, reply);
        }
    }

    /** Applies an armed fault: a reply instead of the operation, null to proceed (after a slow fault's delay). */
    private Reply fault(final String op, final boolean graphql)
    {
        slowMillis.remove();
        calls.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
        final Long until = blockedUntil.get(op);
        if (until != null)
        {
            final long now = System.currentTimeMillis();
            if (now < until)
            {
                earlyRetries.incrementAndGet();
                return rateLimited(until, false);
            }
            blockedUntil.remove(op);
        }
        final Armed a = faults.get(op);
        if (a == null || a.remaining().get() <= 0 || a.remaining().getAndDecrement() <= 0)
        {
            return null;
        }
        final Fault f = a.fault();
        switch (f.kind())
        {
            case "graphql":
                return Reply.of(200, graphqlErrors(f.message()));
            case "ratelimit":
            {
                final long reset = System.currentTimeMillis() + f.millis();
                blockedUntil.put(op, reset);
                return rateLimited(reset, f.retryAfterHeader());
            }
            case "slow":
                slowMillis.set(f.millis());
                return null;
            default:
                return Reply.of(f.status(), graphql ? Map.of("errors", List.of(Map.of("message", f.message())))
                    : Map.of("error", Map.of("code", f.status(), "message", f.message())));
        }
    }

    private static Reply rateLimited(final long resetEpochMillis, final boolean retryAfter)
    {
        final long wait = Math.max(0, resetEpochMillis - System.currentTimeMillis());
        final Map<String, String> h = new LinkedHashMap<>();
        if (retryAfter)
        {
            h.put("Retry-After", Long.toString((wait + 999) / 1000));
        }
        else
        {
            h.put("X-RateLimit-Reset", Long.toString(resetEpochMillis));
        }
        h.put("X-RateLimit-Remaining", "0");
        return new Reply(429, Map.of("error", Map.of("code", 429, "message", "Rate limit exceeded")), h);
    }

    /** Sleeps after the operation took effect when a slow fault is armed for {@code op}. */
    private void slowAfter(final String op)
    {
        final Long millis = slowMillis.get();
        slowMillis.remove();
        if (millis != null)
        {
            try
            {
                Thread.sleep(millis);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String id(final String prefix)
    {
        return prefix + "-" + Long.toString(ids.incrementAndGet(), 36) + Long.toHexString(System.nanoTime() & 0xffff);
    }

    private void countCreated(final String kind)
    {
        created.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    // ---------------------------------------------------------------- Railway

    private static Map<String, Object> graphqlErrors(final String message)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", null);
        m.put("errors", List.of(Map.of("message", message, "locations", List.of(), "path", List.of())));
        return m;
    }

    private static String rootField(final String query)
    {
        final int brace = query.indexOf('{');
        int i = brace + 1;
        while (i < query.length() && Character.isWhitespace(query.charAt(i)))
        {
            i++;
        }
        final int start = i;
        while (i < query.length() && Character.isJavaIdentifierPart(query.charAt(i)))
        {
            i++;
        }
        return query.substring(start, i);
    }

    @SuppressWarnings("unchecked")
    private Reply railway(final Object body, final boolean authed)
    {
        final String query = Trees.str(body, "query");
        if (query == null)
        {
            return Reply.of(400, Map.of("errors", List.of(Map.of("message", "Must provide query string."))));
        }
        final String field = rootField(query);
        final String op = "railway." + field;
        final Reply faulted = fault(op, true);
        if (faulted != null)
        {
            return faulted;
        }
        if (!authed)
        {
            return Reply.of(200, graphqlErrors("Not Authorized"));
        }
        final Map<String, Object> vars = Trees.at(body, "variables") instanceof Map<?, ?> m ? (Map<String, Object>)m : Map.of();
        final Object input = vars.get("input");
        final Object data;
        synchronized (lock)
        {
            switch (field)
            {
                case "environments" ->
                {
                    final List<Object> edges = new ArrayList<>();
                    ENVIRONMENTS.forEach((name, id) -> edges.add(Map.of("node", Map.of("id", id, "name", name))));
                    data = Map.of("environments", Map.of("edges", edges));
                }
                case "project" ->
                {
                    if (!PROJECT_ID.equals(vars.get("id")))
                    {
                        return Reply.of(200, graphqlErrors("Project not found"));
                    }
                    data = Map.of("project", project());
                }
                case "serviceCreate" ->
                {
                    final String id = id("svc");
                    final Map<String, Object> s = new LinkedHashMap<>();
                    s.put("name", Trees.str(input, "name"));
                    s.put("image", Trees.str(input, "source", "image"));
                    s.put("environmentId", Trees.str(input, "environmentId"));
                    s.put("variables", new LinkedHashMap<String, String>());
                    s.put("deploys", 0);
                    services.put(id, s);
                    countCreated("railway.service");
                    data = Map.of("serviceCreate", Map.of("id", id, "name", s.get("name")));
                }
                case "volumeCreate" ->
                {
                    final String serviceId = Trees.str(input, "serviceId");
                    if (!services.containsKey(serviceId))
                    {
                        return Reply.of(200, graphqlErrors("Service not found"));
                    }
                    final String id = id("vol");
                    volumes.put(id, new LinkedHashMap<>(Map.of("serviceId", serviceId, "mountPath",
                        String.valueOf(Trees.str(input, "mountPath")))));
                    countCreated("railway.volume");
                    data = Map.of("volumeCreate", Map.of("id", id, "name", "vol-" + id));
                }
                case "volumeDelete" ->
                {
                    if (volumes.remove(String.valueOf(vars.get("volumeId"))) == null)
                    {
                        return Reply.of(200, graphqlErrors("Volume not found"));
                    }
                    data = Map.of("volumeDelete", true);
                }
                case "domains" ->
                {
                    final Map<String, Object> s = services.get(String.valueOf(vars.get("serviceId")));
                    final List<Object> domains = s == null || s.get("domain") == null ? List.of()
                        : List.of(Map.of("id", "dom-" + vars.get("serviceId"), "domain", s.get("domain")));
                    data = Map.of("domains", Map.of("serviceDomains", domains));
                }
                case "serviceDomainCreate" ->
                {
                    final Map<String, Object> s = services.get(Trees.str(input, "serviceId"));
                    if (s == null)
                    {
                        return Reply.of(200, graphqlErrors("Service not found"));
                    }
                    final String domain = String.valueOf(s.get("name")).toLowerCase(Locale.ROOT) + ".up.railway.app";
                    s.put("domain", domain);
                    data = Map.of("serviceDomainCreate", Map.of("id", "dom-" + Trees.str(input, "serviceId"), "domain", domain));
                }
                case "variableCollectionUpsert" ->
                {
                    final Map<String, Object> s = services.get(Trees.str(input, "serviceId"));
                    if (s == null)
                    {
                        return Reply.of(200, graphqlErrors("Service not found"));
                    }
                    if (Trees.at(input, "variables") instanceof Map<?, ?> v)
                    {
                        v.forEach((k, val) -> ((Map<String, String>)s.get("variables")).put(String.valueOf(k), String.valueOf(val)));
                    }
                    if (!Boolean.TRUE.equals(Trees.at(input, "skipDeploys")) && s.get("status") != null)
                    {
                        deploy(s);
                    }
                    data = Map.of("variableCollectionUpsert", true);
                }
                case "serviceInstanceDeploy", "serviceInstanceRedeploy" ->
                {
                    final Map<String, Object> s = services.get(String.valueOf(vars.get("serviceId")));
                    if (s == null)
                    {
                        return Reply.of(200, graphqlErrors("Service not found"));
                    }
                    deploy(s);
                    data = Map.of(field, true);
                }
                case "serviceDelete" ->
                {
                    if (services.remove(String.valueOf(vars.get("id"))) == null)
                    {
                        return Reply.of(200, graphqlErrors("Service not found"));
                    }
                    data = Map.of("serviceDelete", true);
                }
                case "deployments" ->
                {
                    final Map<String, Object> s = services.get(Trees.str(input, "serviceId"));
                    final List<Object> edges = new ArrayList<>();
                    if (s != null && s.get("status") != null)
                    {
                        edges.add(Map.of("node", Map.of("id", s.get("deploymentId"), "status", advance(s),
                            "staticUrl", String.valueOf(s.get("domain")), "createdAt", "2026-01-01T00:00:00.000Z")));
                    }
                    data = Map.of("deployments", Map.of("edges", edges));
                }
                default ->
                {
                    return Reply.of(400, graphqlErrors("Cannot query field \"" + field + "\" on type \"Query\"."));
                }
            }
        }
        slowAfter(op);
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", data);
        return Reply.of(200, out);
    }

    private void deploy(final Map<String, Object> s)
    {
        s.put("status", "BUILDING");
        s.put("deploymentId", id("dep"));
        s.put("deploys", ((Number)s.get("deploys")).intValue() + 1);
    }

    /** Reports a deployment's status and moves it one step on: BUILDING → DEPLOYING → SUCCESS. */
    private static String advance(final Map<String, Object> s)
    {
        final String now = (String)s.get("status");
        s.put("status", switch (now)
        {
            case "BUILDING" -> "DEPLOYING";
            default -> "SUCCESS";
        });
        return now;
    }

    private Map<String, Object> project()
    {
        final List<Object> serviceEdges = new ArrayList<>();
        services.forEach((id, s) ->
        {
            final Map<String, Object> inst = new LinkedHashMap<>();
            inst.put("environmentId", s.get("environmentId"));
            inst.put("source", Map.of("image", String.valueOf(s.get("image"))));
            inst.put("domains", Map.of("serviceDomains", s.get("domain") == null ? List.of() : List.of(Map.of("domain", s.get("domain")))));
            final Map<String, Object> deployment = new LinkedHashMap<>();
            if (s.get("status") != null)
            {
                deployment.put("id", s.get("deploymentId"));
                deployment.put("status", advance(s));
            }
            inst.put("latestDeployment", s.get("deploymentId") == null ? null : deployment);
            final Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", id);
            node.put("name", s.get("name"));
            node.put("serviceInstances", Map.of("edges", List.of(Map.of("node", inst))));
            serviceEdges.add(Map.of("node", node));
        });
        final List<Object> volumeEdges = new ArrayList<>();
        volumes.forEach((id, v) ->
        {
            final Map<String, Object> vi = Map.of("serviceId", v.get("serviceId"), "mountPath", v.get("mountPath"));
            final Map<String, Object> node = Map.of("id", id, "name", "vol-" + id,
                "volumeInstances", Map.of("edges", List.of(Map.of("node", vi))));
            volumeEdges.add(Map.of("node", node));
        });
        final Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", PROJECT_ID);
        p.put("services", Map.of("edges", serviceEdges));
        p.put("volumes", Map.of("edges", volumeEdges));
        return p;
    }

    // ---------------------------------------------------------------- OpenRouter

    private Reply openRouter(final String method, final String rest, final Object body)
    {
        if ("POST".equals(method) && (rest.isEmpty() || "/".equals(rest)))
        {
            final Reply f = fault("openrouter.createKey", false);
            if (f != null)
            {
                return f;
            }
            final String name = Trees.str(body, "name");
            if (name == null || name.isEmpty())
            {
                return Reply.of(400, Map.of("error", Map.of("code", 400, "message", "name is required")));
            }
            final Map<String, Object> k = new LinkedHashMap<>();
            final String hash;
            synchronized (lock)
            {
                hash = Long.toHexString(ids.incrementAndGet()) + Long.toHexString(System.nanoTime());
                k.put("hash", hash);
                k.put("name", name);
                k.put("label", "sk-or-v1-" + hash.substring(0, 3) + "..." );
                k.put("disabled", false);
                k.put("limit", Trees.at(body, "limit"));
                k.put("limit_reset", Trees.at(body, "limit_reset"));
                k.put("usage", 0);
                k.put("created_at", "2026-01-01T00:00:00Z");
                k.put("updated_at", null);
                keys.put(hash, k);
                countCreated("openrouter.key");
            }
            slowAfter("openrouter.createKey");
            final Map<String, Object> out = new LinkedHashMap<>();
            out.put("data", k);
            out.put("key", "sk-or-v1-" + hash + "fake");
            return Reply.of(201, out);
        }
        if ("GET".equals(method) && (rest.isEmpty() || "/".equals(rest)))
        {
            final Reply f = fault("openrouter.listKeys", false);
            if (f != null)
            {
                return f;
            }
            synchronized (lock)
            {
                return Reply.of(200, Map.of("data", new ArrayList<>(keys.values())));
            }
        }
        if ("DELETE".equals(method) && rest.startsWith("/"))
        {
            final Reply f = fault("openrouter.deleteKey", false);
            if (f != null)
            {
                return f;
            }
            synchronized (lock)
            {
                if (keys.remove(decode(rest.substring(1))) == null)
                {
                    return Reply.of(404, Map.of("error", Map.of("code", 404, "message", "Key not found")));
                }
            }
            return Reply.of(200, Map.of("deleted", true));
        }
        return Reply.of(405, Map.of("error", Map.of("code", 405, "message", "method not allowed")));
    }

    // ---------------------------------------------------------------- AgentMail

    private Reply agentMail(final String method, final String rest, final Object body)
    {
        if ("POST".equals(method) && rest.isEmpty())
        {
            final Reply f = fault("agentmail.createInbox", false);
            if (f != null)
            {
                return f;
            }
            final String clientId = Trees.str(body, "client_id");
            final Map<String, Object> inbox;
            synchronized (lock)
            {
                final Map<String, Object> existing = clientId == null ? null : inboxes.values().stream()
                    .filter(i -> clientId.equals(i.get("client_id"))).findFirst().orElse(null);
                if (existing != null)
                {
                    inbox = existing;
                }
                else
                {
                    final String domain = Trees.str(body, "domain") == null ? "agentmail.to" : Trees.str(body, "domain");
                    final String id = id("agent").toLowerCase(Locale.ROOT) + "@" + domain;
                    inbox = new LinkedHashMap<>();
                    inbox.put("inbox_id", id);
                    inbox.put("display_name", Trees.str(body, "display_name"));
                    inbox.put("client_id", clientId);
                    inbox.put("created_at", "2026-01-01T00:00:00Z");
                    inboxes.put(id, inbox);
                    countCreated("agentmail.inbox");
                }
            }
            slowAfter("agentmail.createInbox");
            return Reply.of(200, inbox);
        }
        if ("GET".equals(method) && rest.isEmpty())
        {
            final Reply f = fault("agentmail.listInboxes", false);
            if (f != null)
            {
                return f;
            }
            synchronized (lock)
            {
                return Reply.of(200, Map.of("count", inboxes.size(), "inboxes", new ArrayList<>(inboxes.values())));
            }
        }
        if ("DELETE".equals(method) && rest.startsWith("/"))
        {
            final Reply f = fault("agentmail.deleteInbox", false);
            if (f != null)
            {
                return f;
            }
            synchronized (lock)
            {
                if (inboxes.remove(decode(rest.substring(1))) == null)
                {
                    return Reply.of(404, Map.of("name", "NotFoundError", "message", "Inbox not found"));
                }
            }
            return Reply.of(204, null);
        }
        return Reply.of(405, Map.of("name", "MethodNotAllowed", "message", "method not allowed"));
    }

    // ---------------------------------------------------------------- Telnyx

    private static Map<String, Object> telnyxError(final String code, final String title, final String detail)
    {
        return Map.of("errors", List.of(Map.of("code", code, "title", title, "detail", detail)));
    }

    private Reply telnyx(final String method, final String rest, final Map<String, String> q, final Object body)
    {
        if ("GET".equals(method) && "/available_phone_numbers".equals(rest))
        {
            final Reply f = fault("telnyx.search", false);
            if (f != null)
            {
                return f;
            }
            final String number = "+1555" + String.format("%07d", ids.incrementAndGet() % 10_000_000);
            return Reply.of(200, Map.of("data", List.of(Map.of("record_type", "available_phone_number", "phone_number", number,
                "features", List.of(Map.of("name", "sms"), Map.of("name", "voice")))), "metadata", Map.of("total_results", 1)));
        }
        if ("POST".equals(method) && "/number_orders".equals(rest))
        {
            final Reply f = fault("telnyx.order", false);
            if (f != null)
            {
                return f;
            }
            final List<Object> ordered = new ArrayList<>();
            synchronized (lock)
            {
                for (final Object pn : Trees.list(body, "phone_numbers"))
                {
                    final String id = Long.toString(ids.incrementAndGet()) + "0000";
                    final Map<String, Object> n = new LinkedHashMap<>();
                    n.put("id", id);
                    n.put("record_type", "phone_number");
                    n.put("phone_number", Trees.str(pn, "phone_number"));
                    n.put("status", "active");
                    n.put("customer_reference", Trees.str(body, "customer_reference"));
                    n.put("messaging_profile_id", Trees.str(body, "messaging_profile_id"));
                    n.put("_pending", pendingLists.get());
                    numbers.put(id, n);
                    countCreated("telnyx.number");
                    ordered.add(Map.of("id", id, "phone_number", n.get("phone_number"), "status", "success"));
                }
            }
            slowAfter("telnyx.order");
            return Reply.of(200, Map.of("data", Map.of("id", id("order"), "record_type", "number_order", "status", "success",
                "phone_numbers", ordered, "customer_reference", String.valueOf(Trees.str(body, "customer_reference")))));
        }
        if ("GET".equals(method) && "/phone_numbers".equals(rest))
        {
            final Reply f = fault("telnyx.listNumbers", false);
            if (f != null)
            {
                return f;
            }
            final String ref = q.get("filter[customer_reference]");
            final int page = Integer.parseInt(q.getOrDefault("page[number]", "1"));
            synchronized (lock)
            {
                final List<Object> data = new ArrayList<>();
                for (final Map<String, Object> n : numbers.values())
                {
                    final int pending = (Integer)n.get("_pending");
                    if (pending > 0)
                    {
                        n.put("_pending", pending - 1); // the order completes after this many listings
                    }
                    else if (page == 1 && (ref == null || ref.equals(n.get("customer_reference"))))
                    {
                        final Map<String, Object> shown = new LinkedHashMap<>(n);
                        shown.remove("_pending");
                        data.add(shown);
                    }
                }
                return Reply.of(200, Map.of("data", data, "meta", Map.of("total_results", data.size(), "page_number", page)));
            }
        }
        if ("DELETE".equals(method) && rest.startsWith("/phone_numbers/"))
        {
            final Reply f = fault("telnyx.deleteNumber", false);
            if (f != null)
            {
                return f;
            }
            synchronized (lock)
            {
                final Map<String, Object> n = numbers.remove(decode(rest.substring("/phone_numbers/".length())));
                if (n != null)
                {
                    n.remove("_pending");
                }
                if (n == null)
                {
                    return Reply.of(404, telnyxError("10005", "Resource not found", "The requested resource or URL could not be found."));
                }
                return Reply.of(200, Map.of("data", n));
            }
        }
        if ("/messaging_profiles".equals(rest))
        {
            synchronized (lock)
            {
                if ("GET".equals(method))
                {
                    final String name = q.get("filter[name]");
                    return Reply.of(200, Map.of("data", profiles.values().stream()
                        .filter(p -> name == null || name.equals(p.get("name"))).map(p -> (Object)p).toList()));
                }
                final String id = id("mp");
                final Map<String, Object> p = new LinkedHashMap<>(Map.of("id", id, "name", String.valueOf(Trees.str(body, "name")),
                    "record_type", "messaging_profile"));
                profiles.put(id, p);
                return Reply.of(200, Map.of("data", p));
            }
        }
        return Reply.of(404, telnyxError("10005", "Resource not found", "The requested resource or URL could not be found."));
    }

    // ---------------------------------------------------------------- plumbing

    private static Object readJson(final InputStream in) throws IOException
    {
        final byte[] b = in.readAllBytes();
        if (b.length == 0)
        {
            return null;
        }
        try
        {
            return Json.parse(b, 0, b.length);
        }
        catch (final DecodeException e)
        {
            return null;
        }
    }

    private static void write(final HttpExchange ex, final Reply reply) throws IOException
    {
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (reply.body() == null)
        {
            ex.sendResponseHeaders(reply.status(), -1);
            return;
        }
        final byte[] out = Json.write(reply.body());
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(reply.status(), out.length);
        try (OutputStream os = ex.getResponseBody())
        {
            os.write(out);
        }
    }

    private static Map<String, String> query(final String raw)
    {
        final Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty())
        {
            return m;
        }
        for (final String part : raw.split("&"))
        {
            final int eq = part.indexOf('=');
            m.put(decode(eq < 0 ? part : part.substring(0, eq)), eq < 0 ? "" : decode(part.substring(eq + 1)));
        }
        return m;
    }

    private static String decode(final String s)
    {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
