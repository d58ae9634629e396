package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code edgeplane config apply|export} against a real server on loopback. */
class ConfigCommandTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldApplyTheDemoConfigurationAndExportItWithoutPasswords() throws Exception
    {
        try (EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("config_cli"),
            Map.of("ADMIN_TOKEN", "cli-token")))
        {
            final String url = "http://127.0.0.1:" + server.port(SurfaceKind.CONTROL_PLANE);
            final Path demo = Path.of("..", "examples", "demo-config.json");
            assertTrue(Files.isRegularFile(demo), "the demo configuration ships with the repository");

            final Run apply = run("config", "--url", url, "--admin-token", "cli-token", "apply", demo.toString());
            assertEquals(0, apply.exit, apply.err);
            assertTrue(apply.out.contains("\"applied\""), apply.out);

            final Run export = run("config", "--url", url, "--admin-token", "cli-token", "export", "acc_01jf18ah3jeb5w6dfp27sgjsbt");
            assertEquals(0, export.exit, export.err);
            assertTrue(export.out.contains("\"domain\":\"acme.sip.io\""), export.out);
            assertFalse(export.out.contains("s3cret"), "passwords are never exported");

            final Path bad = dataDir.resolve("bad.json");
            Files.writeString(bad, "{\"accounts\":[{\"id\":\"nope\"}]}");
            final Run refused = run("config", "--url", url, "--admin-token", "cli-token", "apply", bad.toString());
            assertEquals(1, refused.exit);
            assertTrue(refused.err.contains("accounts[0].id"), refused.err);

            final Run wrongToken = run("config", "--url", url, "--admin-token", "nope", "export", "acc_01jf18ah3jeb5w6dfp27sgjsbt");
            assertEquals(1, wrongToken.exit);
            assertTrue(wrongToken.err.startsWith("HTTP 401"), wrongToken.err);
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
