package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code edgeplane relay-client} walks login → start → health → active → stop against a real server on loopback. */
class RelayClientCommandTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldWalkTheWholeRelayLifeAgainstARunningServer() throws Exception
    {
        try (EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("relay_cli"), Map.of(
            "ADMIN_TOKEN", "cli-token", "EDGEPLANE_SURFACES", "relay", "RELAY_LOGIN_INTERVAL_S", "1")))
        {
            final String url = "http://127.0.0.1:" + server.port(SurfaceKind.RELAY);

            // Self-service: the user approves on the authorize form with their password.
            final Run user = run("relay-client", "--url", url, "--admin-token", "cli-token", "--create-user",
                "--email", "streamer@example.com", "--password", "correct horse battery");
            System.out.print(user.out); // the walk, in the test report
            assertEquals(0, user.exit, user.out + user.err);
            assertTrue(user.out.contains("approve through the authorize form"), user.out);
            assertTrue(user.out.contains(" active at "), user.out);
            assertTrue(user.out.contains(" grace until "), user.out);
            assertTrue(user.out.contains("every step succeeded"), user.out);

            // Operator-assisted: no password, the admin token approves.
            final Run operator = run("relay-client", "--url", url, "--admin-token", "cli-token", "--email",
                "streamer@example.com");
            assertEquals(0, operator.exit, operator.out + operator.err);
            assertTrue(operator.out.contains("operator approves the login"), operator.out);

            final Run refused = run("relay-client", "--url", url, "--admin-token", "wrong", "--email", "streamer@example.com");
            assertEquals(1, refused.exit);
            assertTrue(refused.err.contains("HTTP 401"), refused.err);
            assertEquals(2, run("relay-client", "--url", url, "--email", "x@example.com").exit);
        }
    }

    private record Run(int exit, String out, String err)
    {
    }

    private static Run run(final String... args)
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
