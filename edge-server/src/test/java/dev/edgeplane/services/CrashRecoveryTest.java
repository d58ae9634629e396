package dev.edgeplane.services;

import static dev.edgeplane.services.ServicesFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.server.TestServerMain;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process dying in the middle of a create, and the next start-up compensating from the saga log: no provider
 * resource is left behind, and a retried create makes exactly one of each. Simulated in-process at each saga point
 * (an {@link Error} thrown, which nothing compensates, then the server closed), and for real: a child server
 * SIGKILLed while its saga waits inside the AgentMail call.
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

    @Test
    void shouldCompensateACreateWhoseProcessWasKilledInTheMiddle() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("services_kill");
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        final Map<String, String> env = new HashMap<>(ServicesFixture.env(fakes, Map.of()));
        env.remove(EdgeSettings.SURFACES); // the child serves every surface, services on PORT
        env.put(EdgeSettings.DATA_DIR, dir.resolve("child").toString());
        env.put("DATABASE_URL", databaseUrl);
        env.put("PORT", Integer.toString(port));
        env.put(ServicesSettings.PROVIDER_TIMEOUT_MS, "60000");
        // The inbox is made at once, but its answer takes a minute: the saga sits inside agentmail.inbox when killed.
        fakes.slow("agentmail.createInbox", 60_000, 1);
        final TestServerMain.Child child = TestServerMain.startChild(env);
        try
        {
            TestServers.CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/create-instance"))
                .timeout(Duration.ofSeconds(90)).header("Authorization", "Bearer " + ServicesFixture.KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"instanceId\":\"killed1\"}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            TestServers.await("the saga to reach the inbox", 30_000, () -> fakes.calls("agentmail.createInbox") == 1
                && fakes.live().stream().anyMatch(s -> s.startsWith("agentmail.inbox")));
        }
        finally
        {
            child.kill();
        }
        assertEquals(4, fakes.live().size(), "service, volume, key and inbox outlived the process: " + fakes.live());
        fakes.clearFaults();

        try (ServicesFixture after = new ServicesFixture(dir.resolve("after"), databaseUrl, fakes, Map.of(), SagaHooks.NONE))
        {
            TestServers.await("start-up recovery", 15_000, () -> fakes.live().isEmpty()
                && after.count("SELECT count(*) FROM service_sagas WHERE instance_id = 'killed1' AND state = 'compensated'") == 1);
            final HttpResponse<String> r = after.create("killed1", null);
            assertEquals(201, r.statusCode(), r.body());
            assertEquals(4, fakes.live().size(), "exactly one of each after the retry: " + fakes.live());
        }
    }
}
