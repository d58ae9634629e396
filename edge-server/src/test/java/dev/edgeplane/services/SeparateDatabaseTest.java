package dev.edgeplane.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With {@code SERVICE_DATABASE_URL} set, the services tables and rows live there, not in the server's database. */
class SeparateDatabaseTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepTheServicesRowsInServiceDatabaseUrl() throws Exception
    {
        final String servicesDb = TestPostgres.freshDatabaseUrl("services_own");
        try (FakeProviders fakes = FakeProviders.start(0);
            ServicesFixture f = new ServicesFixture(dir, TestPostgres.freshDatabaseUrl("server_own"), fakes,
                Map.of(ServicesSettings.SERVICE_DATABASE_URL, servicesDb, ServicesSettings.RAILWAY_ENVIRONMENT_ID, "env-given"),
                SagaHooks.NONE))
        {
            final HttpResponse<String> r = f.create("sep1", null);
            assertEquals(201, r.statusCode(), r.body());
            assertEquals(1, TestServers.count(servicesDb, "SELECT count(*) FROM instance_infra WHERE instance_id = 'sep1' "
                + "AND provider_env_id = 'env-given'"), "RAILWAY_ENVIRONMENT_ID is used as given");
            assertEquals(2, TestServers.count(servicesDb, "SELECT count(*) FROM instance_services WHERE instance_id = 'sep1'"));
            assertEquals(0, f.count("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                + "('instance_infra', 'instance_services', 'service_sagas')"), "nothing of the services in the server's database");
            assertEquals(0, fakes.calls("railway.environments"), "no lookup when the id is given");
        }
    }
}
