package dev.edgeplane.services;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The services database schema: the Flyway migrations at {@value #LOCATION} with their own history table
 * {@value #HISTORY_TABLE} (so they can share the server's database, whose migrations keep theirs), and the seed's
 * {@code migrate --drop} of legacy columns.
 *
 * <p>Stateless and thread-safe. Blocking.
 */
public final class ServicesSchema
{
    public static final String LOCATION = "classpath:db/services";
    public static final String HISTORY_TABLE = "services_schema_history";

    /** Seed 002, "Migration: --drop": legacy columns of the services database's {@code instance_infra}. */
    public static final List<String> LEGACY_INFRA_COLUMNS = List.of("gateway_token", "setup_password", "wallet_key");
    /** ... and of the pool database's {@code instances}. */
    public static final List<String> LEGACY_POOL_COLUMNS = List.of("service_id", "deploy_status", "volume_id", "runtime_image",
        "openrouter_key_hash", "agentmail_inbox_id", "gateway_token", "source_branch");

    private ServicesSchema()
    {
    }

    /**
     * Creates or upgrades the services tables; idempotent.
     *
     * @return migrations applied now.
     */
    public static int migrate(final DataSource db)
    {
        return Flyway.configure()
            .dataSource(db)
            .locations(LOCATION)
            .table(HISTORY_TABLE)
            // The server's own database already holds other tables: start this history at 0 so V1 still runs.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate()
            .migrationsExecuted;
    }

    /**
     * Drops the seed's legacy columns ({@code IF EXISTS}: running it twice changes nothing).
     *
     * @param services the services database.
     * @param pool the pool database, or null when {@code POOL_DATABASE_URL} is unset.
     * @return the columns that existed and were dropped, as {@code table.column}.
     */
    public static List<String> dropLegacy(final DataSource services, final DataSource pool)
    {
        final List<String> dropped = new ArrayList<>(drop(services, "instance_infra", LEGACY_INFRA_COLUMNS));
        if (pool != null)
        {
            dropped.addAll(drop(pool, "instances", LEGACY_POOL_COLUMNS).stream().map(c -> "pool:" + c).toList());
        }
        return dropped;
    }

    private static List<String> drop(final DataSource db, final String table, final List<String> columns)
    {
        final List<String> present = new ArrayList<>();
        try (Connection c = db.getConnection())
        {
            try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns "
                + "WHERE table_schema = current_schema() AND table_name = ? AND column_name = ANY (?)"))
            {
                ps.setString(1, table);
                ps.setArray(2, c.createArrayOf("text", columns.toArray()));
                try (ResultSet rs = ps.executeQuery())
                {
                    while (rs.next())
                    {
                        present.add(table + "." + rs.getString(1));
                    }
                }
            }
            final StringBuilder sql = new StringBuilder("ALTER TABLE IF EXISTS ").append(table);
            for (int i = 0; i < columns.size(); i++)
            {
                sql.append(i == 0 ? " " : ", ").append("DROP COLUMN IF EXISTS ").append(columns.get(i));
            }
            try (Statement st = c.createStatement())
            {
                st.execute(sql.toString());
            }
            present.sort(null);
            return present;
        }
        catch (final SQLException e)
        {
            throw new IllegalStateException("dropping legacy columns of " + table + " failed: " + e.getMessage(), e);
        }
    }
}
