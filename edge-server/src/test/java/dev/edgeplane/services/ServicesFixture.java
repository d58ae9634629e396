package dev.edgeplane.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;

/**
 * A services-only server on loopback (embedded PostgreSQL, real sockets) pointed at {@link FakeProviders}, with a
 * client that sends the bearer key, and the error-contract assertion.
 */
final class ServicesFixture implements AutoCloseable
{
    static final String KEY = "services-test-key-0123456789";

    final String databaseUrl;
    final FakeProviders fakes;
    final EdgeServer server;
    final int port;

    ServicesFixture(final Path dataDir, final String databaseUrl, final FakeProviders fakes, final Map<String, String> extra,
        final SagaHooks hooks)
    {
        this.databaseUrl = databaseUrl;
        this.fakes = fakes;
        this.server = EdgeServer.start(EdgeSettings.from(TestServers.environment(dataDir, databaseUrl, env(fakes, extra))),
            List.of(new ServicesSurface(hooks)));
        this.port = server.port(SurfaceKind.SERVICES);
    }

    /** The settings a test server gets: every provider at the fakes, fast retries, short timeouts. */
    static Map<String, String> env(final FakeProviders fakes, final Map<String, String> extra)
    {
        final Map<String, String> env = new HashMap<>(fakes.settings());
        env.put(EdgeSettings.SURFACES, "services");
        env.put(EdgeSettings.SHUTDOWN_GRACE_MS, "500");
        env.put(ServicesSettings.API_KEY, KEY);
        env.put(ServicesSettings.RAILWAY_API_TOKEN, "railway-token-secret");
        env.put(ServicesSettings.RAILWAY_PROJECT_ID, FakeProviders.PROJECT_ID);
        env.put(ServicesSettings.RAILWAY_ENVIRONMENT_NAME, "scaling");
        env.put(ServicesSettings.OPENROUTER_MANAGEMENT_KEY, "openrouter-management-secret");
        env.put(ServicesSettings.OPENROUTER_KEY_LIMIT, "5");
        env.put(ServicesSettings.OPENROUTER_KEY_LIMIT_RESET, "weekly");
        env.put(ServicesSettings.AGENTMAIL_API_KEY, "agentmail-secret");
        env.put(ServicesSettings.AGENTMAIL_DOMAIN, "mail.example.org");
        env.put(ServicesSettings.TELNYX_API_KEY, "telnyx-secret");
        env.put("XMTP_ENV", "dev");
        env.put("POOL_API_KEY", "pool-secret");
        env.put(ServicesSettings.PROVIDER_TIMEOUT_MS, "2000");
        env.put(ServicesSettings.PROVIDER_RETRIES, "3");
        env.put(ServicesSettings.PROVIDER_BACKOFF_MS, "5");
        env.put(ServicesSettings.PROVIDER_MAX_WAIT_MS, "3000");
        env.putAll(extra);
        return env;
    }

    @Override
    public void close()
    {
        server.close();
    }

    HttpResponse<String> send(final String method, final String path, final String json, final String bearer) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
        if (bearer != null)
        {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (json != null)
        {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        else
        {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return TestServers.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> call(final String method, final String path, final String json) throws Exception
    {
        return send(method, path, json, KEY);
    }

    HttpResponse<String> create(final String instanceId, final String extraJson) throws Exception
    {
        return call("POST", "/create-instance", "{\"instanceId\":\"" + instanceId + "\"" + (extraJson == null ? "" : "," + extraJson) + "}");
    }

    long count(final String sql)
    {
        return TestServers.count(databaseUrl, sql);
    }

    static Map<String, Object> json(final HttpResponse<String> r)
    {
        return TestServers.json(r.body());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(final Object o)
    {
        return (Map<String, Object>)o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(final Object o)
    {
        return (List<Object>)o;
    }

    /** Asserts the one error body; @return its details. */
    static Map<String, Object> assertError(final HttpResponse<String> r, final int status, final String code)
    {
        assertEquals(status, r.statusCode(), r.body());
        final Map<String, Object> error = map(json(r).get("error"));
        assertEquals(code, error.get("code"), r.body());
        assertNotNull(error.get("message"));
        assertEquals(r.headers().firstValue("X-Request-Id").orElseThrow(), error.get("request_id"));
        assertInstanceOf(Map.class, error.get("details"));
        return map(error.get("details"));
    }
}
