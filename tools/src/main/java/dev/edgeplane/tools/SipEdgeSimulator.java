package dev.edgeplane.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;

/**
 * Plays a SIP edge (Kamailio with {@code perf-config/kamailio/kamailio.cfg}) and a media engine against a running
 * control plane: registers every device of a configuration document ({@code POST /auth}, then
 * {@code POST /presence/event} type=register), then starts calls at a fixed rate, open loop ({@link OpenLoopSchedule}).
 * Each call is {@code POST /route}; when the answer's {@code rtjson.action} is {@code flow}, {@code POST /flow} start
 * and up to {@code steps} steps, stopping at {@code hangup}; and always, last, {@code POST /presence/event} type=dialog
 * state=terminated, as the SIP layer must for every call /route admitted (docs/SPEC-control-plane.md). Calls alternate
 * between inbound (external number to a DID) and outbound (device to a PSTN number {@code +1202555xxxx}).
 *
 * <p>Every HTTP exchange's latency goes into an HdrHistogram {@link org.HdrHistogram.Recorder} per endpoint. A
 * progress line is rewritten on the progress stream once per second and a summary table is printed at the end.
 * {@link #run()} returns 0 when every registration and every call succeeded, 1 otherwise.
 *
 * <p>The simulator only talks to the base URL it is given. Bounded: registration and the call schedule both end at
 * {@code duration}; in-flight calls then get at most one request timeout per remaining request to finish.
 *
 * <p>Threading: {@link #run()} runs on the caller's thread (which also paces the schedule); HTTP callbacks run on a
 * small pool; a reporter thread prints progress. One instance runs once.
 */
final class SipEdgeSimulator
{
    /** The address the simulated SIP edge reports as every request's source. */
    static final String SOURCE_IP = "127.0.0.1";

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON = "application/json";
    private static final String USER_AGENT = "edgeplane-sip-sim";

    /**
     * What one run does.
     *
     * @param baseUrl        control-plane base URL without a trailing slash, e.g. {@code http://127.0.0.1:3000}.
     * @param ratePerSecond  calls started per second.
     * @param duration       how long calls are started for.
     * @param steps          most {@code /flow} steps per call after the start.
     * @param concurrency    most calls in flight.
     * @param adminToken     sent as {@code x-admin-token} when not null.
     * @param requestTimeout timeout of one HTTP exchange.
     * @param progress       where the live progress line goes (stderr).
     * @param out            where the summary goes (stdout).
     */
    record Settings(String baseUrl, double ratePerSecond, Duration duration, int steps, int concurrency,
                    String adminToken, Duration requestTimeout, PrintStream progress, PrintStream out)
    {
    }

    /**
     * One HTTP exchange's result; never an exception.
     *
     * @param status HTTP status, 0 when there was no answer.
     * @param body   the body, empty when there was no answer.
     */
    private record Answer(int status, byte[] body)
    {
        boolean ok()
        {
            return status >= 200 && status < 300;
        }
    }

    /**
     * The outcome a media engine reports after a command.
     *
     * @param outcome the {@code outcome} of the step, e.g. {@code digit:1}.
     * @param digits  the digits collected, or null.
     */
    record FlowOutcome(String outcome, String digits)
    {
    }

    private final Settings settings;
    private final CallDirectory directory;
    private final OpenLoopSchedule schedule;
    private final HttpClient client;
    private final ExecutorService httpExecutor;
    private final Semaphore permits;

    private final EndpointStats auth = new EndpointStats("POST /auth");
    private final EndpointStats presenceRegister = new EndpointStats("POST /presence/event register");
    private final EndpointStats route = new EndpointStats("POST /route");
    private final EndpointStats flowStart = new EndpointStats("POST /flow start");
    private final EndpointStats flowStep = new EndpointStats("POST /flow step");
    private final EndpointStats presenceDialog = new EndpointStats("POST /presence/event dialog");
    private final EndpointStats callSetup = new EndpointStats("call setup (intended start to /route answer)");
    private final List<EndpointStats> allStats =
        List.of(auth, presenceRegister, route, flowStart, flowStep, presenceDialog, callSetup);

    private final AtomicLong callsStarted = new AtomicLong();
    private final AtomicLong callsCompleted = new AtomicLong();
    private final AtomicLong callsFailed = new AtomicLong();
    private final AtomicLong callsNotStarted = new AtomicLong();
    private final AtomicLong lateStarts = new AtomicLong();
    private final AtomicLong maxLatenessNanos = new AtomicLong();
    private final AtomicLong registrationsOk = new AtomicLong();
    private final AtomicLong registrationsFailed = new AtomicLong();
    private final Map<String, LongAdder> actions = new ConcurrentHashMap<>();

    private volatile long runStartNanos;
    private long lastTickNanos;
    private long lastTickStarted;

    /**
     * @param settings  what to do.
     * @param directory the devices and DIDs to use; needs at least one device or one DID.
     * @throws IllegalArgumentException if the directory has nothing to call with, or a setting is out of range.
     */
    SipEdgeSimulator(final Settings settings, final CallDirectory directory)
    {
        if (directory.devices().isEmpty() && directory.dids().isEmpty())
        {
            throw new IllegalArgumentException("the configuration has neither enabled devices nor DIDs");
        }
        if (settings.steps() < 0)
        {
            throw new IllegalArgumentException("steps must not be negative");
        }
        if (settings.concurrency() < 1)
        {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.settings = settings;
        this.directory = directory;
        this.schedule = new OpenLoopSchedule(
            settings.ratePerSecond(), settings.duration().toNanos(), OpenLoopSchedule.DEFAULT_LATE_TOLERANCE_NANOS);
        this.httpExecutor = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), daemonThreads("sip-sim-http"));
        this.client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.requestTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(httpExecutor)
            .build();
        this.permits = new Semaphore(settings.concurrency());
    }

    /**
     * Register, run the call schedule, wait for in-flight calls, print the summary.
     *
     * @return 0 if every registration and call succeeded, 1 otherwise.
     * @throws InterruptedException if the calling thread is interrupted.
     */
    int run() throws InterruptedException
    {
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(daemonThreads("sip-sim-report"));
        try
        {
            runStartNanos = System.nanoTime();
            lastTickNanos = runStartNanos;
            reporter.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);

            final long registrationDeadline = runStartNanos + schedule.durationNanos();
            registerAll(registrationDeadline);
            if (!directory.devices().isEmpty() && registrationsOk.get() == 0)
            {
                settings.progress().println();
                settings.progress().println("sip-sim: no device could register; not starting calls");
            }
            else
            {
                runCalls();
            }
        }
        finally
        {
            reporter.shutdownNow();
            reporter.awaitTermination(5, TimeUnit.SECONDS);
            httpExecutor.shutdownNow();
        }
        for (final EndpointStats stats : allStats)
        {
            stats.sample();
        }
        settings.progress().println();
        printSummary(settings.out());
        final boolean clean = callsFailed.get() == 0 && callsNotStarted.get() == 0 && registrationsFailed.get() == 0
            && callsCompleted.get() == callsStarted.get();
        return clean ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------------------ registration

    private void registerAll(final long deadlineNanos) throws InterruptedException
    {
        final List<CallDirectory.Device> devices = directory.devices();
        for (int i = 0; i < devices.size(); i++)
        {
            final long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0 || !permits.tryAcquire(remaining, TimeUnit.NANOSECONDS))
            {
                // Out of time: the devices not yet started count as failed registrations.
                registrationsFailed.addAndGet(devices.size() - i);
                break;
            }
            register(devices.get(i)).whenComplete((ok, error) ->
            {
                if (Boolean.TRUE.equals(ok))
                {
                    registrationsOk.incrementAndGet();
                }
                else
                {
                    registrationsFailed.incrementAndGet();
                }
                permits.release();
            });
        }
        // Each registration is two requests, each bounded by the request timeout.
        final long drainDeadline = System.nanoTime() + 2 * settings.requestTimeout().toNanos() + 1_000_000_000L;
        while (permits.availablePermits() < settings.concurrency() && System.nanoTime() < drainDeadline)
        {
            Thread.sleep(5);
        }
    }

    private CompletableFuture<Boolean> register(final CallDirectory.Device device)
    {
        final DigestCredentials credentials = DigestCredentials.of(
            device, "REGISTER", "sip:" + device.domain(), randomHex(32), randomHex(16));
        return post(auth, "/auth", FORM, form(credentials.authForm(SOURCE_IP)))
            .thenCompose(answer ->
            {
                if (!answer.ok())
                {
                    return CompletableFuture.completedFuture(false);
                }
                final Map<?, ?> verdict = parseObject(answer.body());
                if (verdict == null)
                {
                    auth.recordError("bad body", -1);
                    return CompletableFuture.completedFuture(false);
                }
                if (!"ok".equals(verdict.get("status")))
                {
                    auth.recordError("status " + verdict.get("status") + ": " + verdict.get("message"), -1);
                    return CompletableFuture.completedFuture(false);
                }
                final Map<String, String> presence = new LinkedHashMap<>();
                presence.put("type", "register");
                presence.put("domain", device.domain());
                presence.put("user", device.username());
                presence.put("contact", "sip:" + device.username() + "@" + SOURCE_IP + ":5060");
                presence.put("expires", "3600");
                presence.put("sourceIp", SOURCE_IP);
                presence.put("userAgent", USER_AGENT);
                return post(presenceRegister, "/presence/event", FORM, form(presence)).thenApply(Answer::ok);
            })
            .exceptionally(error -> false);
    }

    // ------------------------------------------------------------------------------------------------ calls

    private void runCalls() throws InterruptedException
    {
        final long start = System.nanoTime();
        final long end = start + schedule.durationNanos();
        final long total = schedule.totalCalls();
        for (long index = 0; index < total; index++)
        {
            final long intended = start + schedule.offsetNanos(index);
            waitUntil(intended);
            if (!permits.tryAcquire())
            {
                // Concurrency cap reached: wait for a slot (the start will count as late); the schedule itself does
                // not move, so the calls behind this one catch up as slots free.
                final long remaining = end - System.nanoTime();
                if (remaining <= 0 || !permits.tryAcquire(remaining, TimeUnit.NANOSECONDS))
                {
                    callsNotStarted.addAndGet(total - index);
                    break;
                }
            }
            final long now = System.nanoTime();
            if (schedule.isLate(intended, now))
            {
                lateStarts.incrementAndGet();
                maxLatenessNanos.accumulateAndGet(OpenLoopSchedule.lateness(intended, now), Math::max);
            }
            callsStarted.incrementAndGet();
            call(index, intended).whenComplete((ok, error) ->
            {
                if (!Boolean.TRUE.equals(ok))
                {
                    callsFailed.incrementAndGet();
                }
                callsCompleted.incrementAndGet();
                permits.release();
            });
        }

        // A call is at most steps + 3 requests (route, flow start, steps, presence), each bounded by the timeout.
        final long drainDeadline = System.nanoTime()
            + (settings.steps() + 3L) * settings.requestTimeout().toNanos() + 1_000_000_000L;
        while (callsCompleted.get() < callsStarted.get() && System.nanoTime() < drainDeadline)
        {
            Thread.sleep(5);
        }
    }

    private static void waitUntil(final long deadlineNanos)
    {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remaining);
        }
    }

    private CompletableFuture<Boolean> call(final long index, final long intendedNanos)
    {
        final String callId = "sim-" + randomHex(24);
        final Map<String, String> request = routeRequest(callId, index);
        return post(route, "/route", FORM, form(request))
            .thenCompose(answer ->
            {
                callSetup.record((System.nanoTime() - intendedNanos) / 1000);
                if (!answer.ok())
                {
                    return CompletableFuture.completedFuture(false);
                }
                final Map<?, ?> body = parseObject(answer.body());
                final Object rtjson = body == null ? null : body.get("rtjson");
                if (!(rtjson instanceof Map))
                {
                    route.recordError("bad body", -1);
                    return CompletableFuture.completedFuture(false);
                }
                final Map<?, ?> decision = (Map<?, ?>)rtjson;
                final Object action = decision.get("action");
                final String label = "reject".equals(action) ? "reject " + decision.get("code") : String.valueOf(action);
                actions.computeIfAbsent(label, k -> new LongAdder()).increment();
                if ("flow".equals(action))
                {
                    return flow(callId, decision);
                }
                return CompletableFuture.completedFuture(
                    "proxy".equals(action) || "outbound".equals(action) || "reject".equals(action));
            })
            .exceptionally(error -> false)
            .thenCompose(ok ->
            {
                final Map<String, String> presence = new LinkedHashMap<>();
                presence.put("type", "dialog");
                presence.put("callId", callId);
                presence.put("state", "terminated");
                presence.put("cause", "normal");
                return post(presenceDialog, "/presence/event", FORM, form(presence))
                    .thenApply(answer -> ok && answer.ok());
            });
    }

    /**
     * The /route form of call {@code index}: even calls inbound when there are DIDs, odd ones outbound when there
     * are devices (all of one kind when the other is missing).
     */
    private Map<String, String> routeRequest(final String callId, final long index)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final boolean inbound = directory.devices().isEmpty() || (!directory.dids().isEmpty() && index % 2 == 0);
        final Map<String, String> request = new LinkedHashMap<>();
        request.put("callId", callId);
        if (inbound)
        {
            final CallDirectory.Did did = directory.dids().get(random.nextInt(directory.dids().size()));
            request.put("from", "+1415555" + fourDigits(random));
            request.put("fromDomain", "carrier.invalid");
            request.put("to", did.number());
            request.put("sourceIp", SOURCE_IP);
        }
        else
        {
            final CallDirectory.Device device = directory.devices().get(random.nextInt(directory.devices().size()));
            String to;
            do
            {
                to = "+1202555" + fourDigits(random);
            }
            while (directory.isDid(to));
            request.put("from", device.username());
            request.put("fromDomain", device.domain());
            request.put("to", to);
            request.put("sourceIp", SOURCE_IP);
            request.put("authUser", device.username());
        }
        return request;
    }

    private CompletableFuture<Boolean> flow(final String callId, final Map<?, ?> decision)
    {
        final Map<String, Object> start = new LinkedHashMap<>();
        start.put("callId", callId);
        start.put("accountId", decision.get("account_id"));
        start.put("flowId", decision.get("flow_id"));
        return post(flowStart, "/flow", JSON, Json.write(start))
            .thenCompose(answer -> afterFlowAnswer(callId, answer, flowStart, 0));
    }

    private CompletableFuture<Boolean> afterFlowAnswer(
        final String callId, final Answer answer, final EndpointStats stats, final int stepsDone)
    {
        if (!answer.ok())
        {
            return CompletableFuture.completedFuture(false);
        }
        final Map<?, ?> body = parseObject(answer.body());
        final Object command = body == null ? null : body.get("command");
        if (!(command instanceof Map) || !(((Map<?, ?>)command).get("type") instanceof String))
        {
            stats.recordError("bad body", -1);
            return CompletableFuture.completedFuture(false);
        }
        final Map<?, ?> cmd = (Map<?, ?>)command;
        if ("hangup".equals(cmd.get("type")) || stepsDone >= settings.steps())
        {
            return CompletableFuture.completedFuture(true);
        }
        final FlowOutcome outcome =
            outcomeAfter((String)cmd.get("type"), cmd.get("numDigits"), ThreadLocalRandom.current().nextInt(1 << 16));
        final Map<String, Object> step = new LinkedHashMap<>();
        step.put("callId", callId);
        step.put("outcome", outcome.outcome());
        final Map<String, Object> data = new LinkedHashMap<>();
        if (outcome.digits() != null)
        {
            data.put("digits", outcome.digits());
        }
        step.put("data", data);
        return post(flowStep, "/flow", JSON, Json.write(step))
            .thenCompose(next -> afterFlowAnswer(callId, next, flowStep, stepsDone + 1));
    }

    /**
     * What a media engine would report after running a command: a key press or a timeout after {@code gather}, a
     * poll while queued, {@code done} after anything else.
     *
     * @param commandType the command's {@code type}.
     * @param numDigits   the command's {@code numDigits} (a number, or null for 1).
     * @param roll        a random non-negative number choosing among the possible outcomes.
     * @return the outcome to send as the next step.
     */
    static FlowOutcome outcomeAfter(final String commandType, final Object numDigits, final int roll)
    {
        switch (commandType)
        {
            case "gather":
            {
                if (roll % 4 == 3)
                {
                    return new FlowOutcome("timeout", null);
                }
                final int count = numDigits instanceof Number
                    ? Math.max(1, Math.min(10, ((Number)numDigits).intValue()))
                    : 1;
                final StringBuilder digits = new StringBuilder(count);
                for (int i = 0; i < count; i++)
                {
                    digits.append((char)('1' + (roll + i) % 3));
                }
                return new FlowOutcome("digit:" + digits, digits.toString());
            }
            case "enqueue":
            case "noop":
                return new FlowOutcome("queue:poll", null);
            default:
                return new FlowOutcome("done", null);
        }
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    private CompletableFuture<Answer> post(
        final EndpointStats stats, final String path, final String contentType, final byte[] body)
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.baseUrl() + path))
            .timeout(settings.requestTimeout())
            .header("Content-Type", contentType)
            .header("User-Agent", USER_AGENT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (settings.adminToken() != null)
        {
            builder.header("x-admin-token", settings.adminToken());
        }
        final long sent = System.nanoTime();
        return client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
            .handle((response, error) ->
            {
                final long micros = (System.nanoTime() - sent) / 1000;
                if (error != null)
                {
                    stats.recordError(errorKind(error), -1);
                    return new Answer(0, new byte[0]);
                }
                final int status = response.statusCode();
                if (status < 200 || status >= 300)
                {
                    stats.recordError(String.valueOf(status), micros);
                }
                else
                {
                    stats.record(micros);
                }
                return new Answer(status, response.body());
            });
    }

    private static String errorKind(final Throwable error)
    {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        if (cause instanceof HttpTimeoutException)
        {
            return "timeout";
        }
        if (cause instanceof ConnectException)
        {
            return "connect refused";
        }
        if (cause instanceof IOException)
        {
            return "io";
        }
        return cause.getClass().getSimpleName();
    }

    private static byte[] form(final Map<String, String> fields)
    {
        final StringBuilder sb = new StringBuilder(128);
        for (final Map.Entry<String, String> field : fields.entrySet())
        {
            if (sb.length() > 0)
            {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<?, ?> parseObject(final byte[] body)
    {
        try
        {
            final Object value = Json.parse(body, 0, body.length);
            return value instanceof Map ? (Map<?, ?>)value : null;
        }
        catch (final DecodeException ex)
        {
            return null;
        }
    }

    private static String randomHex(final int length)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final char[] hex = new char[length];
        for (int i = 0; i < length; i++)
        {
            hex[i] = Character.forDigit(random.nextInt(16), 16);
        }
        return new String(hex);
    }

    private static String fourDigits(final ThreadLocalRandom random)
    {
        return String.format(Locale.ROOT, "%04d", random.nextInt(10_000));
    }

    private static ThreadFactory daemonThreads(final String name)
    {
        final AtomicInteger n = new AtomicInteger();
        return runnable ->
        {
            final Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    // ------------------------------------------------------------------------------------------------ reporting

    /** Reporter thread, once per second. */
    private void tick()
    {
        try
        {
            for (final EndpointStats stats : allStats)
            {
                stats.sample();
            }
            final long now = System.nanoTime();
            final long started = callsStarted.get();
            final double rate = (started - lastTickStarted) / ((now - lastTickNanos) / 1e9);
            lastTickStarted = started;
            lastTickNanos = now;
            final long completed = callsCompleted.get();
            // /route over the last second shows the server as it is now; /auth only runs at the start, so its
            // figures are for the whole run.
            final String line = String.format(Locale.ROOT,
                "\r[%4ds] calls %d started %d done %d failed | %.1f/s | in-flight %d | late %d"
                    + " | /route p50 %s p99 %s ms (last 1 s) | /auth p50 %.2f p99 %.2f ms   ",
                (now - runStartNanos) / 1_000_000_000L, started, completed, callsFailed.get(), rate,
                started - completed, lateStarts.get(),
                orDash(route.lastIntervalPercentileMillis(50)), orDash(route.lastIntervalPercentileMillis(99)),
                auth.percentileMillis(50), auth.percentileMillis(99));
            settings.progress().print(line);
            settings.progress().flush();
        }
        catch (final RuntimeException ex)
        {
            // A reporting glitch must not cancel the periodic task (and with it all later progress lines).
            settings.progress().print("\rprogress unavailable: " + ex);
        }
    }

    private void printSummary(final PrintStream out)
    {
        final double seconds = settings.duration().toNanos() / 1e9;
        out.printf(Locale.ROOT, "sip-sim against %s: %.1f calls/s for %.1f s (%d scheduled), %d flow steps max,"
                + " concurrency %d%n",
            settings.baseUrl(), settings.ratePerSecond(), seconds, schedule.totalCalls(), settings.steps(),
            settings.concurrency());
        out.printf(Locale.ROOT, "registrations: %d ok, %d failed (of %d devices)%n",
            registrationsOk.get(), registrationsFailed.get(), directory.devices().size());
        out.printf(Locale.ROOT, "calls: %d started, %d completed, %d failed, %d not started (concurrency cap),"
                + " %d late starts (max %.1f ms late)%n",
            callsStarted.get(), callsCompleted.get(), callsFailed.get(), callsNotStarted.get(), lateStarts.get(),
            maxLatenessNanos.get() / 1e6);
        final Map<String, Long> byAction = new TreeMap<>();
        actions.forEach((action, n) -> byAction.put(action, n.sum()));
        out.println("route decisions: " + (byAction.isEmpty() ? "none" : byAction.toString()));
        out.println();
        out.print(summaryTable(allStats));
    }

    /**
     * @param rows endpoints, sampled.
     * @return a fixed-width table: count, errors by kind, p50/p90/p99/p99.9/max in milliseconds.
     */
    static String summaryTable(final List<EndpointStats> rows)
    {
        final List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"endpoint", "count", "errors", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"});
        for (final EndpointStats stats : rows)
        {
            final Map<String, Long> errors = stats.errors();
            final StringBuilder errorText = new StringBuilder();
            errors.forEach((kind, n) ->
            {
                if (errorText.length() > 0)
                {
                    errorText.append(", ");
                }
                errorText.append(kind).append(" x").append(n);
            });
            cells.add(new String[] {
                stats.name(),
                Long.toString(stats.count()),
                errorText.length() == 0 ? "-" : errorText.toString(),
                millis(stats.percentileMillis(50)),
                millis(stats.percentileMillis(90)),
                millis(stats.percentileMillis(99)),
                millis(stats.percentileMillis(99.9)),
                millis(stats.maxMillis())});
        }
        final int columns = cells.get(0).length;
        final int[] width = new int[columns];
        for (final String[] row : cells)
        {
            for (int c = 0; c < columns; c++)
            {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        final StringBuilder table = new StringBuilder();
        for (final String[] row : cells)
        {
            for (int c = 0; c < columns; c++)
            {
                // Text columns left-aligned, numbers right-aligned.
                final String format = c == 0 || c == 2 ? "%-" + width[c] + "s" : "%" + width[c] + "s";
                table.append(String.format(Locale.ROOT, format, row[c]));
                table.append(c == columns - 1 ? System.lineSeparator() : "  ");
            }
        }
        return table.toString();
    }

    private static String orDash(final double millis)
    {
        return Double.isNaN(millis) ? "-" : millis(millis);
    }

    private static String millis(final double value)
    {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
