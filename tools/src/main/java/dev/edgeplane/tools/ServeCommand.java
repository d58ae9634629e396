package dev.edgeplane.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.edgeplane.Edgeplane;
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
    @Option(names = "--data-dir", description = "Data directory (overrides EDGEPLANE_DATA_DIR).")
    String dataDir;

    @Option(names = "--surfaces", description = "Comma list of surfaces to serve (overrides EDGEPLANE_SURFACES).")
    String surfaces;

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
        Edgeplane.run(EdgeSettings.fromEnvironment().with(overrides));
        return 0;
    }
}
