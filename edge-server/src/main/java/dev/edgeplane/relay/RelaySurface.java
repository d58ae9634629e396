package dev.edgeplane.relay;

import java.time.Clock;

import dev.edgeplane.server.AccessGate;
import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.HttpHandler;
import dev.edgeplane.server.Routes;
import dev.edgeplane.server.Surface;
import dev.edgeplane.server.SurfaceKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay control plane for the OBS plugin (seed 003, docs/SPEC-relay.md), base path {@code /api/v1}, on
 * {@code RELAY_PORT}: device-style plugin login with a self-service authorize page, JWT access tokens and
 * rotating refresh tokens, the relay state machine with its provisioner and timers, per-user rate limits,
 * LemonSqueezy billing, the Time Bank and public capacity. The design notes are in {@code package-info.java}.
 *
 * <p>Authentication: the plugin's routes need a bearer access token; {@code /relay/health} the relay's
 * {@code X-Relay-Auth}; {@code /billing/webhook} the provider's signature; {@code /api/v1/admin/*} the
 * {@code x-admin-token}; login start/poll, the authorize page, {@code /capacity/status} and {@code /health}
 * are public.
 *
 * <p>Threading: {@link #register} runs once on the starting thread; see each handler for its own contract.
 */
public final class RelaySurface implements Surface
{
    private static final Logger LOG = LoggerFactory.getLogger(RelaySurface.class);
    private static final String BASE = "/api/v1";
    /** JSON bodies of the relay API are small; the webhook carries a provider's full object. */
    static final int MAX_BODY_BYTES = 16 * 1024;
    static final int MAX_WEBHOOK_BYTES = 256 * 1024;

    private final Clock clock;

    /** The production surface, on the system clock. */
    public RelaySurface()
    {
        this(Clock.systemUTC());
    }

    /** A surface whose expiry logic (tokens, timers, idempotency, Time Bank) reads {@code clock} (tests move it). */
    public RelaySurface(final Clock clock)
    {
        this.clock = clock;
    }

    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.RELAY;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        final RelayPlane plane = new RelayPlane(runtime, clock);
        runtime.closeOnShutdown(plane);
        RelaySinks.all().forEach(runtime::registerSink);

        final BearerAuth auth = new BearerAuth(plane);
        final RelayLifecycle lifecycle = new RelayLifecycle(plane);
        final TokenHandlers tokens = new TokenHandlers(plane, auth, lifecycle);
        final LoginHandlers login = new LoginHandlers(plane, tokens);
        final LoginPage page = new LoginPage(plane, login);
        final RelayHandlers relay = new RelayHandlers(plane, auth, lifecycle);
        final BillingHandlers billing = new BillingHandlers(plane, auth, lifecycle);
        final AdminHandlers admin = new AdminHandlers(plane, login, lifecycle);
        plane.provisioner(provisioner(plane, relay));
        new RelaySweeper(plane, lifecycle).start();
        LOG.info("relay: {} users, provisioner {}, {}", plane.users.size(), plane.provisioner().name(), plane.settings);

        final AccessGate gate = runtime.gate();
        // GET /health (the seed's smoke test calls it) is one of the routes every listener shares (ServerRoutes).
        routes
            .add("POST", BASE + "/auth/plugin/login/start", login::start, MAX_BODY_BYTES)
            .add("POST", BASE + "/auth/plugin/login/poll", login::poll, MAX_BODY_BYTES)
            .add("POST", BASE + "/auth/refresh", tokens::refresh, MAX_BODY_BYTES)
            .add("POST", BASE + "/auth/logout", tokens::logout, MAX_BODY_BYTES)
            .get(BASE + "/auth/session", tokens::session)
            .add("POST", BASE + "/relay/start", relay::start, MAX_BODY_BYTES)
            .get(BASE + "/relay/active", relay::active)
            .add("POST", BASE + "/relay/stop", relay::stop, MAX_BODY_BYTES)
            .get(BASE + "/relay/manifest", relay::manifest)
            .add("POST", BASE + "/relay/health", relay::health, MAX_BODY_BYTES)
            .add("POST", BASE + "/billing/checkout", billing::checkout, MAX_BODY_BYTES)
            .add("POST", BASE + "/billing/webhook", billing::webhook, MAX_WEBHOOK_BYTES)
            .get(BASE + "/usage/current", billing::usage)
            .get(BASE + "/capacity/status", billing::capacity)
            .get("/login/plugin", page::show)
            .add("POST", "/login/plugin", page::submit, MAX_BODY_BYTES)
            .add("POST", BASE + "/admin/users", admin(gate, admin::createUser), MAX_BODY_BYTES)
            .add("POST", BASE + "/admin/login/approve", admin(gate, admin::approve), MAX_BODY_BYTES)
            .add("POST", BASE + "/admin/login/deny", admin(gate, admin::deny), MAX_BODY_BYTES)
            .get(BASE + "/admin/relay/sessions/{sessionId}", admin(gate, admin::session))
            .add("POST", BASE + "/admin/relay/sessions/{sessionId}/transition", admin(gate, admin::transition),
                MAX_BODY_BYTES);
    }

    private static RelayProvisioner provisioner(final RelayPlane plane, final RelayHandlers relay)
    {
        final RelaySettings s = plane.settings;
        if ("ec2".equals(s.provisioner()))
        {
            final String base = s.publicUrl();
            return new Ec2Provisioner(s.provisionerUrl(), s.provisionerToken(), s.provisionerTimeout(),
                s.provisionerRetries(), base == null ? "" : base + BASE + "/relay/health", plane.timers);
        }
        return new SimulatedProvisioner(plane.timers, s.simLaunchMillis(), s.simBootMillis(), s.healthTimeout().toMillis(),
            s.simReportsHealth(), relay::report);
    }

    private static HttpHandler admin(final AccessGate gate, final HttpHandler handler)
    {
        return ex ->
        {
            if (gate.requireAdmin(ex))
            {
                handler.handle(ex);
            }
        };
    }
}
