package dev.edgeplane.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import dev.edgeplane.Edgeplane;
import dev.edgeplane.controlplane.flow.FlowSession;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.StateSettings;

/**
 * Scale run (issue 4, "1 M live sessions"): fills the server's own off-heap stores with N live calls,
 * N flow sessions and N registrations under a data directory, then starts the real server on it
 * (embedded PostgreSQL, every surface) and reports the time to serve again, heap after GC, RSS and
 * the off-heap file sizes. Run it with the heap cap under test, e.g.
 * {@code java @perf-config/jvm/chronicle.options -Xmx256m -cp bench/target/benchmarks.jar dev.edgeplane.bench.ScaleRun 1000000}.
 *
 * <p>Not a test: it prints measurements for {@code bench/RESULTS.md}.
 */
public final class ScaleRun
{
    private static final String ACCOUNT = "acc_01jf18ah3jeb5w6dfp27sgjsbt";

    private ScaleRun()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        StateSettings.disableChronicleAnalytics();
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("edgeplane-scale");
        final Map<String, String> env = new HashMap<>(System.getenv());
        env.put(EdgeSettings.DATA_DIR, dir.toString());
        env.put(EdgeSettings.BIND_ADDRESS, "127.0.0.1");
        env.put("EDGEPLANE_SEED_CONFIG", Path.of("examples", "demo-config.json").toAbsolutePath().toString());
        env.put(EdgeSettings.WARMUP_S, "0"); // start-up times here are recovery times
        final EdgeSettings settings = EdgeSettings.from(env);

        // 1. First start: creates the PostgreSQL cluster, runs migrations, seeds the demo account.
        long t = System.nanoTime();
        EdgeServer.start(settings, Edgeplane.surfaces()).close();
        System.out.printf(Locale.ROOT, "first start + stop (initdb, migrations, seed): %d ms%n", ms(t));

        // 2. Fill the stores as N live calls would leave them.
        t = System.nanoTime();
        final Path state = dir.resolve("state");
        final long now = System.currentTimeMillis();
        try (OffHeapStore<CallEntry> calls = OffHeapStore.open(CallEntry.STORE, state);
             OffHeapStore<FlowSession> sessions = OffHeapStore.open(FlowSession.STORE, state);
             OffHeapStore<Registration> registrations = OffHeapStore.open(Registration.STORE, state))
        {
            final CallEntry call = new CallEntry();
            call.accountId = ACCOUNT;
            call.direction = CallEntry.INBOUND;
            call.state = CallEntry.CONFIRMED;
            call.admitted = false; // the demo account allows 10 channels; only the first 10 hold one
            call.from = "14155551234";
            call.to = "12025550123";
            call.decision = ("{\"rtjson\":{\"action\":\"flow\",\"account_id\":\"" + ACCOUNT
                + "\",\"flow_id\":\"flow_01jzqwjn803wtnhc445bvjenzc\",\"vars\":{\"caller_cid\":\"14155551234\",\"did\":\"12025550123\"}}}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            final FlowSession session = new FlowSession();
            final Registration reg = new Registration();
            reg.accountId = ACCOUNT;
            reg.sourceIp = "203.0.113.7";
            reg.userAgent = "scale-run";
            for (int i = 0; i < n; i++)
            {
                final String callId = String.format(Locale.ROOT, "%016x@scale.example", i * 0x9E3779B97F4A7C15L);
                call.admitted = i < 10;
                call.createdAtMillis = now;
                call.lastSeenMillis = now;
                call.answeredAtMillis = now;
                calls.put(callId, call);
                session.reset().accountId(ACCOUNT).flowId("flow_01jzqwjn803wtnhc445bvjenzc").node("menu").step(3)
                    .startedAtMillis(now);
                session.putVar("caller_cid", "14155551234");
                session.putVar("digits", "1");
                sessions.put(callId, session);
                reg.contact = "sip:u" + i + "@203.0.113.7:5060";
                reg.registeredAtMillis = now;
                reg.expiresAtMillis = now + 3_600_000;
                registrations.put(Registration.key("u" + i, "scale" + (i % 100) + ".example"), reg);
            }
            System.out.printf(Locale.ROOT, "filled %,d calls, %,d flow sessions, %,d registrations in %d ms%n",
                calls.size(), sessions.size(), registrations.size(), ms(t));
        }
        try (Stream<Path> files = Files.list(state))
        {
            files.filter(p -> p.toString().endsWith(".cm")).sorted().forEach(p ->
                System.out.printf(Locale.ROOT, "  %-22s %,8d MiB on disk (sparse file, %,d MiB apparent)%n",
                    p.getFileName(), diskMiB(p), size(p) >> 20));
        }

        // 3. The timed restart: from start() to answering a /route.
        t = System.nanoTime();
        try (EdgeServer server = EdgeServer.start(settings, Edgeplane.surfaces()))
        {
            final long startMs = ms(t);
            final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.port(SurfaceKind.CONTROL_PLANE) + "/route"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("callId=scale-probe&from=1001&fromDomain=acme.sip.io&to=1002")).build(),
                HttpResponse.BodyHandlers.ofString());
            System.out.printf(Locale.ROOT, "restart with %,d sessions on disk: listening after %d ms, first /route answered after %d ms (HTTP %d)%n",
                n, startMs, ms(t), r.statusCode());
            final var cac = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.port(SurfaceKind.CONTROL_PLANE) + "/cac?accountId=" + ACCOUNT)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
            System.out.println("CAC after restart: " + cac.substring(0, Math.min(cac.length(), 60)) + "…");
            System.gc();
            final long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf(Locale.ROOT, "heap used after GC: %d MiB (max %d MiB); RSS: %d MiB%n", heap >> 20,
                Runtime.getRuntime().maxMemory() >> 20, rssKiB() >> 10);
        }
    }

    private static long ms(final long startNanos)
    {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static long size(final Path p)
    {
        try
        {
            return Files.size(p);
        }
        catch (final java.io.IOException e)
        {
            return -1;
        }
    }

    /** Allocated blocks (du), not the sparse file's apparent size. */
    private static long diskMiB(final Path p)
    {
        try
        {
            final Process du = new ProcessBuilder("du", "-k", p.toString()).start();
            final String out = new String(du.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            du.waitFor();
            return Long.parseLong(out.split("\\s+")[0]) >> 10;
        }
        catch (final Exception e)
        {
            return -1;
        }
    }

    private static long rssKiB() throws java.io.IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
