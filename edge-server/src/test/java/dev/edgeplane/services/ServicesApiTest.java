package dev.edgeplane.services;

import static dev.edgeplane.services.ServicesFixture.assertError;
import static dev.edgeplane.services.ServicesFixture.json;
import static dev.edgeplane.services.ServicesFixture.list;
import static dev.edgeplane.services.ServicesFixture.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services API over real sockets against the loopback providers: auth, every endpoint, bad input. */
class ServicesApiTest
{
    @TempDir
    static Path dir;
    static FakeProviders fakes;
    static ServicesFixture f;

    @BeforeAll
    static void start() throws Exception
    {
        fakes = FakeProviders.start(0);
        f = new ServicesFixture(dir, TestPostgres.freshDatabaseUrl("services_api"), fakes, Map.of(), SagaHooks.NONE);
    }

    @AfterAll
    static void stop()
    {
        f.close();
        fakes.close();
    }

    private static List<String> liveFor(final String instanceId)
    {
        return fakes.live().stream().filter(s -> s.contains(instanceId)).toList();
    }

    @Test
    void shouldRefuseEveryEndpointButHealthzWithoutTheRightBearer() throws Exception
    {
        final String[][] routes = {{"GET", "/registry", null}, {"POST", "/create-instance", "{\"instanceId\":\"noauth1\"}"},
            {"DELETE", "/destroy/noauth1", null}, {"POST", "/status/batch", "{}"},
            {"POST", "/configure/noauth1", "{\"env\":{\"A\":\"b\"}}"}, {"POST", "/redeploy/noauth1", null}};
        for (final String[] r : routes)
        {
            assertError(f.send(r[0], r[1], r[2], null), 401, "unauthorized");
            assertError(f.send(r[0], r[1], r[2], "wrong-key"), 401, "unauthorized");
            assertError(f.send(r[0], r[1], r[2], ServicesFixture.KEY + "x"), 401, "unauthorized");
        }
        assertEquals(200, f.send("GET", "/healthz", null, null).statusCode());
        assertTrue(liveFor("noauth1").isEmpty(), "an unauthorized create made nothing");
        assertEquals(0, f.count("SELECT count(*) FROM service_sagas WHERE instance_id = 'noauth1'"));
    }

    @Test
    void shouldListTheToolRegistry() throws Exception
    {
        final HttpResponse<String> r = f.call("GET", "/registry", null);
        assertEquals(200, r.statusCode(), r.body());
        final List<Object> tools = list(json(r).get("tools"));
        assertEquals(List.of("openrouter", "agentmail", "telnyx"), tools.stream().map(t -> map(t).get("id")).toList());
        assertEquals(List.of("OPENROUTER_API_KEY"), map(tools.get(0)).get("envKeys"));
    }

    @Test
    void shouldCreateAnInstanceRecordItAndNeverCreateTwice() throws Exception
    {
        final HttpResponse<String> r = f.create("inst_A-1", "\"tools\":[\"telnyx\",\"openrouter\",\"agentmail\"],\"env\":{\"FOO\":\"bar\"}");
        assertEquals(201, r.statusCode(), r.body());
        final Map<String, Object> body = json(r);
        assertEquals("inst_A-1", body.get("instanceId"));
        assertEquals("https://convos-agent-inst_a-1.up.railway.app", body.get("url"));
        assertEquals(ServicesSettings.RAILWAY_RUNTIME_IMAGE_DEFAULT, body.get("runtimeImage"));
        assertEquals("BUILDING", body.get("deployStatus"));
        final List<Object> services = list(body.get("services"));
        assertEquals(List.of("openrouter", "agentmail", "telnyx"), services.stream().map(s -> map(s).get("toolId")).toList());
        assertFalse(r.body().contains("sk-or-v1-"), "the OpenRouter secret is never echoed");

        final String serviceId = (String)body.get("serviceId");
        final Map<String, String> vars = fakes.variables(serviceId);
        assertTrue(vars.get("OPENROUTER_API_KEY").startsWith("sk-or-v1-"));
        assertEquals(map(services.get(1)).get("resourceId"), vars.get("AGENTMAIL_INBOX_ID"));
        assertTrue(vars.get("AGENTMAIL_INBOX_ID").endsWith("@mail.example.org"), "AGENTMAIL_DOMAIN is used");
        assertTrue(vars.get("TELNYX_PHONE_NUMBER").startsWith("+1555"));
        assertEquals("bar", vars.get("FOO"));
        final Map<String, Object> limits = fakes.keyLimits((String)map(services.get(0)).get("resourceId"));
        assertEquals(0, new java.math.BigDecimal("5").compareTo(new java.math.BigDecimal(String.valueOf(limits.get("limit")))),
            "OPENROUTER_KEY_LIMIT on the wire: " + limits);
        assertEquals("weekly", limits.get("limit_reset"), "OPENROUTER_KEY_LIMIT_RESET on the wire");
        assertEquals("dev", vars.get("XMTP_ENV"), "pass-through variable");
        assertEquals("pool-secret", vars.get("POOL_API_KEY"));
        assertEquals(1, fakes.deploys(serviceId));

        assertEquals(1, f.count("SELECT count(*) FROM instance_infra WHERE instance_id = 'inst_A-1' AND provider = 'railway' "
            + "AND provider_env_id = 'env-fake-scaling' AND provider_project_id = '" + FakeProviders.PROJECT_ID
            + "' AND provider_service_id = '" + serviceId + "' AND volume_id = '" + body.get("volumeId") + "'"));
        assertEquals(3, f.count("SELECT count(*) FROM instance_services WHERE instance_id = 'inst_A-1' AND status = 'active'"));
        assertEquals(1, f.count("SELECT count(*) FROM instance_services WHERE tool_id = 'openrouter' AND instance_id = 'inst_A-1' "
            + "AND env_key = 'OPENROUTER_API_KEY' AND env_value LIKE 'sk-or-v1-%' AND resource_meta->>'limit' = '5' "
            + "AND resource_meta->>'limit_reset' = 'weekly'"));
        assertEquals(0, f.count("SELECT count(*) FROM service_saga_steps WHERE meta::text LIKE '%sk-or-v1-%'"),
            "the key's secret does not stay in the saga log");

        final int servicesBefore = fakes.created("railway.service");
        final HttpResponse<String> again = f.create("inst_A-1", "\"tools\":[\"openrouter\"]");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(serviceId, json(again).get("serviceId"));
        assertEquals(servicesBefore, fakes.created("railway.service"), "a repeated create makes nothing new");
        final java.util.Set<String> mine = new java.util.TreeSet<>(liveFor("inst_A-1"));
        mine.addAll(liveFor(serviceId));
        assertEquals(5, mine.size(), "one service, volume, key, inbox and number: " + mine);
    }

    @Test
    void shouldAnswerTheSeedStatusBatchShape() throws Exception
    {
        assertEquals(201, f.create("batch1", null).statusCode());
        assertEquals(201, f.create("batch2", "\"tools\":[]").statusCode());
        final HttpResponse<String> all = f.call("POST", "/status/batch", "{}");
        assertEquals(200, all.statusCode(), all.body());
        assertEquals(FakeProviders.PROJECT_ID, json(all).get("projectId"));

        final HttpResponse<String> r = f.call("POST", "/status/batch", "{\"instanceIds\":[\"batch1\"]}");
        assertEquals(200, r.statusCode(), r.body());
        final List<Object> services = list(json(r).get("services"));
        assertEquals(1, services.size(), r.body());
        final Map<String, Object> s = map(services.get(0));
        assertEquals(List.of("instanceId", "serviceId", "name", "deployStatus", "domain", "image", "environmentIds"),
            new ArrayList<>(s.keySet()));
        assertEquals("batch1", s.get("instanceId"));
        assertEquals("convos-agent-batch1", s.get("name"));
        assertEquals("convos-agent-batch1.up.railway.app", s.get("domain"));
        assertEquals(ServicesSettings.RAILWAY_RUNTIME_IMAGE_DEFAULT, s.get("image"));
        assertEquals(List.of("env-fake-scaling"), s.get("environmentIds"));
        assertTrue(RailwayClient.DEPLOYMENT_STATUSES.contains((String)s.get("deployStatus")), r.body());
        assertEquals(1, f.count("SELECT count(*) FROM instance_infra WHERE instance_id = 'batch1' AND deploy_status = '"
            + s.get("deployStatus") + "'"), "the row follows the reported status");
    }

    @Test
    void shouldConfigureAndRedeployAndDestroyInReverse() throws Exception
    {
        final HttpResponse<String> created = f.create("cfg1", "\"tools\":[\"openrouter\",\"agentmail\",\"telnyx\"]");
        assertEquals(201, created.statusCode(), created.body());
        final String serviceId = (String)json(created).get("serviceId");

        final HttpResponse<String> c = f.call("POST", "/configure/cfg1", "{\"env\":{\"OPENCLAW_PRIMARY_MODEL\":\"m1\",\"X\":\"1\"}}");
        assertEquals(200, c.statusCode(), c.body());
        assertEquals(List.of("OPENCLAW_PRIMARY_MODEL", "X"), json(c).get("configured"));
        assertEquals("m1", fakes.variables(serviceId).get("OPENCLAW_PRIMARY_MODEL"));

        final int deploys = fakes.deploys(serviceId);
        final HttpResponse<String> rd = f.call("POST", "/redeploy/cfg1", null);
        assertEquals(202, rd.statusCode(), rd.body());
        assertEquals(deploys + 1, fakes.deploys(serviceId));

        final HttpResponse<String> d = f.call("DELETE", "/destroy/cfg1", null);
        assertEquals(200, d.statusCode(), d.body());
        assertEquals(List.of("telnyx.number", "agentmail.inbox", "openrouter.key", "railway.volume", "railway.service"),
            json(d).get("destroyed"));
        assertTrue(liveFor("cfg1").isEmpty() && liveFor(serviceId).isEmpty(), fakes.live().toString());
        assertEquals(0, f.count("SELECT count(*) FROM instance_infra WHERE instance_id = 'cfg1'"));
        assertEquals(0, f.count("SELECT count(*) FROM instance_services WHERE instance_id = 'cfg1'"));

        assertError(f.call("DELETE", "/destroy/cfg1", null), 404, "not_found");
        assertError(f.call("POST", "/configure/cfg1", "{\"env\":{\"A\":\"b\"}}"), 404, "not_found");
        assertError(f.call("POST", "/redeploy/cfg1", null), 404, "not_found");
    }

    @Test
    void shouldTreatResourcesAlreadyGoneAsDestroyed() throws Exception
    {
        final HttpResponse<String> created = f.create("gone1", null);
        assertEquals(201, created.statusCode(), created.body());
        final Map<String, Object> body = json(created);
        fakes.removeBehindTheBack("openrouter.key", (String)map(list(body.get("services")).get(0)).get("resourceId"));
        fakes.removeBehindTheBack("railway.volume", (String)body.get("volumeId"));
        final HttpResponse<String> d = f.call("DELETE", "/destroy/gone1", null);
        assertEquals(200, d.statusCode(), d.body());
        assertTrue(liveFor("gone1").isEmpty(), fakes.live().toString());
    }

    @Test
    void shouldRefuseBadInputWithoutChangingAnything() throws Exception
    {
        final int before = fakes.live().size();
        assertError(f.call("POST", "/create-instance", "{}"), 400, "invalid_request");
        assertError(f.call("POST", "/create-instance", "{\"instanceId\":\"bad id!\"}"), 400, "invalid_request");
        assertError(f.call("POST", "/create-instance", "{\"instanceId\":\"" + "x".repeat(65) + "\"}"), 400, "invalid_request");
        final Map<String, Object> d = assertError(f.call("POST", "/create-instance",
            "{\"instanceId\":\"ok1\",\"tools\":[\"openrouter\",\"fax\"],\"env\":{\"1BAD\":\"x\",\"N\":3},\"colour\":1}"), 400, "invalid_request");
        assertEquals(4, list(d.get("problems")).size(), d.toString());
        assertError(f.call("POST", "/create-instance", "{\"instanceId\":"), 400, "malformed_body");
        assertError(f.call("POST", "/status/batch", "{\"instanceIds\":\"all\"}"), 400, "invalid_request");
        assertError(f.call("POST", "/configure/ok1", "{\"env\":{}}"), 400, "invalid_request");
        assertError(f.call("POST", "/configure/ok1", "{}"), 400, "invalid_request");
        assertError(f.call("DELETE", "/destroy/bad%20id", null), 400, "invalid_instance_id");
        assertEquals(before, fakes.live().size(), "nothing was provisioned");
        assertEquals(0, f.count("SELECT count(*) FROM service_sagas WHERE instance_id = 'ok1'"));
    }

    @Test
    void shouldSerializeConcurrentCreatesAndDestroysOfOneInstance() throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(6);
        try
        {
            final List<Future<HttpResponse<String>>> creates = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                creates.add(pool.submit((Callable<HttpResponse<String>>)() -> f.create("conc1", null)));
            }
            int made = 0;
            int existing = 0;
            for (final Future<HttpResponse<String>> c : creates)
            {
                final int s = c.get().statusCode();
                made += s == 201 ? 1 : 0;
                existing += s == 200 ? 1 : 0;
            }
            assertEquals(1, made);
            assertEquals(5, existing);
            assertEquals(3, liveFor("conc1").size(), "one service, one key, one inbox: " + fakes.live());

            final List<Future<HttpResponse<String>>> mixed = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                mixed.add(pool.submit((Callable<HttpResponse<String>>)() -> f.call("DELETE", "/destroy/conc1", null)));
                mixed.add(pool.submit((Callable<HttpResponse<String>>)() -> f.call("POST", "/configure/conc1", "{\"env\":{\"A\":\"1\"}}")));
            }
            int destroyed = 0;
            for (final Future<HttpResponse<String>> m : mixed)
            {
                final int s = m.get().statusCode();
                assertTrue(s == 200 || s == 404, "only 200 or 404, never a provider error: " + s);
                destroyed += s == 200 && m.get().body().contains("destroyed") ? 1 : 0;
            }
            assertEquals(1, destroyed);
            assertTrue(liveFor("conc1").isEmpty(), fakes.live().toString());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldHonourARateLimitResetAndRetryServerErrors() throws Exception
    {
        fakes.rateLimit("openrouter.createKey", 300, false, 1);
        fakes.rateLimit("railway.volumeCreate", 200, true, 1);
        fakes.fail("railway.variableCollectionUpsert", 503, 2);
        final int early = fakes.earlyRetries();
        final int keyCalls = fakes.calls("openrouter.createKey");
        final int upserts = fakes.calls("railway.variableCollectionUpsert");
        try
        {
            final HttpResponse<String> r = f.create("rl1", "\"tools\":[\"openrouter\"]");
            assertEquals(201, r.statusCode(), r.body());
        }
        finally
        {
            fakes.clearFaults();
        }
        assertEquals(early, fakes.earlyRetries(), "no retry came before X-RateLimit-Reset or Retry-After");
        assertEquals(keyCalls + 2, fakes.calls("openrouter.createKey"), "refused once, then made");
        assertEquals(upserts + 3, fakes.calls("railway.variableCollectionUpsert"), "two 503s retried");
        assertEquals(1, liveFor("rl1").stream().filter(s -> s.startsWith("openrouter.key")).count(), fakes.live().toString());
    }
}
