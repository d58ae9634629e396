package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.RawWebSocket;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TelAPI gateway end to end: a real server, a loopback ARI ({@link AriStub}), and real browser
 * WebSocket clients. Call tokens from web-user tokens made by next-auth / jose; fan-out per channel;
 * commands to ARI REST with acks; ARI drop and resync; token expiry; forged tokens; a slow browser.
 */
class ChannelGatewayTest
{
    @TempDir
    static Path dataDir;
    static AriStub ari;
    static EdgeServer server;
    static int port;

    @BeforeAll
    static void start() throws Exception
    {
        ari = new AriStub("asterisk", "ari-secret", "telapi-test");
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("telapi_gw"), Map.of(
            "EDGEPLANE_SURFACES", "telapi",
            "JWT_SECRET", TokenVectors.secret(),
            "DOMAIN_TELPRO", "telpro.example.com",
            "ARI_URL", ari.url(),
            "ARI_USERNAME", "asterisk",
            "ARI_PASSWORD", "ari-secret",
            "ARI_APP", "telapi-test",
            "TELAPI_ARI_RECONNECT_MIN_MS", "50",
            "TELAPI_ARI_RECONNECT_MAX_MS", "200",
            "OTEL_ENABLED", "false"));
        port = server.port(SurfaceKind.TELAPI);
        TestServers.await("the gateway's ARI events connection", 10_000, () -> ari.eventSockets() == 1);
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
        if (ari != null)
        {
            ari.close();
        }
    }

    private static HttpResponse<String> tokensCall(final String bearer, final String body) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tokens/call"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null)
        {
            b.header("Authorization", "Bearer " + bearer);
        }
        return TestServers.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A call token for a channel, from a NextAuth session token made by next-auth. */
    private static String callToken(final String channelId) throws Exception
    {
        final HttpResponse<String> r = tokensCall(TokenVectors.nextAuth("valid"), "{\"channelId\":\"" + channelId + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return (String)TestServers.json(r.body()).get("token");
    }

    private static BrowserClient browser(final String channelId) throws Exception
    {
        final BrowserClient b = BrowserClient.connect(port, callToken(channelId));
        b.await("\"type\":\"hello\"");
        return b;
    }

    @Test
    void shouldIssueCallTokensToWebUsersOfBothKinds() throws Exception
    {
        final HttpResponse<String> r = tokensCall(TokenVectors.nextAuth("valid"), "{\"channelId\":\"chan-9\",\"endpoint\":\"PJSIP/1001\"}");
        assertEquals(201, r.statusCode(), r.body());
        final Map<String, Object> body = TestServers.json(r.body());
        final var jwt = JWT.require(Algorithm.HMAC256(TokenVectors.secret().getBytes(StandardCharsets.UTF_8)))
            .withAudience(CallTokens.AUDIENCE).build().verify((String)body.get("token"));
        assertEquals("user-42", jwt.getSubject());
        assertEquals("chan-9", jwt.getClaim("channel").asString());
        assertTrue(jwt.getId() != null && !jwt.getId().isEmpty());
        assertEquals(jwt.getExpiresAtAsInstant(), Instant.parse((String)body.get("expiresAt")));
        assertTrue(jwt.getExpiresAtAsInstant().isAfter(Instant.now()));
        assertEquals("wss://telpro.example.com:8089/ws", ((Map<?, ?>)body.get("webrtc")).get("wsServer"));

        // TelWeb's session cookie works like the bearer.
        final HttpResponse<String> cookie = TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tokens/call"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .header("Cookie", "theme=dark; __Secure-next-auth.session-token=" + TokenVectors.nextAuth("valid"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"channelId\":\"chan-10\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, cookie.statusCode(), cookie.body());

        final HttpResponse<String> hs = tokensCall(TokenVectors.hs256("valid"), "{}");
        assertEquals(201, hs.statusCode(), hs.body());
        final String channel = (String)TestServers.json(hs.body()).get("channelId");
        assertTrue(channel.startsWith("telapi-"), "a fresh channel id is bound when none is given: " + channel);
    }

    @Test
    void shouldRefuseWrongSecretAndForgedBearersWith401NamingTheCause() throws Exception
    {
        for (final String token : List.of(TokenVectors.nextAuth("wrongSecret"), TokenVectors.hs256("wrongSecret"), TokenVectors.hs256("tampered")))
        {
            final HttpResponse<String> r = tokensCall(token, "{\"channelId\":\"c\"}");
            assertEquals(401, r.statusCode(), r.body());
            assertTrue(r.body().contains("JWT_SECRET drift between API and TelWeb"), r.body());
            assertEquals("Bearer error=\"invalid_token\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        assertEquals(401, tokensCall(null, "{}").statusCode());
        assertEquals(401, tokensCall(TokenVectors.hs256("algNone"), "{}").statusCode());
        assertEquals(401, tokensCall(TokenVectors.nextAuth("expired"), "{}").statusCode());
        assertEquals(400, tokensCall(TokenVectors.hs256("valid"), "{\"channelId\":\"bad id with spaces\"}").statusCode());
    }

    @Test
    void shouldRefuseAForgedCallTokenBeforeTheUpgrade() throws Exception
    {
        final String forged = JWT.create().withIssuer(CallTokens.ISSUER).withAudience(CallTokens.AUDIENCE).withSubject("user-42")
            .withExpiresAt(Instant.now().plusSeconds(300)).withJWTId("x").withClaim("channel", "chan-A")
            .sign(Algorithm.HMAC256(TokenVectors.otherSecret().getBytes(StandardCharsets.UTF_8)));
        for (final String token : List.of(forged, TokenVectors.hs256("valid"), "garbage"))
        {
            final ExecutionException e = assertThrows(ExecutionException.class, () -> BrowserClient.connect(port, token));
            assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(401, ((WebSocketHandshakeException)e.getCause()).getResponse().statusCode());
        }
    }

    @Test
    void shouldFanOutEachChannelsEventsOnlyToItsBrowsers() throws Exception
    {
        final BrowserClient a1 = browser("fan-A");
        final BrowserClient a2 = browser("fan-A");
        final BrowserClient b = browser("fan-B");
        ari.send(AriStub.channelEvent("ChannelStateChange", "fan-A", "Ringing"));
        ari.send(AriStub.channelEvent("ChannelStateChange", "fan-B", "Up"));
        ari.send(AriStub.channelEvent("ChannelStateChange", "fan-C", "Up"));
        ari.send("{\"type\":\"PlaybackStarted\",\"playback\":{\"id\":\"pb1\",\"target_uri\":\"channel:fan-B\",\"state\":\"playing\"}}");
        ari.send("{\"type\":\"BridgeCreated\",\"bridge\":{\"id\":\"br1\"}}");
        ari.send(AriStub.channelEvent("ChannelDtmfReceived", "fan-A", "Up"));
        for (final BrowserClient a : List.of(a1, a2))
        {
            a.await("ChannelDtmfReceived");
            assertTrue(a.saw("\"state\":\"Ringing\""));
            assertFalse(a.saw("fan-B") || a.saw("fan-C") || a.saw("BridgeCreated"), a.frames.toString());
        }
        b.await("PlaybackStarted");
        assertTrue(b.saw("\"id\":\"fan-B\""));
        assertFalse(b.saw("fan-A") || b.saw("fan-C") || b.saw("BridgeCreated"), b.frames.toString());
        a1.close();
        a2.close();
        b.close();
    }

    @Test
    void shouldMapCommandsToAriRestAndAckEach() throws Exception
    {
        ari.channels.put("cmd-1", "{\"id\":\"cmd-1\",\"state\":\"Ring\"}");
        final BrowserClient c = browser("cmd-1");
        final String[][] cases = {
            {"{\"op\":\"answer\",\"id\":\"1\"}", "POST /ari/channels/cmd-1/answer"},
            {"{\"op\":\"dtmf\",\"id\":\"2\",\"dtmf\":\"12#\"}", "POST /ari/channels/cmd-1/dtmf?dtmf=12%23"},
            {"{\"op\":\"play\",\"id\":\"3\",\"media\":\"sound:hello-world\"}", "POST /ari/channels/cmd-1/play?media=sound%3Ahello-world"},
            {"{\"op\":\"hold\",\"id\":\"4\"}", "POST /ari/channels/cmd-1/hold"},
            {"{\"op\":\"unhold\",\"id\":\"5\"}", "DELETE /ari/channels/cmd-1/hold"},
            {"{\"op\":\"mute\",\"id\":\"6\",\"direction\":\"in\"}", "POST /ari/channels/cmd-1/mute?direction=in"},
            {"{\"op\":\"unmute\",\"id\":\"7\"}", "DELETE /ari/channels/cmd-1/mute?direction=both"},
            {"{\"op\":\"hangup\",\"id\":\"8\"}", "DELETE /ari/channels/cmd-1"},
        };
        for (int i = 0; i < cases.length; i++)
        {
            c.send(cases[i][0]);
            final String ack = c.await("{\"type\":\"ack\",\"id\":\"" + (i + 1) + "\"");
            assertTrue(ack.contains("\"ok\":true"), ack);
            assertTrue(ari.requests.contains(cases[i][1]), "ARI saw " + ari.requests);
        }

        // ARI refuses: the ack carries ARI's reason.
        ari.channels.remove("cmd-1");
        c.send("{\"op\":\"answer\",\"id\":\"gone\"}");
        final String refused = c.await("\"id\":\"gone\"");
        assertTrue(refused.contains("\"ok\":false") && refused.contains("ARI answered 404: Channel not found"), refused);

        // Bad commands are refused without reaching ARI.
        final int before = ari.requests.size();
        c.send("{\"op\":\"dtmf\",\"id\":\"bad-dtmf\",\"dtmf\":\"12x\"}");
        c.send("{\"op\":\"transfer\",\"id\":\"bad-op\"}");
        c.send("not json");
        assertTrue(c.await("\"id\":\"bad-dtmf\"").contains("\"ok\":false"));
        assertTrue(c.await("\"id\":\"bad-op\"").contains("unknown op"));
        assertTrue(c.await("not JSON").contains("\"ok\":false"));
        assertEquals(before, ari.requests.size(), "no ARI call for a refused command");
        c.close();
    }

    @Test
    void shouldResynchroniseWatchedChannelsAfterAnAriDrop() throws Exception
    {
        ari.channels.put("rs-1", "{\"id\":\"rs-1\",\"state\":\"Up\",\"name\":\"PJSIP/1001-0002\"}");
        final BrowserClient live = browser("rs-1");
        final BrowserClient gone = browser("rs-gone");
        final int connects = ari.eventConnects.get();
        ari.dropEventSockets();
        live.await("\"type\":\"ari\",\"state\":\"disconnected\"");
        TestServers.await("the gateway reconnecting", 10_000, () -> ari.eventConnects.get() > connects && ari.eventSockets() == 1);
        final String resync = live.await("\"type\":\"resync\"");
        assertTrue(resync.contains("\"channelId\":\"rs-1\"") && resync.contains("\"state\":\"Up\""), resync);
        assertTrue(gone.await("\"type\":\"resync\"").contains("\"gone\":true"));
        assertTrue(ari.requests.contains("GET /ari/channels/rs-1"));
        // Events flow again on the new connection.
        ari.send(AriStub.channelEvent("ChannelStateChange", "rs-1", "Ringing"));
        live.await("\"state\":\"Ringing\"");
        assertEquals(0, ari.refusedAuth.get(), "every connection authenticated with ARI_USERNAME / ARI_PASSWORD");
        live.close();
        gone.close();
    }

    @Test
    void shouldCloseTheSocketWhenItsCallTokenExpires() throws Exception
    {
        final String shortLived = JWT.create().withIssuer(CallTokens.ISSUER).withAudience(CallTokens.AUDIENCE).withSubject("user-42")
            .withExpiresAt(Instant.now().plusSeconds(2)).withJWTId("short").withClaim("channel", "exp-1")
            .sign(Algorithm.HMAC256(TokenVectors.secret().getBytes(StandardCharsets.UTF_8)));
        final BrowserClient c = BrowserClient.connect(port, shortLived);
        c.await("\"type\":\"hello\"");
        TestServers.await("the close at token expiry", 10_000, () -> c.closeCode >= 0);
        assertEquals(ChannelHub.TOKEN_EXPIRED, c.closeCode);
        assertEquals("call token expired", c.closeReason);
    }

    /** A browser that stops reading is dropped with 1008 while another on the same channel receives everything. */
    @Test
    void shouldDropASlowBrowserWhileOthersKeepReceiving() throws Exception
    {
        final BrowserClient fast = browser("slow-1");
        final String token = callToken("slow-1");
        try (Socket slow = new Socket())
        {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            slow.setSoTimeout(30_000);
            final OutputStream out = slow.getOutputStream();
            out.write(("GET /ws/channel?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            // ~1 KiB events, paced by what the fast browser has received, far past the slow one's queue and buffers.
            final String pad = "x".repeat(900);
            final int batches = 24;
            final int perBatch = 500;
            for (int batch = 0; batch < batches; batch++)
            {
                final List<String> events = new ArrayList<>(perBatch);
                for (int i = 0; i < perBatch; i++)
                {
                    events.add("{\"type\":\"ChannelVarset\",\"seq\":" + (batch * perBatch + i) + ",\"variable\":\"" + pad
                        + "\",\"channel\":{\"id\":\"slow-1\",\"state\":\"Up\"}}");
                }
                ari.sendAll(events);
                final long expected = (long)(batch + 1) * perBatch;
                TestServers.await("the fast browser's events", 20_000, () -> fast.count(f -> f.contains("ChannelVarset")) >= expected);
            }
            assertEquals(-1, fast.closeCode, "the fast browser stays connected");
            assertTrue(fast.saw("\"seq\":" + (batches * perBatch - 1) + ","));

            // The slow browser: the 101, some frames, then the server's close frame with 1008.
            final RawWebSocket.Closed closed = RawWebSocket.readUntilClose(slow.getInputStream());
            final int closeCode = closed.code();
            final int frames = closed.frames();
            assertEquals(1008, closeCode, "a browser that cannot keep up is dropped with policy violation");
            assertTrue(frames < batches * perBatch, "the slow browser did not get everything: " + frames);
        }
        fast.close();
    }
}
