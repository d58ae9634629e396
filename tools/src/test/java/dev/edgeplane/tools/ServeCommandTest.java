package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.edgeplane.Edgeplane;
import dev.edgeplane.controlplane.ControlPlaneSettings;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code edgeplane serve} puts the demo configuration into the embedded database only: a {@code DATABASE_URL}
 * database (someone's real one) stays empty unless {@code --demo} asks for it.
 */
class ServeCommandTest
{
    private static final Path DEMO = Path.of("..", "examples", "demo-config.json");

    @TempDir
    Path dataDir;

    @Test
    void shouldNotApplyTheDemoConfigurationToADatabaseUrlDatabase()
    {
        final String url = TestPostgres.freshDatabaseUrl("serve_no_demo");
        final EdgeSettings settings = serve().settings(EdgeSettings.from(environment(url)), DEMO);
        assertNull(settings.value(ControlPlaneSettings.SEED_CONFIG, null));
        try (EdgeServer ignored = EdgeServer.start(settings, Edgeplane.surfaces()))
        {
            assertEquals(0, TestServers.count(url, "SELECT count(*) FROM accounts"), "a DATABASE_URL database gets no demo rows");
        }
    }

    @Test
    void shouldApplyTheDemoConfigurationToADatabaseUrlDatabaseWhenAsked()
    {
        final String url = TestPostgres.freshDatabaseUrl("serve_demo");
        final EdgeSettings settings = serve("--demo").settings(EdgeSettings.from(environment(url)), DEMO);
        try (EdgeServer ignored = EdgeServer.start(settings, Edgeplane.surfaces()))
        {
            assertEquals(1, TestServers.count(url, "SELECT count(*) FROM accounts WHERE domain = 'acme.sip.io'"));
        }
    }

    @Test
    void shouldApplyTheDemoConfigurationToTheEmbeddedDatabaseAndLeaveANamedSeedAlone()
    {
        assertTrue(Files.isRegularFile(DEMO), "the demo configuration ships with the repository");
        final Map<String, String> embedded = Map.of(EdgeSettings.DATA_DIR, dataDir.toString());
        assertEquals(DEMO.toString(),
            serve().settings(EdgeSettings.from(embedded), DEMO).value(ControlPlaneSettings.SEED_CONFIG, null));

        final Map<String, String> named = new HashMap<>(environment("postgres://db.example/x"));
        named.put(ControlPlaneSettings.SEED_CONFIG, "mine.json");
        assertEquals("mine.json",
            serve().settings(EdgeSettings.from(named), DEMO).value(ControlPlaneSettings.SEED_CONFIG, null));
        assertEquals("other.json", serve("--seed-config", "other.json")
            .settings(EdgeSettings.from(named), DEMO).value(ControlPlaneSettings.SEED_CONFIG, null));
    }

    private Map<String, String> environment(final String databaseUrl)
    {
        return TestServers.environment(dataDir, databaseUrl, Map.of(EdgeSettings.SURFACES, "control-plane"));
    }

    private static ServeCommand serve(final String... args)
    {
        final ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
