package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code edgeplane load} against tools' own reference server, and its command line. */
class LoadGeneratorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDriveTheReferenceServerWithTheBareScenario() throws Exception
    {
        try (ReferenceServer reference = ReferenceServer.start(0, 1, "auto"))
        {
            final Path json = dir.resolve("bare.json");
            final Run run = command("load", "--scenario", "bare", "--url", "http://127.0.0.1:" + reference.port(),
                "--rate", "200", "--duration", "1", "--warmup", "0", "--connections", "4", "--json", json.toString());

            assertEquals(0, run.exit, run.err);
            final byte[] bytes = Files.readAllBytes(json);
            final Map<?, ?> summary = (Map<?, ?>)Json.parse(bytes, 0, bytes.length);
            assertEquals("bare", summary.get("scenario"));
            assertEquals(200L, summary.get("count"));
            assertEquals(0L, summary.get("errors"));
            final Map<?, ?> endpoint = (Map<?, ?>)((List<?>)summary.get("endpoints")).get(0);
            assertEquals("GET /", endpoint.get("name"));
            final Map<?, ?> latency = (Map<?, ?>)endpoint.get("latency_us");
            for (final String key : List.of("p50", "p90", "p99", "p99_9", "max"))
            {
                assertTrue(latency.get(key) instanceof Long, key + " in " + latency);
            }
            assertTrue(run.out.contains("p99.9 ms"), run.out);
            assertTrue(run.out.contains("200 GET / answered"), run.out);
        }
    }

    @Test
    void shouldSaturateTheReferenceServerInClosedLoop() throws Exception
    {
        try (ReferenceServer reference = ReferenceServer.start(0, 1, "auto"))
        {
            final Run run = command("load", "--scenario", "bare", "--url", "http://127.0.0.1:" + reference.port() + "/any",
                "--rate", "0", "--duration", "1", "--warmup", "0.2", "--connections", "4", "--threads", "2");

            assertEquals(0, run.exit, run.err);
            assertTrue(run.out.contains("closed loop"), run.out);
            assertTrue(run.out.contains("GET /any"), run.out);
        }
    }

    @Test
    void shouldCountAnswersOfTheWrongShapeAsErrorsAndExitWithOne() throws Exception
    {
        // The reference server answers 200 {"status":"ok"} to everything: no rtjson, so every /route is an error.
        final Path config = dir.resolve("config.json");
        Files.write(config, ConfigGenerateCommand.render(new ConfigGenerator.Options(1, 2, 2, 1, 10)));
        try (ReferenceServer reference = ReferenceServer.start(0, 1, "auto"))
        {
            final Path json = dir.resolve("route.json");
            final Run run = command("load", "--scenario", "route", "--url", "http://127.0.0.1:" + reference.port(),
                "--config", config.toString(), "--rate", "100", "--duration", "0.5", "--warmup", "0",
                "--connections", "2", "--json", json.toString());

            assertEquals(1, run.exit, run.out);
            final byte[] bytes = Files.readAllBytes(json);
            final Map<?, ?> summary = (Map<?, ?>)Json.parse(bytes, 0, bytes.length);
            assertEquals(50L, summary.get("errors"));
            assertEquals(Map.of("200 without rtjson", 50L), summary.get("errors_by_status"));
        }
    }

    @Test
    void shouldExitWithOneWhenTheServerCannotBeReached() throws Exception
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            closedPort = socket.getLocalPort();
        }
        final Run run = command("load", "--scenario", "bare", "--url", "http://127.0.0.1:" + closedPort,
            "--rate", "10", "--duration", "1", "--warmup", "0", "--connections", "1");

        assertEquals(1, run.exit);
        assertTrue(run.err.contains("cannot connect"), run.err);
    }

    @Test
    void shouldExitWithTwoOnBadOptions()
    {
        assertEquals(2, command("load", "--scenario", "nope").exit);
        assertEquals(2, command("load", "--rate", "-1").exit);
        assertEquals(2, command("load", "--connections", "2", "--threads", "3").exit);
        assertEquals(2, command("load", "--url", "https://127.0.0.1:3000").exit);
        assertEquals(2, command("load", "--duration", "0").exit);
        final Run missing = command("load", "--scenario", "route", "--config", dir.resolve("none.json").toString());
        assertEquals(2, missing.exit);
        assertTrue(missing.err.contains("not found"), missing.err);
    }

    @Test
    void shouldRefuseAConfigurationThatCannotFeedTheScenario() throws Exception
    {
        final Path config = dir.resolve("empty.json");
        Files.writeString(config, "{\"accounts\":[{\"id\":\"acc_1\",\"domain\":\"x.example\"}]}");
        final Run run = command("load", "--scenario", "flow", "--config", config.toString());

        assertEquals(2, run.exit);
        assertTrue(run.err.contains("no flow"), run.err);
    }

    private record Run(int exit, String out, String err)
    {
    }

    private static Run command(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            final int exit = new CommandLine(new EdgeplaneCommand()).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
