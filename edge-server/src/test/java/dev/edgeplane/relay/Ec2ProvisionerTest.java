package dev.edgeplane.relay;

import static dev.edgeplane.relay.RelayFixture.assertError;
import static dev.edgeplane.relay.RelayFixture.json;
import static dev.edgeplane.relay.RelayFixture.key;
import static dev.edgeplane.relay.RelayFixture.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EC2-style provisioner against a loopback stand-in for the cloud API: RunInstances with the session
 * as ClientToken and the relay secret in UserData, bounded retries on 5xx and timeouts, a refused launch, and
 * TerminateInstances when a relay stops; and the Idempotency-Key "in flight" answer while a launch is still
 * on its way.
 */
class Ec2ProvisionerTest
{
    @TempDir
    static Path dataDir;
    static RelayFixture relay;
    static HttpServer cloud;

    record Call(String action, Map<String, Object> body)
    {
    }

    static final List<Call> CALLS = new CopyOnWriteArrayList<>();
    static final AtomicInteger FAILURES = new AtomicInteger();
    static final AtomicLong SLOW_ONCE_MILLIS = new AtomicLong();
    static final AtomicInteger REFUSE = new AtomicInteger();
    static volatile CountDownLatch gate;
    static volatile CountDownLatch entered;
    static final AtomicInteger INSTANCES = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException
    {
        cloud = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cloud.setExecutor(Executors.newCachedThreadPool(r ->
        {
            final Thread t = new Thread(r, "fake-ec2");
            t.setDaemon(true);
            return t;
        }));
        cloud.createContext("/RunInstances", ex -> handle(ex, "RunInstances"));
        cloud.createContext("/TerminateInstances", ex -> handle(ex, "TerminateInstances"));
        cloud.start();
        relay = new RelayFixture(dataDir, "relay_ec2", Map.of(
            "RELAY_PROVISIONER_URL", "http://127.0.0.1:" + cloud.getAddress().getPort(),
            "RELAY_PROVISIONER_TOKEN", "cloud-token",
            "RELAY_PROVISIONER_TIMEOUT_MS", "400",
            "RELAY_PROVISIONER_RETRIES", "2",
            "RELAY_PUBLIC_URL", "https://relay.example.test/"));
    }

    @AfterAll
    static void stop()
    {
        relay.close();
        cloud.stop(0);
    }

    @BeforeEach
    void reset()
    {
        CALLS.clear();
        FAILURES.set(0);
        SLOW_ONCE_MILLIS.set(0);
        REFUSE.set(0);
        gate = null;
        entered = null;
    }

    @SuppressWarnings("unchecked")
    private static void handle(final HttpExchange ex, final String action) throws IOException
    {
        final byte[] raw;
        try (InputStream in = ex.getRequestBody())
        {
            raw = in.readAllBytes();
        }
        if (!"Bearer cloud-token".equals(ex.getRequestHeaders().getFirst("Authorization")))
        {
            reply(ex, 403, "{\"Error\":\"AuthFailure\"}");
            return;
        }
        CALLS.add(new Call(action, TestServers.json(new String(raw, StandardCharsets.UTF_8))));
        try
        {
            final long slow = SLOW_ONCE_MILLIS.getAndSet(0);
            if (slow > 0)
            {
                Thread.sleep(slow);
            }
            final CountDownLatch g = gate;
            if (g != null && action.equals("RunInstances"))
            {
                entered.countDown();
                g.await(20, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
        {
            reply(ex, 500, "{\"Error\":\"InternalError\"}");
        }
        else if (REFUSE.get() > 0 && action.equals("RunInstances"))
        {
            reply(ex, 400, "{\"Error\":\"InvalidAMIID.NotFound\"}");
        }
        else if (action.equals("RunInstances"))
        {
            reply(ex, 200, "{\"Instances\":[{\"InstanceId\":\"i-0fake" + INSTANCES.incrementAndGet()
                + "\",\"PublicIpAddress\":\"203.0.113.9\",\"State\":{\"Name\":\"pending\"}}]}");
        }
        else
        {
            reply(ex, 200, "{\"TerminatingInstances\":[]}");
        }
    }

    private static void reply(final HttpExchange ex, final int status, final String body) throws IOException
    {
        final byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static List<Call> calls(final String action)
    {
        return CALLS.stream().filter(c -> c.action().equals(action)).toList();
    }

    private static List<Call> terminations(final Object instanceId)
    {
        return calls("TerminateInstances").stream()
            .filter(c -> c.body().get("InstanceIds") instanceof List<?> ids && ids.contains(instanceId)).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldLaunchWithRetriesAndTerminateWhenTheRelayStops() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        FAILURES.set(1); // the first RunInstances answers 500
        final HttpResponse<String> started = relay.start(t, key(), "{\"region\":\"eu-central-1\"}");
        assertEquals(201, started.statusCode(), started.body());
        final Map<String, Object> session = map(json(started).get("session"));
        final String id = (String)session.get("session_id");
        assertTrue(((String)session.get("instance_id")).startsWith("i-0fake"));
        assertEquals("203.0.113.9", session.get("public_ip"));

        final List<Call> runs = calls("RunInstances");
        assertEquals(2, runs.size(), "one retry after the 500");
        for (final Call c : runs)
        {
            assertEquals(id, c.body().get("ClientToken"), "the session id makes the retry idempotent");
            assertEquals("eu-central-1", c.body().get("Region"));
            assertEquals("ami-0eu", c.body().get("ImageId"));
        }
        final Map<String, Object> userData = TestServers.json(new String(
            Base64.getDecoder().decode((String)runs.get(0).body().get("UserData")), StandardCharsets.UTF_8));
        final Map<String, Object> creds = map(relay.adminSession(id).get("relay_auth"));
        assertEquals(creds.get("secret"), userData.get("relay_auth"), "the relay gets its health secret at launch");
        assertEquals("https://relay.example.test/api/v1/relay/health", userData.get("health_url"));

        assertEquals(200, relay.health(id, (String)session.get("instance_id"), (String)userData.get("relay_auth")).statusCode());
        assertEquals("grace", map(json(relay.stop(t)).get("session")).get("state"));
        // Only this session's instance counts: a relay stopped by an earlier test may be terminated
        // by the sweeper at any time (the clock is shared).
        final Object instance = session.get("instance_id");
        assertTrue(terminations(instance).isEmpty(), "grace keeps the instance");
        relay.clock.advanceSeconds(120);
        relay.awaitState(id, "stopped");
        TestServers.await("TerminateInstances", 10_000, () -> !terminations(instance).isEmpty());
        final Map<String, Object> terminate = terminations(instance).get(0).body();
        assertEquals(List.of(session.get("instance_id")), terminate.get("InstanceIds"));
        assertEquals("eu-central-1", terminate.get("Region"));
    }

    @Test
    void shouldRetryACallThatTimesOut() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        SLOW_ONCE_MILLIS.set(1_500); // longer than RELAY_PROVISIONER_TIMEOUT_MS
        final HttpResponse<String> started = relay.start(t, key(), "{}");
        assertEquals(201, started.statusCode(), started.body());
        assertEquals(2, calls("RunInstances").size());
        relay.stop(t);
    }

    @Test
    void shouldStopTheSessionWhenTheLaunchIsRefused() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        REFUSE.set(1);
        final String k = key();
        final Map<String, Object> details = assertError(relay.start(t, k, "{}"), 502, "provisioner_failed");
        assertEquals(1, calls("RunInstances").size(), "a 4xx is not retried");
        final String id = (String)details.get("session_id");
        assertEquals("stopped", relay.state(id));
        assertEquals("launch_failed", map(relay.adminSession(id).get("session")).get("reason"));

        REFUSE.set(0);
        final HttpResponse<String> retried = relay.start(t, k, "{}");
        assertEquals(201, retried.statusCode(), "a failed start does not keep its key: " + retried.body());
        relay.stop(t);
    }

    @Test
    void shouldAnswerInFlightWhileTheFirstRequestIsStillLaunching() throws Exception
    {
        final RelayFixture.Tokens t = relay.login(relay.createUser("pro"));
        gate = new CountDownLatch(1);
        entered = new CountDownLatch(1);
        final String k = key();
        final CompletableFuture<HttpResponse<String>> first = TestServers.CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port + "/api/v1/relay/start"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + t.access())
                .header("Idempotency-Key", k).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the launch reached the cloud");

        final Map<String, Object> details = assertError(relay.start(t, k, "{}"), 409, "idempotency_key_in_flight");
        assertEquals(k, details.get("idempotency_key"));
        assertError(relay.start(t, k, "{\"region\":\"eu-central-1\"}"), 422, "idempotency_key_reused");

        gate.countDown();
        final HttpResponse<String> done = first.get(20, TimeUnit.SECONDS);
        assertEquals(201, done.statusCode(), done.body());
        final HttpResponse<String> replay = relay.start(t, k, "{}");
        assertEquals(200, replay.statusCode());
        assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(map(json(done).get("session")).get("session_id"), map(json(replay).get("session")).get("session_id"));
        relay.stop(t);
    }
}
