package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edgeplane load} against a real server on loopback, configured with the default {@code config generate}
 * document (100 accounts, 1000 devices, 1000 DIDs) applied through the admin API. Every open-loop run is 200 req/s for
 * 2 s after a 0.5 s warm-up, so the measured window holds exactly 400 intended send times; no timing is asserted.
 */
class LoadCommandTest
{
    private static final String TOKEN = "load-token";
    private static final int RATE = 200;
    private static final double DURATION_S = 2;
    private static final double WARMUP_S = 0.5;
    private static final long EXPECTED = 400;

    @TempDir
    static Path dir;

    private static EdgeServer server;
    private static int port;
    private static Path config;

    @BeforeAll
    static void startServerAndApplyTheGeneratedConfiguration() throws Exception
    {
        server = TestServers.start(dir.resolve("data"), TestPostgres.freshDatabaseUrl("load_cli"), Map.of("ADMIN_TOKEN", TOKEN));
        port = server.port(SurfaceKind.CONTROL_PLANE);
        final byte[] document = ConfigGenerateCommand.render(new ConfigGenerator.Options(100, 10, 10, 1, 1_000_000));
        config = dir.resolve("bench-config.json");
        Files.write(config, document);

        final HttpResponse<String> applied = TestServers.CLIENT.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/admin/config"))
            .timeout(Duration.ofSeconds(60)).header("x-admin-token", TOKEN).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(document)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, applied.statusCode(), applied.body());
        assertEquals(100, ((List<?>)TestServers.json(applied.body()).get("applied")).size());
    }

    @AfterAll
    static void stopServer()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldRouteAndTerminateEveryCallAtAFixedRate() throws Exception
    {
        final Path hdr = dir.resolve("route.hlog");
        final Run run = run(LoadScenario.Kind.ROUTE, RATE, 4, 1, 0, hdr);

        assertEquals(0, run.exit, run.out);
        assertEquals("open", run.json.get("mode"));
        assertEquals(EXPECTED, run.json.get("count"));
        assertEquals(0L, run.json.get("errors"));
        assertEquals(EXPECTED, endpoint(run, 0).get("count"));
        assertEquals("POST /presence/event dialog terminated", endpoint(run, 1).get("name"));
        assertEquals(EXPECTED, endpoint(run, 1).get("count"), "every routed call is terminated");
        final Map<?, ?> decisions = (Map<?, ?>)run.json.get("route_decisions");
        long decided = 0;
        for (final Object n : decisions.values())
        {
            decided += (Long)n;
        }
        assertEquals(EXPECTED, decided, decisions.toString());
        assertTrue(decisions.containsKey("flow") && decisions.containsKey("outbound"), decisions.toString());
        assertTrue(run.out.contains("POST /route"), run.out);

        long logged = 0;
        final HistogramLogReader reader = new HistogramLogReader(hdr.toFile());
        EncodableHistogram interval;
        while ((interval = reader.nextIntervalHistogram()) != null)
        {
            logged += ((org.HdrHistogram.Histogram)interval).getTotalCount();
        }
        assertEquals(EXPECTED, logged, "the interval log holds the measured /route answers");
    }

    @Test
    void shouldAuthenticateWithCorrectDigestsOverTwoEventLoops() throws Exception
    {
        final Run run = run(LoadScenario.Kind.AUTH, RATE, 4, 2, 0, null);

        assertEquals(0, run.exit, run.out);
        assertEquals(EXPECTED, run.json.get("count"));
        assertEquals(0L, run.json.get("errors"));
        assertEquals(0L, run.json.get("warmup_errors"));
    }

    @Test
    void shouldStartAndStepFlows() throws Exception
    {
        final Run run = run(LoadScenario.Kind.FLOW, RATE, 4, 1, 2, null);

        assertEquals(0, run.exit, run.out);
        assertEquals(EXPECTED, endpoint(run, 0).get("count"));
        // The generated flow: gather; timeout → gather again; digit:1 → hangup. Two steps per call.
        assertEquals(2 * EXPECTED, endpoint(run, 1).get("count"));
        assertEquals(0L, run.json.get("errors"));
    }

    @Test
    void shouldRegisterDevices() throws Exception
    {
        final Run run = run(LoadScenario.Kind.PRESENCE, RATE, 4, 1, 0, null);

        assertEquals(0, run.exit, run.out);
        assertEquals(EXPECTED, run.json.get("count"));
        assertEquals(0L, run.json.get("errors"));
    }

    @Test
    void shouldCompleteAClosedLoopRunAndReportItsThroughput() throws Exception
    {
        final Run run = run(LoadScenario.Kind.ROUTE, 0, 4, 1, 0, null);

        assertEquals(0, run.exit, run.out);
        assertEquals("closed", run.json.get("mode"));
        assertEquals(0.0, run.json.get("target_rate") instanceof Number n ? n.doubleValue() : -1);
        assertTrue((Long)run.json.get("count") > 0, run.out);
        assertEquals(run.json.get("count"), endpoint(run, 1).get("count"), "every routed call is terminated");
        assertEquals(0L, run.json.get("errors"));
    }

    private static Map<?, ?> endpoint(final Run run, final int index)
    {
        return (Map<?, ?>)((List<?>)run.json.get("endpoints")).get(index);
    }

    private record Run(int exit, String out, Map<?, ?> json)
    {
    }

    private static Run run(final LoadScenario.Kind kind, final double rate, final int connections, final int threads,
        final int steps, final Path hdrLog) throws Exception
    {
        final Path json = Files.createTempFile(dir, kind.optionName(), ".json");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final LoadGenerator.Settings settings = new LoadGenerator.Settings(kind, new InetSocketAddress("127.0.0.1", port),
            "http://127.0.0.1:" + port, "127.0.0.1:" + port, "", rate, (long)(DURATION_S * 1e9), (long)(WARMUP_S * 1e9),
            connections, threads, steps, null, 5_000_000_000L, "auto", hdrLog, json,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8));
        final int exit = new LoadGenerator(settings, CallDirectory.parse(Files.readAllBytes(config))).run();
        final byte[] summary = Files.readAllBytes(json);
        return new Run(exit, out.toString(StandardCharsets.UTF_8) + new String(summary, StandardCharsets.UTF_8),
            (Map<?, ?>)Json.parse(summary, 0, summary.length));
    }
}
