package dev.edgeplane.services;

import static dev.edgeplane.services.ServicesFixture.assertError;
import static dev.edgeplane.services.ServicesFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * A failure injected at every step of the create saga: the answer is 502 naming the step, the completed steps are
 * undone, no provider resource and no row remain; and timeouts (the provider acted, the answer was lost) neither
 * leak nor duplicate.
 */
class CreateSagaFailureTest
{
    @TempDir
    static Path dir;
    static FakeProviders fakes;
    static ServicesFixture f;
    static ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception
    {
        fakes = FakeProviders.start(0);
        // Provider timeout 400 ms: a "slow" fault of 1200 ms is a lost answer.
        f = new ServicesFixture(dir, TestPostgres.freshDatabaseUrl("services_saga"), fakes,
            Map.of(ServicesSettings.PROVIDER_TIMEOUT_MS, "400"), SagaHooks.NONE);
        logs.start();
        ((Logger)LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterAll
    static void stop()
    {
        ((Logger)LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        f.close();
        fakes.close();
        for (final ILoggingEvent e : logs.list)
        {
            final String line = e.getFormattedMessage();
            for (final String secret : List.of(ServicesFixture.KEY, "railway-token-secret", "openrouter-management-secret",
                "agentmail-secret", "telnyx-secret", "sk-or-v1-", "pool-secret"))
            {
                assertFalse(line.contains(secret), "a log line holds a secret: " + line);
            }
        }
    }

    @AfterEach
    void clear()
    {
        fakes.clearFaults();
    }

    @ParameterizedTest(name = "{0} fails at {1}")
    @CsvSource({
        "railway.serviceCreate,          railway.service,   graphql, railway",
        "railway.volumeCreate,           railway.volume,    500,     railway",
        "openrouter.createKey,           openrouter.key,    400,     openrouter",
        "agentmail.createInbox,          agentmail.inbox,   503,     agentmail",
        "telnyx.order,                   telnyx.number,     422,     telnyx",
        "telnyx.search,                  telnyx.number,     graphql429, telnyx",
        "railway.serviceDomainCreate,    railway.domain,    graphql, railway",
        "railway.variableCollectionUpsert, railway.variables, 502,   railway",
        "railway.serviceInstanceDeploy,  railway.deploy,    graphql, railway"})
    void shouldUndoEveryCompletedStepWhenOneFails(final String op, final String step, final String fault, final String provider)
        throws Exception
    {
        final String id = "fail-" + op.replace('.', '-');
        switch (fault)
        {
            case "graphql" -> fakes.graphqlError(op, "Problem processing request", 10);
            case "graphql429" -> fakes.rateLimit(op, 60_000, false, 10); // a reset beyond SERVICES_PROVIDER_MAX_WAIT_MS
            default -> fakes.fail(op, Integer.parseInt(fault), 10);
        }
        final HttpResponse<String> r = f.create(id, "\"tools\":[\"openrouter\",\"agentmail\",\"telnyx\"]");
        final Map<String, Object> details = assertError(r, 502, "provider_error");
        assertEquals(step, details.get("step"), r.body());
        assertEquals(provider, details.get("provider"));
        assertEquals(true, details.get("compensated"));
        assertTrue(fakes.live().isEmpty(), "no orphan after a failure at " + step + ": " + fakes.live());
        assertEquals(0, f.count("SELECT count(*) FROM instance_infra WHERE instance_id = '" + id + "'"));
        assertEquals(0, f.count("SELECT count(*) FROM instance_services WHERE instance_id = '" + id + "'"));
        assertEquals(1, f.count("SELECT count(*) FROM service_sagas WHERE instance_id = '" + id + "' AND state = 'compensated'"));
        assertEquals(1, f.count("SELECT count(*) FROM service_saga_steps s JOIN service_sagas g ON g.id = s.saga_id "
            + "WHERE g.instance_id = '" + id + "' AND s.step = '" + step + "' AND s.state IN ('failed', 'undone')"));

        fakes.clearFaults();
        final HttpResponse<String> retry = f.create(id, "\"tools\":[\"openrouter\",\"agentmail\",\"telnyx\"]");
        assertEquals(201, retry.statusCode(), retry.body());
        assertEquals(200, f.call("DELETE", "/destroy/" + id, null).statusCode());
        assertTrue(fakes.live().isEmpty(), fakes.live().toString());
    }

    @Test
    void shouldAdoptAServiceWhoseCreateAnswerWasLost() throws Exception
    {
        fakes.slow("railway.serviceCreate", 1200, 1);
        final int before = fakes.created("railway.service");
        final HttpResponse<String> r = f.create("slow-svc", "\"tools\":[]");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(before + 1, fakes.created("railway.service"), "the lost service was found by name, not made again");
        assertEquals(200, f.call("DELETE", "/destroy/slow-svc", null).statusCode());
        assertTrue(fakes.live().isEmpty(), fakes.live().toString());
    }

    @Test
    void shouldLeaveExactlyOneKeyWhenAKeyCreateTimedOut() throws Exception
    {
        fakes.slow("openrouter.createKey", 1200, 1);
        final HttpResponse<String> r = f.create("slow-key", "\"tools\":[\"openrouter\"]");
        assertEquals(201, r.statusCode(), r.body());
        final List<String> keys = fakes.live().stream().filter(s -> s.startsWith("openrouter.key")).toList();
        assertEquals(1, keys.size(), keys.toString());
        final String recorded = (String)ServicesFixture.map(ServicesFixture.list(json(r).get("services")).get(0)).get("resourceId");
        assertTrue(keys.get(0).contains(recorded), "the live key is the recorded one");
        assertEquals(200, f.call("DELETE", "/destroy/slow-key", null).statusCode());
        assertTrue(fakes.live().isEmpty(), fakes.live().toString());
    }

    @Test
    void shouldWaitForAPendingNumberOrder() throws Exception
    {
        fakes.telnyxPending(2);
        final HttpResponse<String> r = f.create("pending-number", "\"tools\":[\"telnyx\"]");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(1, fakes.live().stream().filter(s -> s.startsWith("telnyx.number")).count(), fakes.live().toString());
        assertEquals(200, f.call("DELETE", "/destroy/pending-number", null).statusCode());
        assertTrue(fakes.live().isEmpty(), fakes.live().toString());
    }

    @Test
    void shouldFailAStepWhoseProviderNeverAnswersAndLeaveNothing() throws Exception
    {
        fakes.slow("railway.serviceInstanceDeploy", 1200, 10);
        final Map<String, Object> details = assertError(f.create("slow-deploy", null), 502, "provider_error");
        assertEquals("railway.deploy", details.get("step"));
        assertEquals(0L, details.get("status"), "no answer");
        assertTrue(fakes.live().isEmpty(), fakes.live().toString());
    }

    @Test
    void shouldFinishAnUnfinishedUndoBeforeTheNextCreate() throws Exception
    {
        fakes.fail("agentmail.createInbox", 400, 1);
        fakes.fail("openrouter.deleteKey", 500, 10); // the undo of the key cannot finish
        final Map<String, Object> details = assertError(f.create("undo-late", null), 502, "provider_error");
        assertEquals("agentmail.inbox", details.get("step"));
        assertEquals(false, details.get("compensated"));
        assertEquals(1, fakes.live().stream().filter(s -> s.startsWith("openrouter.key")).count());
        assertEquals(1, f.count("SELECT count(*) FROM service_sagas WHERE instance_id = 'undo-late' AND state = 'running'"));

        fakes.clearFaults();
        final HttpResponse<String> r = f.create("undo-late", null);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(1, fakes.live().stream().filter(s -> s.startsWith("openrouter.key")).count(), "the leftover key was removed: "
            + fakes.live());
        assertEquals(0, f.count("SELECT count(*) FROM service_sagas WHERE instance_id = 'undo-late' AND state = 'running'"));
        assertEquals(200, f.call("DELETE", "/destroy/undo-late", null).statusCode());
        assertTrue(fakes.live().isEmpty(), fakes.live().toString());
    }

    @Test
    void shouldKeepTheInstanceWhenADestroyStepFailsAndFinishOnRetry() throws Exception
    {
        assertEquals(201, f.create("destroy-retry", null).statusCode());
        fakes.fail("railway.serviceDelete", 500, 10);
        final Map<String, Object> details = assertError(f.call("DELETE", "/destroy/destroy-retry", null), 502, "provider_error");
        assertEquals("railway.service", details.get("step"));
        assertEquals(1, f.count("SELECT count(*) FROM instance_infra WHERE instance_id = 'destroy-retry'"));
        fakes.clearFaults();
        final HttpResponse<String> again = f.call("DELETE", "/destroy/destroy-retry", null);
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(fakes.live().isEmpty(), fakes.live().toString());
        assertError(f.call("DELETE", "/destroy/destroy-retry", null), 404, "not_found");
    }
}
