package dev.edgeplane.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.edgeplane.Edgeplane;
import dev.edgeplane.controlplane.ControlPlaneSettings;
import dev.edgeplane.server.EdgeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane serve}: runs the server with every surface. Configuration comes from the
 * environment (README, "Configuration"); the few options here override it for a quick local run.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the edge server (all surfaces; embedded PostgreSQL when DATABASE_URL is unset).")
final class ServeCommand implements Callable<Integer>
{
    private static final Path DEMO_CONFIG = Path.of("examples", "demo-config.json");

    @Option(names = "--data-dir", description = "Data directory (overrides EDGEPLANE_DATA_DIR).")
    String dataDir;

    @Option(names = "--surfaces", description = "Comma list of surfaces to serve (overrides EDGEPLANE_SURFACES).")
    String surfaces;

    @Option(names = "--seed-config", description = "Configuration document applied when the database has no account "
        + "yet (overrides EDGEPLANE_SEED_CONFIG; default: examples/demo-config.json when it exists).")
    String seedConfig;

    @Override
    public Integer call() throws InterruptedException
    {
        final Map<String, String> overrides = new HashMap<>();
        if (dataDir != null)
        {
            overrides.put(EdgeSettings.DATA_DIR, dataDir);
        }
        if (surfaces != null)
        {
            overrides.put(EdgeSettings.SURFACES, surfaces);
        }
        final EdgeSettings fromEnv = EdgeSettings.fromEnvironment();
        if (seedConfig != null)
        {
            overrides.put(ControlPlaneSettings.SEED_CONFIG, seedConfig);
        }
        else if (fromEnv.value(ControlPlaneSettings.SEED_CONFIG, null) == null && Files.isRegularFile(DEMO_CONFIG))
        {
            // A newcomer's first run: every endpoint can be curled at once against the demo account.
            overrides.put(ControlPlaneSettings.SEED_CONFIG, DEMO_CONFIG.toString());
        }
        Edgeplane.run(fromEnv.with(overrides));
        return 0;
    }
}
