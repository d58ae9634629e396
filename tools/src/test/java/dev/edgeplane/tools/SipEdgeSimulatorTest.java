package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.SipDigest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator against a stub control plane on a loopback socket (not the real server): what it sends, and how it
 * reports.
 */
class SipEdgeSimulatorTest
{
    private static final String DOCUMENT = """
        {"accounts":[{"id":"acc_1","domain":"acme.sip.io",
          "devices":[{"username":"1001","password":"s3cret"},{"username":"1002","password":"pw1002"}],
          "dids":[{"number":"+12025550123"}]}]}
        """;
    private static final Map<String, String> PASSWORDS = Map.of("1001", "s3cret", "1002", "pw1002");

    private HttpServer server;
    private ExecutorService serverThreads;
    private final AtomicInteger authOk = new AtomicInteger();
    private final AtomicInteger authBad = new AtomicInteger();
    private final AtomicInteger registers = new AtomicInteger();
    private final List<Map<String, String>> routes = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> terminated = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> flowRequests = new ConcurrentHashMap<>();
    private final AtomicInteger stepsAfterHangup = new AtomicInteger();
    private volatile int routeStatus = 200;

    @BeforeEach
    void startStub() throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newFixedThreadPool(4);
        server.setExecutor(serverThreads);
        server.createContext("/auth", this::auth);
        server.createContext("/presence/event", this::presence);
        server.createContext("/route", this::route);
        server.createContext("/flow", this::flow);
        server.start();
    }

    @AfterEach
    void stopStub()
    {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void shouldRegisterEveryDeviceThenRouteFlowAndTerminateEveryCall() throws InterruptedException
    {
        final ByteArrayOutputStream summary = new ByteArrayOutputStream();
        final int exit = simulator(40, Duration.ofMillis(500), 5, summary).run();

        assertEquals(0, exit, summary.toString(StandardCharsets.UTF_8));
        assertEquals(2, authOk.get());
        assertEquals(0, authBad.get());
        assertEquals(2, registers.get());
        assertEquals(20, routes.size());
        assertEquals(20, terminated.size());
        terminated.forEach((callId, n) -> assertEquals(1, n.get(), "terminated reports for " + callId));
        long inbound = 0;
        for (final Map<String, String> route : routes)
        {
            if ("+12025550123".equals(route.get("to")))
            {
                inbound++;
                assertNull(route.get("authUser"));
            }
            else
            {
                assertTrue(route.get("to").startsWith("+1202555"), route.toString());
                assertEquals(route.get("from"), route.get("authUser"));
                assertEquals("acme.sip.io", route.get("fromDomain"));
            }
        }
        assertEquals(10, inbound);
        // Flow calls: start, gather step, then the hangup answer ends the call before --steps is reached.
        assertEquals(10, flowRequests.size());
        flowRequests.forEach((callId, n) -> assertEquals(3, n.get(), "flow requests of " + callId));
        assertEquals(0, stepsAfterHangup.get());
        final String text = summary.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("calls: 20 started, 20 completed, 0 failed"), text);
        assertTrue(text.contains("POST /route"), text);
        assertTrue(text.contains("p99.9 ms"), text);
    }

    @Test
    void shouldStopFlowStepsAtTheStepLimit() throws InterruptedException
    {
        final ByteArrayOutputStream summary = new ByteArrayOutputStream();
        final int exit = simulator(20, Duration.ofMillis(200), 1, summary).run();

        assertEquals(0, exit, summary.toString(StandardCharsets.UTF_8));
        assertTrue(flowRequests.size() > 0);
        flowRequests.forEach((callId, n) -> assertEquals(2, n.get(), "flow requests of " + callId));
    }

    @Test
    void shouldExitWithOneAndCountErrorsWhenRouteFails() throws InterruptedException
    {
        routeStatus = 500;
        final ByteArrayOutputStream summary = new ByteArrayOutputStream();
        final int exit = simulator(20, Duration.ofMillis(200), 3, summary).run();

        assertEquals(1, exit);
        final String text = summary.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("4 failed"), text);
        assertTrue(text.contains("500 x4"), text);
        // Even a call whose /route failed is reported terminated.
        assertEquals(4, terminated.size());
    }

    @Test
    void shouldAnswerGatherWithDigitsOrTimeoutAndQueueWithPolls()
    {
        assertEquals(new SipEdgeSimulator.FlowOutcome("digit:1", "1"), SipEdgeSimulator.outcomeAfter("gather", null, 0));
        assertEquals(new SipEdgeSimulator.FlowOutcome("digit:3", "3"), SipEdgeSimulator.outcomeAfter("gather", 1L, 2));
        assertEquals(new SipEdgeSimulator.FlowOutcome("timeout", null), SipEdgeSimulator.outcomeAfter("gather", 1L, 3));
        assertEquals("digit:1231", SipEdgeSimulator.outcomeAfter("gather", 4L, 0).outcome());
        assertEquals("queue:poll", SipEdgeSimulator.outcomeAfter("enqueue", null, 0).outcome());
        assertEquals("queue:poll", SipEdgeSimulator.outcomeAfter("noop", null, 0).outcome());
        assertEquals("done", SipEdgeSimulator.outcomeAfter("play", null, 0).outcome());
    }

    private SipEdgeSimulator simulator(
        final double rate, final Duration duration, final int steps, final ByteArrayOutputStream summary)
    {
        final SipEdgeSimulator.Settings settings = new SipEdgeSimulator.Settings(
            "http://127.0.0.1:" + server.getAddress().getPort(), rate, duration, steps, 10, "token",
            Duration.ofSeconds(5), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(summary, true, StandardCharsets.UTF_8));
        return new SipEdgeSimulator(settings, CallDirectory.parse(DOCUMENT.getBytes(StandardCharsets.UTF_8)));
    }

    // ------------------------------------------------------------------------------------------------ stub

    private void auth(final HttpExchange exchange) throws IOException
    {
        final Map<String, String> f = form(exchange);
        final String password = PASSWORDS.get(f.get("username"));
        final boolean ok = password != null
            && "token".equals(exchange.getRequestHeaders().getFirst("x-admin-token"))
            && SipDigest.verify(DigestAlgorithm.parse(f.get("algorithm")),
                SipDigest.ha1(DigestAlgorithm.MD5, f.get("username"), f.get("realm"), password),
                f.get("method"), f.get("uri"), f.get("nonce"), f.get("nc"), f.get("cnonce"), f.get("qop"),
                f.get("response"));
        (ok ? authOk : authBad).incrementAndGet();
        json(exchange, ok
            ? Map.of("status", "ok", "account_id", "acc_1", "username", f.get("username"), "domain", "acme.sip.io")
            : Map.of("status", "fail", "message", "invalid credentials", "blacklist", 0));
    }

    private void presence(final HttpExchange exchange) throws IOException
    {
        final Map<String, String> f = form(exchange);
        if ("register".equals(f.get("type")) && f.get("contact").startsWith("sip:" + f.get("user") + "@"))
        {
            registers.incrementAndGet();
        }
        if ("dialog".equals(f.get("type")) && "terminated".equals(f.get("state")))
        {
            terminated.computeIfAbsent(f.get("callId"), k -> new AtomicInteger()).incrementAndGet();
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private void route(final HttpExchange exchange) throws IOException
    {
        final Map<String, String> f = form(exchange);
        routes.add(f);
        if (routeStatus != 200)
        {
            exchange.sendResponseHeaders(routeStatus, -1);
            exchange.close();
            return;
        }
        final Map<String, Object> rtjson = "+12025550123".equals(f.get("to"))
            ? Map.of("action", "flow", "account_id", "acc_1", "flow_id", "flow_1")
            : Map.of("action", "outbound", "account_id", "acc_1", "version", "1.0", "routing", "serial",
                "routes", List.of(Map.of("uri", "sip:" + f.get("to") + "@gw.example.net")));
        json(exchange, Map.of("rtjson", rtjson));
    }

    private void flow(final HttpExchange exchange) throws IOException
    {
        final Map<?, ?> body = (Map<?, ?>)Json.parse(exchange.getRequestBody().readAllBytes(), 0,
            Integer.parseInt(exchange.getRequestHeaders().getFirst("Content-Length")));
        final String callId = (String)body.get("callId");
        final int n = flowRequests.computeIfAbsent(callId, k -> new AtomicInteger()).incrementAndGet();
        if (n > 3)
        {
            stepsAfterHangup.incrementAndGet();
        }
        final Map<String, Object> command = n >= 3
            ? Map.of("type", "hangup")
            : Map.of("type", "gather", "prompt", "media:menu.wav", "numDigits", 1, "timeoutMs", 5000);
        json(exchange, Map.of("callId", callId, "step", n - 1, "command", command));
    }

    private static Map<String, String> form(final HttpExchange exchange) throws IOException
    {
        final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        final Map<String, String> fields = new HashMap<>();
        for (final String pair : body.split("&"))
        {
            final int eq = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    private static void json(final HttpExchange exchange, final Object tree) throws IOException
    {
        final byte[] bytes = Json.write(tree);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
