package dev.edgeplane.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/** The seed's tables exactly (read back from information_schema), idempotent migrations and {@code --drop}. */
class ServicesSchemaTest
{
    private static List<String> rows(final DataSource db, final String sql) throws SQLException
    {
        final List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql))
        {
            final int n = rs.getMetaData().getColumnCount();
            while (rs.next())
            {
                final StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++)
                {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private static void exec(final DataSource db, final String sql) throws SQLException
    {
        try (Connection c = db.getConnection(); Statement st = c.createStatement())
        {
            st.execute(sql);
        }
    }

    private static String columns(final String table)
    {
        return "SELECT column_name, data_type, coalesce(column_default, '') FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = '" + table + "' ORDER BY ordinal_position";
    }

    @Test
    void shouldCreateTheSeedTablesExactlyAndIdempotently() throws Exception
    {
        final DataSource db = TestPostgres.dataSource(TestPostgres.freshDatabase("services_schema"));
        assertEquals(1, ServicesSchema.migrate(db));
        assertEquals(0, ServicesSchema.migrate(db), "a second migrate changes nothing");

        assertEquals(List.of(
            "instance_id|text|", "provider|text|'railway'::text", "provider_service_id|text|", "provider_env_id|text|",
            "provider_project_id|text|", "url|text|", "deploy_status|text|", "runtime_image|text|", "volume_id|text|",
            "created_at|timestamp with time zone|now()", "updated_at|timestamp with time zone|now()"),
            rows(db, columns("instance_infra")));
        assertEquals(List.of(
            "id|integer|nextval('instance_services_id_seq'::regclass)", "instance_id|text|", "tool_id|text|", "resource_id|text|",
            "resource_meta|jsonb|", "env_key|text|", "env_value|text|", "status|text|'active'::text",
            "created_at|timestamp with time zone|now()"),
            rows(db, columns("instance_services")));

        final String keys = "SELECT tc.table_name, tc.constraint_type, string_agg(k.column_name, ',' ORDER BY k.ordinal_position) "
            + "FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k "
            + "ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name "
            + "WHERE tc.table_name IN ('instance_infra', 'instance_services') GROUP BY tc.table_name, tc.constraint_name, tc.constraint_type "
            + "ORDER BY 1, 2, 3";
        assertEquals(List.of(
            "instance_infra|PRIMARY KEY|instance_id", "instance_infra|UNIQUE|provider_service_id",
            "instance_services|FOREIGN KEY|instance_id", "instance_services|PRIMARY KEY|id", "instance_services|UNIQUE|instance_id,tool_id"),
            rows(db, keys));
        assertEquals(List.of("CASCADE"), rows(db, "SELECT delete_rule FROM information_schema.referential_constraints rc "
            + "JOIN information_schema.table_constraints tc ON tc.constraint_name = rc.constraint_name "
            + "WHERE tc.table_name = 'instance_services'"));

        exec(db, "INSERT INTO instance_infra (instance_id, provider_service_id) VALUES ('i1', 's1')");
        exec(db, "INSERT INTO instance_services (instance_id, tool_id) VALUES ('i1', 'openrouter')");
        assertEquals(List.of("railway|active"), rows(db, "SELECT i.provider, s.status FROM instance_infra i "
            + "JOIN instance_services s USING (instance_id)"));
        exec(db, "DELETE FROM instance_infra WHERE instance_id = 'i1'");
        assertEquals(List.of("0"), rows(db, "SELECT count(*) FROM instance_services"), "services rows cascade");
    }

    @Test
    void shouldDropTheLegacyColumnsInBothDatabasesIdempotently() throws Exception
    {
        final DataSource services = TestPostgres.dataSource(TestPostgres.freshDatabase("services_drop"));
        final DataSource pool = TestPostgres.dataSource(TestPostgres.freshDatabase("pool_drop"));
        ServicesSchema.migrate(services);
        exec(services, "ALTER TABLE instance_infra ADD COLUMN gateway_token text, ADD COLUMN setup_password text, ADD COLUMN wallet_key text");
        exec(pool, "CREATE TABLE instances (id text PRIMARY KEY, name text, service_id text, deploy_status text, volume_id text, "
            + "runtime_image text, openrouter_key_hash text, agentmail_inbox_id text, gateway_token text, source_branch text)");

        final List<String> dropped = ServicesSchema.dropLegacy(services, pool);
        assertEquals(3 + 8, dropped.size(), dropped.toString());
        assertTrue(dropped.contains("instance_infra.wallet_key") && dropped.contains("pool:instances.source_branch"), dropped.toString());
        assertEquals(List.of(), ServicesSchema.dropLegacy(services, pool), "a second run drops nothing and fails on nothing");
        assertEquals(List.of(), ServicesSchema.dropLegacy(services, null), "without POOL_DATABASE_URL only the services database");

        assertEquals(11, rows(services, columns("instance_infra")).size(), "the seed's columns are kept");
        assertEquals(List.of("id|text|", "name|text|"), rows(pool, columns("instances")));

        final DataSource emptyPool = TestPostgres.dataSource(TestPostgres.freshDatabase("pool_empty"));
        assertEquals(List.of(), ServicesSchema.dropLegacy(services, emptyPool), "a pool database without instances is fine");
    }
}
