package dev.edgeplane.services;

import static dev.edgeplane.services.ServicesFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process dying in the middle of a create (simulated: an {@link Error} thrown at a saga point, which nothing
 * compensates, then the server closed), and the next start-up compensating from the saga log: no provider resource
 * is left behind, and a retried create makes exactly one of each.
 */
class CrashRecoveryTest
{
    /** What a kill looks like to the saga: the worker stops, nothing after this point runs. */
    static final class SimulatedCrash extends Error
    {
        private static final long serialVersionUID = 1L;

        SimulatedCrash()
        {
            super("simulated crash", null, false, false);
        }
    }

    @TempDir
    Path dir;
    FakeProviders fakes;

    @BeforeEach
    void start() throws Exception
    {
        fakes = FakeProviders.start(0);
    }

    @AfterEach
    void stop()
    {
        fakes.close();
    }

    @ParameterizedTest(name = "crash {0} {1}")
    @CsvSource({
        "after-call, railway.service",
        "after-step, railway.volume",
        "after-call, openrouter.key",
        "after-step, agentmail.inbox",
        "after-call, telnyx.number",
        "after-step, railway.variables"})
    void shouldCompensateAnInterruptedCreateAtStartUp(final String point, final String step) throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("services_crash");
        final SagaHooks crash = new SagaHooks()
        {
            @Override
            public void afterProviderCall(final String instanceId, final String s)
            {
                if ("after-call".equals(point) && step.equals(s))
                {
                    throw new SimulatedCrash(); // the provider made it; the log still says "started"
                }
            }

            @Override
            public void afterStep(final String instanceId, final String s)
            {
                if ("after-step".equals(point) && step.equals(s))
                {
                    throw new SimulatedCrash(); // between two steps
                }
            }
        };
        final String tools = "\"tools\":[\"openrouter\",\"agentmail\",\"telnyx\"]";
        try (ServicesFixture first = new ServicesFixture(dir, databaseUrl, fakes, Map.of(), crash))
        {
            assertError(first.create("crash1", tools), 500, "internal_error");
            assertFalse(fakes.live().isEmpty(), "the crash left provider resources behind");
            assertEquals(1, first.count("SELECT count(*) FROM service_sagas WHERE instance_id = 'crash1' AND state = 'running'"));
        }

        try (ServicesFixture second = new ServicesFixture(dir, databaseUrl, fakes, Map.of(), SagaHooks.NONE))
        {
            TestServers.await("start-up recovery", 15_000, () -> fakes.live().isEmpty()
                && second.count("SELECT count(*) FROM service_sagas WHERE instance_id = 'crash1' AND state = 'compensated'") == 1);
            assertEquals(0, second.count("SELECT count(*) FROM instance_infra"));

            final HttpResponse<String> r = second.create("crash1", tools);
            assertEquals(201, r.statusCode(), r.body());
            final List<String> live = fakes.live();
            for (final String kind : List.of("railway.service", "railway.volume", "openrouter.key", "agentmail.inbox", "telnyx.number"))
            {
                assertEquals(1, live.stream().filter(s -> s.startsWith(kind + ":")).count(), "exactly one " + kind + ": " + live);
            }
            assertTrue(second.count("SELECT count(*) FROM instance_services WHERE instance_id = 'crash1'") == 3);
        }
    }
}
