package dev.edgeplane.tools;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import javax.sql.DataSource;

import dev.edgeplane.codec.Json;
import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.services.FakeProviders;
import dev.edgeplane.services.ServicesDatabase;
import dev.edgeplane.services.ServicesReconciler;
import dev.edgeplane.services.ServicesSchema;
import dev.edgeplane.services.ServicesSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane services …}: operator commands of the services API (seed 002).
 * <ul>
 *   <li>{@code migrate [--drop]}: creates or upgrades {@code instance_infra} / {@code instance_services} (and the saga
 *   log) in {@code SERVICE_DATABASE_URL}, or the server's own database when unset; {@code --drop} then drops the
 *   seed's legacy columns there and, when {@code POOL_DATABASE_URL} is set, in the pool database. Idempotent.</li>
 *   <li>{@code reconcile}: compares the rows with what the providers report; exit 1 when anything does not match.</li>
 *   <li>{@code fake-providers}: loopback servers answering like Railway, OpenRouter, AgentMail and Telnyx, for
 *   development; prints the settings that point the server at them.</li>
 * </ul>
 */
@Command(name = "services", mixinStandardHelpOptions = true,
    description = "Services API operations: migrate [--drop], reconcile, fake-providers.",
    subcommands = {ServicesCommand.Migrate.class, ServicesCommand.Reconcile.class, ServicesCommand.Fakes.class})
final class ServicesCommand
{
    /** The services database as the server would use it, and what to close afterwards. */
    private record Opened(DataSource dataSource, String where, AutoCloseable closer)
    {
    }

    private static Opened open(final Map<String, String> env, final String dataDir)
    {
        final String url = ServicesSettings.from(env).serviceDatabaseUrl();
        if (url != null)
        {
            final ServicesDatabase db = ServicesDatabase.open(url, "services-cli");
            return new Opened(db.dataSource(), db.redactedUrl(), db);
        }
        final Path dir = Path.of(dataDir != null ? dataDir : env.getOrDefault(EdgeSettings.DATA_DIR, EdgeSettings.DATA_DIR_DEFAULT));
        final Database db = Database.open(DatabaseSettings.fromEnvironment(env, dir));
        return new Opened(db.dataSource(), db.settings().redactedUrl(), db);
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Create or upgrade the services tables; with --drop also drop the seed's legacy columns.")
    static final class Migrate implements Callable<Integer>
    {
        @Option(names = "--drop", description = "Drop the legacy columns (services DB instance_infra; pool DB instances when "
            + "POOL_DATABASE_URL is set).")
        boolean drop;

        @Option(names = "--data-dir", description = "Data directory of the embedded database (when neither "
            + "SERVICE_DATABASE_URL nor DATABASE_URL is set; not while a server runs on it).")
        String dataDir;

        @Override
        public Integer call() throws Exception
        {
            final Map<String, String> env = System.getenv();
            final Opened db = open(env, dataDir);
            try (AutoCloseable closer = db.closer())
            {
                final int applied = ServicesSchema.migrate(db.dataSource());
                System.out.println("services schema up to date in " + db.where() + " (" + applied + " migration(s) applied now)");
                if (drop)
                {
                    final String poolUrl = ServicesSettings.from(env).poolDatabaseUrl();
                    final ServicesDatabase pool = poolUrl == null ? null : ServicesDatabase.open(poolUrl, "pool-cli");
                    try
                    {
                        final List<String> dropped = ServicesSchema.dropLegacy(db.dataSource(), pool == null ? null : pool.dataSource());
                        System.out.println(dropped.isEmpty() ? "no legacy columns left" : "dropped " + String.join(", ", dropped));
                        if (pool == null)
                        {
                            System.out.println("POOL_DATABASE_URL is not set: the pool database was left alone");
                        }
                    }
                    finally
                    {
                        if (pool != null)
                        {
                            pool.close();
                        }
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = "List provider resources no row records (orphans) and rows whose resources are gone (missing); exit 1 if any.")
    static final class Reconcile implements Callable<Integer>
    {
        @Option(names = "--data-dir", description = "Data directory of the embedded database (see migrate).")
        String dataDir;

        @Override
        public Integer call() throws Exception
        {
            final Map<String, String> env = System.getenv();
            final Opened db = open(env, dataDir);
            try (AutoCloseable closer = db.closer())
            {
                ServicesSchema.migrate(db.dataSource());
                final Map<String, Object> report = ServicesReconciler.run(env, db.dataSource());
                System.out.println(new String(Json.write(report), java.nio.charset.StandardCharsets.UTF_8));
                return Boolean.TRUE.equals(report.get("clean")) ? 0 : 1;
            }
        }
    }

    @Command(name = "fake-providers", mixinStandardHelpOptions = true,
        description = "Serve loopback fakes of Railway, OpenRouter, AgentMail and Telnyx until Ctrl-C (development only).")
    static final class Fakes implements Callable<Integer>
    {
        @Option(names = "--port", defaultValue = "4010", description = "Loopback port (default ${DEFAULT-VALUE}; 0 = any).")
        int port;

        @Override
        public Integer call() throws Exception
        {
            final FakeProviders fakes = FakeProviders.start(port);
            final CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                fakes.close();
                stopped.countDown();
            }, "fake-providers-stop"));
            System.out.println("# fake providers on 127.0.0.1:" + fakes.port() + " (any bearer token is accepted); for the server:");
            fakes.settings().forEach((k, v) -> System.out.println("export " + k + "=" + v));
            System.out.println("export " + ServicesSettings.RAILWAY_PROJECT_ID + "=" + FakeProviders.PROJECT_ID);
            System.out.println("export " + ServicesSettings.RAILWAY_ENVIRONMENT_NAME + "=production");
            for (final String token : List.of(ServicesSettings.RAILWAY_API_TOKEN, ServicesSettings.OPENROUTER_MANAGEMENT_KEY,
                ServicesSettings.AGENTMAIL_API_KEY, ServicesSettings.TELNYX_API_KEY))
            {
                System.out.println("export " + token + "=fake");
            }
            System.out.flush();
            stopped.await();
            return 0;
        }
    }
}
