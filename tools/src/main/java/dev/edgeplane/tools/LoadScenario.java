package dev.edgeplane.tools;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * What one load scenario sends and how it judges the answers. A scheduled request starts a <em>chain</em> on one
 * connection: step 0 is the primary endpoint (the one the rate counts and whose latency is measured from the intended
 * send time); later steps (the route scenario's dialog-terminated event, the flow scenario's steps) follow on the same
 * connection as soon as the previous answer is in.
 *
 * <ul>
 *   <li>{@code bare}: {@code GET} of the URL's path — the reference server answers any path.</li>
 *   <li>{@code route}: {@code POST /route} for a fresh Call-ID, alternately inbound (random external number to a random
 *       DID) and outbound (random device to a random external number), then {@code POST /presence/event}
 *       {@code type=dialog state=terminated} for that Call-ID so the server's call store stays bounded.</li>
 *   <li>{@code auth}: {@code POST /auth} with a correct digest of a random device, a nonce unique to the request.</li>
 *   <li>{@code flow}: {@code POST /flow} start of a random flow for a fresh Call-ID, then up to {@code steps} steps:
 *       {@code timeout} and, last, {@code digit:1}; a {@code hangup} command ends the chain early.</li>
 *   <li>{@code presence}: {@code POST /presence/event} {@code type=register} of a random device, expires 600.</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance per event loop (it owns a random generator and digest scratch space).
 */
abstract class LoadScenario
{
    /** The scenarios, by their {@code --scenario} name. */
    enum Kind
    {
        BARE, ROUTE, AUTH, FLOW, PRESENCE;

        /**
         * @return the {@code --scenario} name.
         */
        String optionName()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param name a {@code --scenario} value.
         * @return the scenario, or null when there is none of that name.
         */
        static Kind parse(final String name)
        {
            for (final Kind kind : values())
            {
                if (kind.optionName().equals(name))
                {
                    return kind;
                }
            }
            return null;
        }
    }

    /**
     * What every worker's scenario instance shares.
     *
     * @param kind       the scenario.
     * @param host       the {@code Host} header ({@code host:port}).
     * @param basePath   the URL's path without a trailing slash ({@code ""} for none).
     * @param adminToken sent as {@code x-admin-token} when not null.
     * @param targets    pre-encoded configuration (null for {@code bare}).
     * @param runId      distinguishes this run's Call-IDs and nonces from every earlier run's (hex, no separators).
     * @param steps      flow steps after the start.
     */
    record Setup(Kind kind, String host, String basePath, String adminToken, LoadTargets targets, String runId,
                 int steps)
    {
    }

    private static final byte[] STATUS_OK = RequestTemplate.ascii("\"status\":\"ok\"");
    private static final byte[] MESSAGE = RequestTemplate.ascii("\"message\":\"");
    private static final byte[] RTJSON_ACTION = RequestTemplate.ascii("{\"rtjson\":{\"action\":\"");
    private static final byte[] CODE = RequestTemplate.ascii("\"code\":");
    private static final byte[] HANGUP = RequestTemplate.ascii("\"type\":\"hangup\"");
    private static final byte[] FLOW = RequestTemplate.ascii("flow\"");
    private static final byte[] PROXY = RequestTemplate.ascii("proxy\"");
    private static final byte[] OUTBOUND = RequestTemplate.ascii("outbound\"");
    private static final byte[] REJECT = RequestTemplate.ascii("reject\"");

    final SplittableRandom random;
    /** {@code callId=lg-<run>-<worker>-}: a chain's Call-ID is this and the chain's number. */
    private final byte[] callIdField;

    LoadScenario(final Setup setup, final int worker)
    {
        this.random = new SplittableRandom(setup.runId().hashCode() * 31L + worker);
        this.callIdField = RequestTemplate.ascii("callId=lg-" + setup.runId() + "-" + worker + "-");
    }

    /**
     * @param setup  what the workers share.
     * @param worker the worker's number.
     * @return a scenario instance for that worker.
     */
    static LoadScenario create(final Setup setup, final int worker)
    {
        return switch (setup.kind())
        {
            case BARE -> new Bare(setup, worker);
            case ROUTE -> new Route(setup, worker);
            case AUTH -> new Auth(setup, worker);
            case FLOW -> new Flow(setup, worker);
            case PRESENCE -> new Presence(setup, worker);
        };
    }

    /**
     * @param kind     the scenario.
     * @param basePath the URL's path without a trailing slash.
     * @return its endpoints' display names, the primary one first.
     */
    static List<String> endpointNames(final Kind kind, final String basePath)
    {
        return switch (kind)
        {
            case BARE -> List.of("GET " + (basePath.isEmpty() ? "/" : basePath));
            case ROUTE -> List.of("POST /route", "POST /presence/event dialog terminated");
            case AUTH -> List.of("POST /auth");
            case FLOW -> List.of("POST /flow start", "POST /flow step");
            case PRESENCE -> List.of("POST /presence/event register");
        };
    }

    /**
     * @param kind      the scenario.
     * @param directory its configuration (unused by {@code bare}).
     * @return null if the configuration can feed the scenario, else why not.
     */
    static String unsupported(final Kind kind, final CallDirectory directory)
    {
        return switch (kind)
        {
            case BARE -> null;
            case ROUTE -> directory.devices().isEmpty() && directory.dids().isEmpty()
                ? "the configuration has neither enabled devices nor DIDs to route" : null;
            case AUTH, PRESENCE -> directory.devices().isEmpty() ? "the configuration has no enabled device" : null;
            case FLOW -> directory.flows().isEmpty() ? "the configuration has no flow" : null;
        };
    }

    /**
     * Encode one request of a chain.
     *
     * @param chain the chain's number on this worker (names its Call-ID).
     * @param step  0 for the primary request, then 1, 2, …
     * @param alloc the channel's allocator.
     * @return the complete request, ready to write.
     */
    abstract ByteBuf encode(long chain, int step, ByteBufAllocator alloc);

    /**
     * @param step a chain step.
     * @return the index of its endpoint in {@link #endpointNames}.
     */
    int endpoint(final int step)
    {
        return step == 0 ? 0 : 1;
    }

    /**
     * @return true if {@link #check} and {@link #next} read the body.
     */
    boolean readsBody()
    {
        return false;
    }

    /**
     * Judge one answer.
     *
     * @param step     the chain step it answers.
     * @param status   its HTTP status.
     * @param body     its first bytes (empty unless {@link #readsBody()}).
     * @param measured false during the warm-up.
     * @param recorder where scenario-specific observations go.
     * @return null for a success, else the error kind (the status, or what was wrong with a 200).
     */
    String check(final int step, final int status, final ResponseBody body, final boolean measured,
        final LoadRecorder recorder)
    {
        return status >= 200 && status < 300 ? null : LoadRecorder.statusKind(status);
    }

    /**
     * @param step   the chain step just answered.
     * @param status its HTTP status.
     * @param body   its first bytes.
     * @return the next step of the chain, or -1 when the chain is complete.
     */
    int next(final int step, final int status, final ResponseBody body)
    {
        return -1;
    }

    /** Write {@code callId=<this run's Call-ID of chain>}. */
    final void writeCallId(final ByteBuf buf, final long chain)
    {
        buf.writeBytes(callIdField);
        RequestTemplate.writeDecimal(buf, chain);
    }

    // ------------------------------------------------------------------------------------------------ scenarios

    /** {@code GET} of a constant path. */
    private static final class Bare extends LoadScenario
    {
        private final RequestTemplate get;

        Bare(final Setup setup, final int worker)
        {
            super(setup, worker);
            get = RequestTemplate.get(setup.basePath().isEmpty() ? "/" : setup.basePath(), setup.host(), setup.adminToken());
        }

        @Override
        ByteBuf encode(final long chain, final int step, final ByteBufAllocator alloc)
        {
            return get.finish(get.begin(alloc));
        }
    }

    /** {@code /route}, then dialog terminated. */
    private static final class Route extends LoadScenario
    {
        private static final byte[] INBOUND_FROM = RequestTemplate.ascii("&from=%2B1415555");
        private static final byte[] INBOUND_REST = RequestTemplate.ascii("&fromDomain=carrier.invalid&sourceIp=127.0.0.1");
        private static final byte[] TO = RequestTemplate.ascii("&to=");
        private static final byte[] TERMINATED = RequestTemplate.ascii("type=dialog&state=terminated&cause=normal&");

        private final RequestTemplate route;
        private final RequestTemplate presence;
        private final LoadTargets.Device[] devices;
        private final byte[][] dids;
        private final byte[][] numbers;

        Route(final Setup setup, final int worker)
        {
            super(setup, worker);
            route = RequestTemplate.post(setup.basePath() + "/route", setup.host(), RequestTemplate.FORM, setup.adminToken());
            presence = RequestTemplate.post(setup.basePath() + "/presence/event", setup.host(), RequestTemplate.FORM,
                setup.adminToken());
            devices = setup.targets().devices();
            dids = setup.targets().dids();
            numbers = setup.targets().outboundNumbers();
        }

        @Override
        ByteBuf encode(final long chain, final int step, final ByteBufAllocator alloc)
        {
            if (step == 1)
            {
                final ByteBuf buf = presence.begin(alloc);
                buf.writeBytes(TERMINATED);
                writeCallId(buf, chain);
                return presence.finish(buf);
            }
            final ByteBuf buf = route.begin(alloc);
            writeCallId(buf, chain);
            final boolean inbound = devices.length == 0 || (dids.length > 0 && (chain & 1) == 0);
            if (inbound)
            {
                buf.writeBytes(INBOUND_FROM);
                RequestTemplate.writeDigits(buf, random.nextInt(10_000), 4);
                buf.writeBytes(INBOUND_REST);
                buf.writeBytes(TO);
                buf.writeBytes(dids[random.nextInt(dids.length)]);
            }
            else
            {
                buf.writeBytes(devices[random.nextInt(devices.length)].routeFields());
                buf.writeBytes(TO);
                buf.writeBytes(numbers[random.nextInt(numbers.length)]);
            }
            return route.finish(buf);
        }

        @Override
        boolean readsBody()
        {
            return true;
        }

        @Override
        String check(final int step, final int status, final ResponseBody body, final boolean measured,
            final LoadRecorder recorder)
        {
            if (step == 1 || status != 200)
            {
                return super.check(step, status, body, measured, recorder);
            }
            // Every /route verdict, a reject included, is a 200 with an rtjson object (docs/SPEC-control-plane.md).
            if (!body.matchesAt(0, RTJSON_ACTION))
            {
                return "200 without rtjson";
            }
            if (measured)
            {
                final int at = RTJSON_ACTION.length;
                if (body.matchesAt(at, FLOW))
                {
                    recorder.routeDecision(LoadRecorder.Decision.FLOW, -1);
                }
                else if (body.matchesAt(at, OUTBOUND))
                {
                    recorder.routeDecision(LoadRecorder.Decision.OUTBOUND, -1);
                }
                else if (body.matchesAt(at, PROXY))
                {
                    recorder.routeDecision(LoadRecorder.Decision.PROXY, -1);
                }
                else if (body.matchesAt(at, REJECT))
                {
                    final int code = body.indexOf(CODE);
                    recorder.routeDecision(LoadRecorder.Decision.REJECT, code < 0 ? -1 : body.decimalAt(code + CODE.length));
                }
                else
                {
                    recorder.routeDecision(LoadRecorder.Decision.OTHER, -1);
                }
            }
            return null;
        }

        @Override
        int next(final int step, final int status, final ResponseBody body)
        {
            // The SIP layer reports every call /route saw as terminated, whatever the answer was.
            return step == 0 ? 1 : -1;
        }
    }

    /** {@code /auth} with a fresh nonce and a correct digest. */
    private static final class Auth extends LoadScenario
    {
        private static final byte[] RESPONSE = RequestTemplate.ascii("&response=");

        private final RequestTemplate auth;
        private final LoadTargets.Device[] devices;
        private final DigestEngine digests = new DigestEngine();
        private final byte[] nonce = new byte[64];
        private final int noncePrefixLength;

        Auth(final Setup setup, final int worker)
        {
            super(setup, worker);
            auth = RequestTemplate.post(setup.basePath() + "/auth", setup.host(), RequestTemplate.FORM, setup.adminToken());
            devices = setup.targets().devices();
            final byte[] prefix = RequestTemplate.ascii(setup.runId() + Integer.toHexString(worker) + "x");
            System.arraycopy(prefix, 0, nonce, 0, prefix.length);
            noncePrefixLength = prefix.length;
        }

        @Override
        ByteBuf encode(final long chain, final int step, final ByteBufAllocator alloc)
        {
            final LoadTargets.Device device = devices[random.nextInt(devices.length)];
            final int nonceLength = RequestTemplate.putHex(nonce, noncePrefixLength, chain);
            final ByteBuf buf = auth.begin(alloc);
            buf.writeBytes(device.authFields());
            buf.writeBytes(nonce, 0, nonceLength);
            buf.writeBytes(RESPONSE);
            digests.writeResponse(buf, device, nonce, nonceLength);
            return auth.finish(buf);
        }

        @Override
        boolean readsBody()
        {
            return true;
        }

        @Override
        String check(final int step, final int status, final ResponseBody body, final boolean measured,
            final LoadRecorder recorder)
        {
            if (status != 200)
            {
                return super.check(step, status, body, measured, recorder);
            }
            // Every verdict is a 200; only "ok" means the digest was accepted.
            if (body.contains(STATUS_OK))
            {
                return null;
            }
            final String message = body.stringAfter(MESSAGE);
            return "auth " + (message == null ? "not ok" : message);
        }
    }

    /** {@code /flow} start, then steps. */
    private static final class Flow extends LoadScenario
    {
        private static final byte[] TIMEOUT = RequestTemplate.ascii("&outcome=timeout");
        private static final byte[] DIGIT_1 = RequestTemplate.ascii("&outcome=digit%3A1");

        private final RequestTemplate flow;
        private final byte[][] flows;
        private final int steps;

        Flow(final Setup setup, final int worker)
        {
            super(setup, worker);
            flow = RequestTemplate.post(setup.basePath() + "/flow", setup.host(), RequestTemplate.FORM, setup.adminToken());
            flows = setup.targets().flowFields();
            steps = setup.steps();
        }

        @Override
        ByteBuf encode(final long chain, final int step, final ByteBufAllocator alloc)
        {
            final ByteBuf buf = flow.begin(alloc);
            writeCallId(buf, chain);
            if (step == 0)
            {
                buf.writeBytes(flows[random.nextInt(flows.length)]);
            }
            else
            {
                buf.writeBytes(step < steps ? TIMEOUT : DIGIT_1);
            }
            return flow.finish(buf);
        }

        @Override
        boolean readsBody()
        {
            return true;
        }

        @Override
        int next(final int step, final int status, final ResponseBody body)
        {
            if (status != 200 || step >= steps || body.contains(HANGUP))
            {
                return -1;
            }
            return step + 1;
        }
    }

    /** {@code /presence/event} register. */
    private static final class Presence extends LoadScenario
    {
        private final RequestTemplate presence;
        private final LoadTargets.Device[] devices;

        Presence(final Setup setup, final int worker)
        {
            super(setup, worker);
            presence = RequestTemplate.post(setup.basePath() + "/presence/event", setup.host(), RequestTemplate.FORM,
                setup.adminToken());
            devices = setup.targets().devices();
        }

        @Override
        ByteBuf encode(final long chain, final int step, final ByteBufAllocator alloc)
        {
            final ByteBuf buf = presence.begin(alloc);
            buf.writeBytes(devices[random.nextInt(devices.length)].registerBody());
            return presence.finish(buf);
        }
    }
}
