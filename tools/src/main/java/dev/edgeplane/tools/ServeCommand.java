package dev.edgeplane.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.edgeplane.Edgeplane;
import dev.edgeplane.controlplane.ControlPlaneSettings;
import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.server.EdgeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane serve}: runs the server with every surface. Configuration comes from the
 * environment (README, "Configuration"); the few options here override it for a quick local run.
 *
 * <p>The demo configuration ({@code examples/demo-config.json}) is applied to an empty embedded
 * database only: a {@code DATABASE_URL} database gets it only when asked ({@code --demo}, or
 * {@code EDGEPLANE_SEED_CONFIG} / {@code --seed-config} naming a document).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the edge server (all surfaces; embedded PostgreSQL when DATABASE_URL is unset).")
final class ServeCommand implements Callable<Integer>
{
    static final Path DEMO_CONFIG = Path.of("examples", "demo-config.json");

    @Option(names = "--data-dir", description = "Data directory (overrides EDGEPLANE_DATA_DIR).")
    String dataDir;

    @Option(names = "--surfaces", description = "Comma list of surfaces to serve (overrides EDGEPLANE_SURFACES).")
    String surfaces;

    @Option(names = "--seed-config", description = "Configuration document applied when the database has no account "
        + "yet (overrides EDGEPLANE_SEED_CONFIG; default: examples/demo-config.json on the embedded database).")
    String seedConfig;

    @Option(names = "--demo", description = "Apply examples/demo-config.json to an empty DATABASE_URL database too "
        + "(without it, the demo configuration only ever goes into the embedded database).")
    boolean demo;

    @Override
    public Integer call() throws InterruptedException
    {
        Edgeplane.run(settings(EdgeSettings.fromEnvironment(), DEMO_CONFIG));
        return 0;
    }

    /**
     * @param fromEnv    the environment's settings.
     * @param demoConfig where the demo configuration document is.
     * @return the settings to serve with: the options applied, and the demo document as the seed configuration
     *         when none is named and the database is the embedded one (or {@code --demo} asks for it).
     */
    EdgeSettings settings(final EdgeSettings fromEnv, final Path demoConfig)
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
        if (seedConfig != null)
        {
            overrides.put(ControlPlaneSettings.SEED_CONFIG, seedConfig);
        }
        else if (fromEnv.value(ControlPlaneSettings.SEED_CONFIG, null) == null && Files.isRegularFile(demoConfig))
        {
            final String url = fromEnv.value(DatabaseSettings.DATABASE_URL_ENV, null);
            final boolean embedded = url == null || url.isBlank();
            if (embedded || demo)
            {
                // A newcomer's first run: every endpoint can be curled at once against the demo account.
                overrides.put(ControlPlaneSettings.SEED_CONFIG, demoConfig.toString());
            }
        }
        return fromEnv.with(overrides);
    }
}
