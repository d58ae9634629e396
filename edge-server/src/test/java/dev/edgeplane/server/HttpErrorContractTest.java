package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP contract every surface shares, over real sockets: error statuses with the one error body
 * and a matching request id, body limits enforced before buffering, timeouts, pipelining, 503 on a
 * full shard queue.
 */
public class HttpErrorContractTest
{
    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static int telapi;

    @BeforeAll
    static void start()
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("http_contract"), Map.of(
            EdgeSettings.REQUEST_TIMEOUT_MS, "1000",
            EdgeSettings.IDLE_TIMEOUT_MS, "1500",
            "EDGEPLANE_IO_THREADS", "2",
            "EDGEPLANE_SHARDS", "2",
            "EDGEPLANE_SHARD_QUEUE", "4"));
        telapi = server.port(SurfaceKind.TELAPI);
    }

    @AfterAll
    static void stop()
    {
        TestSurface.RELEASE_SHARD.countDown();
        server.close();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> assertError(final int status, final String code, final int actualStatus,
        final String requestIdHeader, final String body)
    {
        assertEquals(status, actualStatus, body);
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(body).get("error");
        assertNotNull(error, body);
        assertEquals(code, error.get("code"), body);
        assertTrue(error.get("message") instanceof String m && !m.isEmpty(), body);
        assertNotNull(requestIdHeader, "X-Request-Id header missing");
        assertEquals(requestIdHeader, error.get("request_id"), "error body request_id must equal X-Request-Id");
        assertTrue(error.get("details") instanceof Map, "details is always an object: " + body);
        return error;
    }

    static Map<String, Object> assertError(final int status, final String code, final HttpResponse<String> r)
    {
        return assertError(status, code, r.statusCode(), r.headers().firstValue("x-request-id").orElse(null), r.body());
    }

    public static Map<String, Object> assertError(final int status, final String code, final RawHttp.Response r)
    {
        return assertError(status, code, r.status(), r.header("x-request-id"), r.body());
    }

    @Test
    void shouldAnswer404WithTheErrorBody() throws Exception
    {
        assertError(404, "not_found", TestServers.get(telapi, "/no/such/thing"));
    }

    @Test
    void shouldEchoTheClientsRequestId() throws Exception
    {
        final HttpResponse<String> r = TestServers.CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + telapi + "/nope")).header("X-Request-Id", "abc-123").build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals("abc-123", r.headers().firstValue("x-request-id").orElseThrow());
        assertError(404, "not_found", r);
    }

    @Test
    void shouldGenerateARequestIdOnSuccessToo() throws Exception
    {
        final HttpResponse<String> r = TestServers.post(telapi, "/test/echo", "application/json", "{\"a\":1}");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("x-request-id").orElse("").length() > 8);
        assertEquals(1L, TestServers.json(r.body()).get("a"));
    }

    @Test
    void shouldAnswer405WithAllow() throws Exception
    {
        final HttpResponse<String> r = TestServers.get(telapi, "/test/echo");
        assertError(405, "method_not_allowed", r);
        assertEquals("POST", r.headers().firstValue("allow").orElseThrow());
    }

    @Test
    void shouldAnswer400ForMalformedJson() throws Exception
    {
        assertError(400, "malformed_body", TestServers.post(telapi, "/test/echo", "application/json", "{\"a\":"));
        assertError(400, "malformed_body", TestServers.post(telapi, "/test/echo", "application/json", "{\"a\":1,\"a\":2}"));
    }

    @Test
    void shouldAnswer400ForMalformedForm() throws Exception
    {
        assertError(400, "malformed_body",
            TestServers.post(telapi, "/test/echo", "application/x-www-form-urlencoded", "a=%C3%28"));
    }

    @Test
    void shouldAcceptFormBodies() throws Exception
    {
        final HttpResponse<String> r =
            TestServers.post(telapi, "/test/echo", "application/x-www-form-urlencoded", "callId=abc&to=%2B1202");
        assertEquals(200, r.statusCode());
        assertEquals("+1202", TestServers.json(r.body()).get("to"));
    }

    @Test
    void shouldAnswer415ForAnUnsupportedMediaType() throws Exception
    {
        assertError(415, "unsupported_media_type", TestServers.post(telapi, "/test/echo", "text/xml", "<a/>"));
    }

    @Test
    void shouldRefuseAnOversizeBodyBeforeReadingIt() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            // Announce 50 MB and send none of it: an answer can only come from the declared length.
            raw.send("POST /test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n");
            final RawHttp.Response r = raw.read();
            assertError(413, "payload_too_large", r);
            assertEquals("close", r.header("connection"));
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void shouldRefuseAnOversizeChunkedBodyOnceItCrossesTheLimit() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("POST /test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            final String chunk = "x".repeat(600);
            raw.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            raw.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            assertError(413, "payload_too_large", raw.read());
        }
    }

    @Test
    void shouldAnswer431ForOversizeHeaders() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            final RawHttp.Response r = raw.read();
            assertError(431, "header_too_large", r);
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void shouldAnswer400ForAGarbledRequest() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: nope\r\n\r\n");
            assertError(400, "bad_request", raw.read());
        }
    }

    @Test
    void shouldAnswer500WithoutLeakingTheCause() throws Exception
    {
        final HttpResponse<String> r = TestServers.get(telapi, "/test/boom");
        assertError(500, "internal_error", r);
        assertFalse(r.body().contains("deliberate"), "the exception message must not reach the client");
        assertFalse(r.body().contains("IllegalStateException"));
    }

    @Test
    void shouldAnswer501ForRoadmapStubs() throws Exception
    {
        final int controlPlane = server.port(SurfaceKind.CONTROL_PLANE);
        assertError(501, "not_implemented", TestServers.post(controlPlane, "/v1/calls", "application/json", "{}"));
        assertError(501, "not_implemented", TestServers.post(controlPlane, "/hooks/carrier", "application/json", "{}"));
    }

    /**
     * Shards live on the I/O loops: a connection on loop 1 hands work to shard 0 (owned by loop 0)
     * through its bounded queue. With loop 0 held, the queue fills and the next hand-off is refused.
     */
    @Test
    void shouldAnswer503WithRetryAfterWhenTheShardQueueIsFull() throws Exception
    {
        final List<RawHttp> others = new ArrayList<>();
        RawHttp raw = null;
        try
        {
            for (int i = 0; i < 16 && raw == null; i++)
            {
                final RawHttp candidate = new RawHttp(telapi);
                candidate.send("GET /test/owned-shards HTTP/1.1\r\nHost: t\r\n\r\n");
                final RawHttp.Response owned = candidate.read();
                assertEquals(200, owned.status());
                if (owned.body().contains("0"))
                {
                    others.add(candidate);
                }
                else
                {
                    raw = candidate;
                }
            }
            assertNotNull(raw, "no connection landed on a loop that does not own shard 0");
            raw.send("POST /test/block-shard/0 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
            assertEquals(202, raw.read().status());
            raw.send("POST /test/fill-shard/0 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
            final RawHttp.Response filled = raw.read();
            assertEquals(202, filled.status());
            final var writer = server.runtime().shards().get(0);
            assertEquals(writer.queueCapacity(), writer.queueDepth(), filled.body());

            raw.send("POST /test/shard/0 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
            final RawHttp.Response refused = raw.read();
            assertError(503, "overloaded", refused);
            assertEquals("1", refused.header("retry-after"));
            assertEquals(0, server.runtime().inFlight(), "a refused hand-off is answered, not left in flight");

            TestSurface.RELEASE_SHARD.countDown();
            TestServers.await("shard 0 to drain", 10_000, () -> writer.queueDepth() == 0);
            raw.send("POST /test/shard/0 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
            assertEquals(204, raw.read().status(), "the same connection is served once the shard drains");
        }
        finally
        {
            TestSurface.RELEASE_SHARD.countDown();
            if (raw != null)
            {
                raw.close();
            }
            for (final RawHttp other : others)
            {
                other.close();
            }
        }
    }

    /** RFC 9112 §6.1: both framings at once is how requests are smuggled; refused, never guessed. */
    @Test
    void shouldRefuseContentLengthTogetherWithChunkedAndClose() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("POST /test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"a\":1}\r\n0\r\n\r\nGET /test/owned-shards HTTP/1.1\r\nHost: t\r\n\r\n");
            final RawHttp.Response r = raw.read();
            assertError(400, "bad_request", r);
            assertEquals("close", r.header("connection"));
            assertTrue(raw.closedByServer(), "nothing after a refused framing is read as a request");
        }
    }

    /** A bad chunk after a complete-looking body must not be taken as the end of it: nothing is recorded. */
    @Test
    void shouldRefuseAMalformedChunkAndChangeNothing() throws Exception
    {
        final String body = "{\"id\":\"chunk-bad-1\"}";
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("POST /test/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\nZZ\r\n\r\n");
            final RawHttp.Response r = raw.read();
            assertError(400, "bad_request", r);
            assertTrue(raw.closedByServer());
        }
        assertError(404, "not_found", TestServers.get(telapi, "/test/events/chunk-bad-1"));
    }

    /** RFC 9110 §9.3.2: HEAD wherever GET is served, with the GET's headers and no body. */
    @Test
    void shouldAnswerHeadLikeGetWithoutTheBody() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("HEAD /test/owned-shards HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            final String all = new String(raw.socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertTrue(all.matches("(?s).*content-length: [1-9][0-9]*\r\n.*"), all);
            assertTrue(all.endsWith("\r\n\r\n"), "no body after the head: " + all);
        }
    }

    /** RFC 9112 §3.2.2: a server accepts the absolute form of the request target. */
    @Test
    void shouldRouteAnAbsoluteFormTarget() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET http://edge.example:3001/test/owned-shards HTTP/1.1\r\nHost: edge.example\r\n\r\n");
            assertEquals(200, raw.read().status());
        }
    }

    @Test
    void shouldRefuseOtherHttpVersionsWith505() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET /test/owned-shards HTTP/1.2\r\nHost: t\r\n\r\n");
            assertError(505, "http_version_not_supported", raw.read());
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void shouldAnswerHttp10WithoutKeepAliveAndClose() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET /test/owned-shards HTTP/1.0\r\nHost: t\r\n\r\n");
            final RawHttp.Response r = raw.read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void shouldAnswer500WhenAShardCommandThrows() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("POST /test/shard-throws HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
            final RawHttp.Response r = raw.read();
            assertError(500, "internal_error", r);
            assertFalse(r.body().contains("deliberate"), "the exception message must not reach the client");
            raw.send("POST /test/shard/0 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
            assertEquals(204, raw.read().status(), "the connection and the shard keep serving");
        }
    }

    @Test
    void shouldAnswer503WhenAShardCommandNeverAnswers() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("POST /test/shard-silent HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
            final RawHttp.Response r = raw.read();
            assertError(503, "deadline_exceeded", r);
            assertEquals("close", r.header("connection"));
            assertTrue(raw.closedByServer());
        }
        TestServers.await("the in-flight count to return to zero", 5_000, () -> server.runtime().inFlight() == 0);
    }

    @Test
    void shouldAnswer408WhenARequestTrickles() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("POST /test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"a\"");
            final RawHttp.Response r = raw.read();
            assertError(408, "request_timeout", r);
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void shouldAnswer408WhenHeadersNeverFinish() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET /health HTTP/1.1\r\nHost: t\r\n");
            assertError(408, "request_timeout", raw.read());
        }
    }

    @Test
    void shouldCloseAnIdleConnection() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.read().status());
            assertTrue(raw.closedByServer(), "an idle keep-alive connection is closed after the idle timeout");
        }
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            raw.send("GET /test/slow?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
                + "POST /test/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"b\":2}");
            final RawHttp.Response first = raw.read();
            final RawHttp.Response second = raw.read();
            final RawHttp.Response third = raw.read();
            assertEquals(200, first.status());
            assertEquals("{\"slow\":true}", first.body());
            assertError(404, "not_found", second);
            assertEquals(200, third.status());
            assertEquals("{\"b\":2}", third.body());
        }
    }

    @Test
    void shouldAnswerARequestThatArrivesOneByteAtATime() throws Exception
    {
        try (RawHttp raw = new RawHttp(telapi))
        {
            final String request = "\r\nPOST /test/echo HTTP/1.1\nHost: t\nContent-Type: application/json\n"
                + "Transfer-Encoding: chunked\n\n3\r\n{\"c\r\n4\r\n\":3}\r\n0\r\n\r\n";
            for (final char c : request.toCharArray())
            {
                raw.send(String.valueOf(c));
            }
            final RawHttp.Response r = raw.read();
            assertEquals(200, r.status(), r.body());
            assertEquals("{\"c\":3}", r.body());
        }
    }

    @Test
    void shouldRefuseAmbiguousHeadsAndClose() throws Exception
    {
        final String[][] cases = {
            {"400", "GET /health HTTP/1.1\r\n\r\n"},
            {"400", "GET /health HTTP/1.1\r\nHost: t\r\nX-A: b\r\n folded\r\n\r\n"},
            {"400", "GET /health HTTP/1.1\r\nHost: t\r\nX-A : b\r\n\r\n"},
            {"501", "POST /test/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"},
        };
        for (final String[] c : cases)
        {
            try (RawHttp raw = new RawHttp(telapi))
            {
                raw.send(c[1]);
                final RawHttp.Response r = raw.read();
                assertEquals(Integer.parseInt(c[0]), r.status(), c[1]);
                assertEquals("close", r.header("connection"), c[1]);
                assertTrue(raw.closedByServer(), c[1]);
            }
        }
    }

    @Test
    void shouldStopReadingAClientThatPipelinesAndNeverReads() throws Exception
    {
        // 50 000 requests of 6 KB (300 MB) and their 404 answers: a server that kept reading would take
        // them all and hold the answers in memory; this one stops reading at its write high-water mark,
        // so the client's writes block (once the loopback socket buffers are full) until it reads. The
        // kernel's buffers are what the count must dwarf: with tcp_rmem's maximum at 32 MB (some machines)
        // the server's receive buffer alone takes ~5 500 requests and its send buffer ~8 000 answers. The
        // client's receive buffer is fixed at 64 KB, or autotuning would let it take every answer.
        final int count = 50_000;
        final String request = "GET /nope HTTP/1.1\r\nHost: t\r\nX-Pad: " + "p".repeat(6000) + "\r\n\r\n";
        try (RawHttp raw = new RawHttp(telapi, 64 * 1024))
        {
            final java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final byte[] bytes = request.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    for (int i = 0; i < count; i++)
                    {
                        raw.send(bytes);
                        sent.incrementAndGet();
                    }
                }
                catch (final java.io.IOException e)
                {
                    sent.set(-1);
                }
            });
            writer.start();
            Thread.sleep(1500);
            final int sentWhileNotReading = sent.get();
            assertTrue(sentWhileNotReading > 0 && sentWhileNotReading < count / 2,
                "the server kept reading a client that does not read: " + sentWhileNotReading + " of " + count + " sent");
            for (int i = 0; i < count; i++)
            {
                assertEquals(404, raw.read().status(), "answer " + i);
            }
            writer.join(10_000);
            assertEquals(count, sent.get(), "every request was taken once the client read");
        }
    }

    @Test
    void shouldServeHealthWithRealChecks() throws Exception
    {
        final HttpResponse<String> r = TestServers.get(telapi, "/health");
        assertEquals(200, r.statusCode(), r.body());
        final Map<String, Object> health = TestServers.json(r.body());
        assertEquals("ok", health.get("status"), r.body());
        @SuppressWarnings("unchecked")
        final Map<String, Map<String, Object>> checks = (Map<String, Map<String, Object>>)health.get("checks");
        assertEquals("up", checks.get("postgres").get("status"));
        assertEquals("ok", checks.get("journal").get("status"));
        assertTrue(((Map<?, ?>)checks.get("state").get("stores")).containsKey("test-events"));

        final HttpResponse<String> services = TestServers.get(server.port(SurfaceKind.SERVICES), "/healthz");
        assertEquals(200, services.statusCode());
        assertEquals("ok", TestServers.json(services.body()).get("status"));
    }

    @Test
    void shouldServePrometheusMetrics() throws Exception
    {
        TestServers.post(telapi, "/test/echo", "application/json", "{}");
        final HttpResponse<String> r = TestServers.get(server.port(SurfaceKind.CONTROL_PLANE), "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        final String text = r.body();
        final Exposition metrics = Exposition.parse(text);
        final String[] echo = {"surface", "telapi", "route", "/test/echo", "method", "POST"};
        assertTrue(metrics.value("edgeplane_http_requests_total", "surface", "telapi", "route", "/test/echo", "method", "POST",
            "code", "2xx") >= 1, text);
        assertTrue(metrics.value("edgeplane_http_request_duration_seconds_count", echo) >= 1, text);
        assertTrue(metrics.value("edgeplane_journal_lag_events") >= 0, text);
        assertTrue(metrics.value("edgeplane_shard_queue_depth", "shard", "0") >= 0, text);
        assertTrue(metrics.value("edgeplane_connections_open") >= 1, text);
    }
}
