package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET|PUT /media/{key}} over real sockets against a real server (embedded PostgreSQL, real
 * files): round trips, replacement, ranges, key validation, size limits, vanished uploaders, and
 * readers during an upload.
 */
class MediaRoutesTest
{
    static final int MAX_UPLOAD = 4 << 20;
    static final int MAX_RESPONSE = 1 << 20;

    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static int port;
    static Path mediaDir;

    @BeforeAll
    static void start()
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("media_routes"), Map.of(
            MediaSettings.MEDIA_MAX_BYTES, Integer.toString(MAX_UPLOAD),
            MediaSettings.MEDIA_MAX_RESPONSE_BYTES, Integer.toString(MAX_RESPONSE),
            MediaSettings.TTS_ENGINE, "none"));
        port = server.port(SurfaceKind.CONTROL_PLANE);
        mediaDir = dataDir.resolve("media");
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    static HttpResponse<byte[]> put(final String key, final byte[] body) throws Exception
    {
        return TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/media/" + key))
            .timeout(Duration.ofSeconds(20)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> get(final String key, final String... headers) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/media/" + key))
            .timeout(Duration.ofSeconds(20)).GET();
        for (int i = 0; i < headers.length; i += 2)
        {
            b.header(headers[i], headers[i + 1]);
        }
        return TestServers.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(final HttpResponse<byte[]> r)
    {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String errorCode(final byte[] body)
    {
        @SuppressWarnings("unchecked")
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(new String(body, StandardCharsets.UTF_8)).get("error");
        assertNotNull(error, new String(body, StandardCharsets.UTF_8));
        return (String)error.get("code");
    }

    static byte[] random(final int n, final long seed)
    {
        final byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(final byte[] b) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** @return every regular file under the media directory, relative, sorted. */
    static List<String> mediaFiles() throws IOException
    {
        if (!Files.exists(mediaDir))
        {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(mediaDir))
        {
            return s.filter(Files::isRegularFile).map(p -> mediaDir.relativize(p).toString()).sorted().toList();
        }
    }

    static boolean uploadInProgress() throws IOException
    {
        return mediaFiles().stream().anyMatch(f -> f.contains(LocalMediaStore.TEMP_PREFIX));
    }

    @Test
    void shouldRoundTripAnObject() throws Exception
    {
        final byte[] content = random(300_000, 1);
        final HttpResponse<byte[]> put = put("vm/acc_1/rec-1.wav", content);
        assertEquals(201, put.statusCode(), text(put));
        final Map<String, Object> body = TestServers.json(text(put));
        assertEquals("vm/acc_1/rec-1.wav", body.get("key"));
        assertEquals((long)content.length, body.get("size"));
        assertEquals(sha256(content), body.get("sha256"));
        assertEquals("/media/vm/acc_1/rec-1.wav", put.headers().firstValue("location").orElse(null));

        final HttpResponse<byte[]> get = get("vm/acc_1/rec-1.wav");
        assertEquals(200, get.statusCode());
        assertArrayEquals(content, get.body());
        assertEquals("audio/wav", get.headers().firstValue("content-type").orElse(null));
        assertEquals(Integer.toString(content.length), get.headers().firstValue("content-length").orElse(null));
        assertEquals("bytes", get.headers().firstValue("accept-ranges").orElse(null));
        assertTrue(get.headers().firstValue("last-modified").orElse("").endsWith(" GMT"));
        final String etag = get.headers().firstValue("etag").orElse(null);
        assertNotNull(etag);
        assertEquals(put.headers().firstValue("etag").orElse(null), etag, "PUT and GET agree on the entity tag");
        assertEquals(List.of("vm/acc_1/rec-1.wav"), mediaFiles().stream().filter(f -> f.startsWith("vm/acc_1/")).toList());
    }

    @Test
    void shouldAnswer200WhenReplacing() throws Exception
    {
        assertEquals(201, put("replace/me.json", "{\"v\":1}".getBytes(StandardCharsets.UTF_8)).statusCode());
        final String etag1 = get("replace/me.json").headers().firstValue("etag").orElseThrow();
        final HttpResponse<byte[]> again = put("replace/me.json", "{\"v\":22}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, again.statusCode(), text(again));
        assertEquals(8L, TestServers.json(text(again)).get("size"));
        final HttpResponse<byte[]> get = get("replace/me.json");
        assertEquals("{\"v\":22}", text(get));
        assertEquals("application/json", get.headers().firstValue("content-type").orElse(null));
        assertNotEquals(etag1, get.headers().firstValue("etag").orElseThrow());
    }

    @Test
    void shouldServeSingleRanges() throws Exception
    {
        final byte[] content = random(1000, 2);
        assertEquals(201, put("ranges/a.ogg", content).statusCode());

        final HttpResponse<byte[]> first = get("ranges/a.ogg", "Range", "bytes=0-99");
        assertEquals(206, first.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, 0, 100), first.body());
        assertEquals("bytes 0-99/1000", first.headers().firstValue("content-range").orElse(null));
        assertEquals("100", first.headers().firstValue("content-length").orElse(null));
        assertEquals("audio/ogg", first.headers().firstValue("content-type").orElse(null));

        final HttpResponse<byte[]> open = get("ranges/a.ogg", "Range", "bytes=900-");
        assertEquals(206, open.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, 900, 1000), open.body());
        assertEquals("bytes 900-999/1000", open.headers().firstValue("content-range").orElse(null));

        final HttpResponse<byte[]> suffix = get("ranges/a.ogg", "Range", "bytes=-10");
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, 990, 1000), suffix.body());
        assertEquals("bytes 990-999/1000", suffix.headers().firstValue("content-range").orElse(null));

        final HttpResponse<byte[]> clamped = get("ranges/a.ogg", "Range", "bytes=995-5000");
        assertEquals(206, clamped.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, 995, 1000), clamped.body());
        assertEquals("bytes 995-999/1000", clamped.headers().firstValue("content-range").orElse(null));
    }

    @Test
    void shouldAnswer416ForAnUnsatisfiableRange() throws Exception
    {
        assertEquals(201, put("ranges/b.bin", random(1000, 3)).statusCode());
        final HttpResponse<byte[]> r = get("ranges/b.bin", "Range", "bytes=1000-");
        assertEquals(416, r.statusCode());
        assertEquals("bytes */1000", r.headers().firstValue("content-range").orElse(null));
        assertEquals("range_not_satisfiable", errorCode(r.body()));

        assertEquals(201, put("ranges/empty.txt", new byte[0]).statusCode());
        assertEquals(0, get("ranges/empty.txt").body().length);
        final HttpResponse<byte[]> empty = get("ranges/empty.txt", "Range", "bytes=-5");
        assertEquals(416, empty.statusCode());
        assertEquals("bytes */0", empty.headers().firstValue("content-range").orElse(null));
    }

    @Test
    void shouldAnswerTheWholeObjectForSeveralRangesOrAStaleIfRange() throws Exception
    {
        final byte[] content = random(500, 4);
        assertEquals(201, put("ranges/c.mp3", content).statusCode());
        final HttpResponse<byte[]> multi = get("ranges/c.mp3", "Range", "bytes=0-1,5-6");
        assertEquals(200, multi.statusCode());
        assertArrayEquals(content, multi.body());
        assertEquals("audio/mpeg", multi.headers().firstValue("content-type").orElse(null));

        final String etag = multi.headers().firstValue("etag").orElseThrow();
        assertEquals(206, get("ranges/c.mp3", "Range", "bytes=0-9", "If-Range", etag).statusCode());
        final HttpResponse<byte[]> stale = get("ranges/c.mp3", "Range", "bytes=0-9", "If-Range", "\"not-this-version\"");
        assertEquals(200, stale.statusCode());
        assertArrayEquals(content, stale.body());
    }

    @Test
    void shouldServeObjectsLargerThanOneAnswerInRanges() throws Exception
    {
        final byte[] content = random(MAX_RESPONSE + MAX_RESPONSE / 2, 5);
        assertEquals(201, put("big/moh.opus", content).statusCode());

        final HttpResponse<byte[]> whole = get("big/moh.opus");
        assertEquals(501, whole.statusCode());
        assertEquals("range_required", errorCode(whole.body()));

        final HttpResponse<byte[]> head = get("big/moh.opus", "Range", "bytes=0-");
        assertEquals(206, head.statusCode());
        assertEquals("bytes 0-" + (MAX_RESPONSE - 1) + "/" + content.length, head.headers().firstValue("content-range").orElse(null));
        assertArrayEquals(Arrays.copyOfRange(content, 0, MAX_RESPONSE), head.body());
        final HttpResponse<byte[]> tail = get("big/moh.opus", "Range", "bytes=" + MAX_RESPONSE + "-");
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, MAX_RESPONSE, content.length), tail.body());
        assertEquals("audio/opus", tail.headers().firstValue("content-type").orElse(null));
    }

    @Test
    void shouldRejectBadKeysAndWriteNothing() throws Exception
    {
        final List<String> before = mediaFiles();
        for (final String target : new String[] {"/media/../x", "/media/a/../../x", "/media//abs", "/media/a//b", "/media/a/",
            "/media/" + "k".repeat(300), "/media/%2e%2e/x", "/media/%2E%2E", "/media/%2Fabs", "/media/a%2F%2Fb", "/media/bad%zz",
            "/media/", "/media/sp%20ace", "/media/a/./b"})
        {
            final RawSocket.Response put = RawSocket.exchange(port, "PUT", target, "payload".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, put.status(), target + " " + put.text());
            // A malformed escape is refused by the route table itself (bad_request) before the handler sees it.
            assertEquals(target.contains("%zz") ? "bad_request" : "invalid_key", errorCode(put.body()), target);
            final RawSocket.Response get = RawSocket.exchange(port, "GET", target, null);
            assertEquals(400, get.status(), target + " " + get.text());
        }
        assertEquals(before, mediaFiles(), "a refused key writes nothing");
        assertFalse(Files.exists(dataDir.resolve("x")));
        assertFalse(Files.exists(dataDir.resolve("abs")));
    }

    @Test
    void shouldAnswer404ForAnAbsentKey() throws Exception
    {
        final HttpResponse<byte[]> r = get("no/such/object.wav");
        assertEquals(404, r.statusCode());
        assertEquals("not_found", errorCode(r.body()));
    }

    @Test
    void shouldAnswer409WhenAKeyCollidesWithTheLayout() throws Exception
    {
        assertEquals(201, put("layout/leaf", new byte[] {1}).statusCode());
        final HttpResponse<byte[]> under = put("layout/leaf/child", new byte[] {2});
        assertEquals(409, under.statusCode(), text(under));
        assertEquals("key_conflict", errorCode(under.body()));
        assertEquals(409, put("layout", new byte[] {3}).statusCode());
    }

    @Test
    void shouldRefuseADeclaredOversizeUploadBeforeReadingIt() throws Exception
    {
        try (RawSocket s = new RawSocket(port))
        {
            s.send("PUT /media/too/big.wav HTTP/1.1\r\nHost: t\r\nContent-Length: " + (MAX_UPLOAD + 1) + "\r\n\r\n");
            final RawSocket.Response r = s.read();
            assertEquals(413, r.status(), r.text());
            assertEquals("payload_too_large", errorCode(r.body()));
        }
        assertFalse(Files.exists(mediaDir.resolve("too")), "refused on the head alone: not even a directory");
    }

    @Test
    void shouldAbortAChunkedUploadThatCrossesTheLimit() throws Exception
    {
        try (RawSocket s = new RawSocket(port))
        {
            s.send("PUT /media/chunky/big.wav HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
            final byte[] chunk = new byte[1 << 20];
            try
            {
                for (int i = 0; i < 5; i++)
                {
                    s.send(Integer.toHexString(chunk.length) + "\r\n").send(chunk).send("\r\n");
                }
            }
            catch (final IOException closedUnderUs)
            {
                // the server may close while we are still sending
            }
            final RawSocket.Response r = s.read();
            assertEquals(413, r.status(), r.text());
        }
        TestServers.await("the aborted upload's file to go", 10_000, () -> !uploadInProgressQuietly());
        assertEquals(List.of(), mediaFiles().stream().filter(f -> f.startsWith("chunky/")).toList());
    }

    @Test
    void shouldLeaveNothingWhenTheUploaderVanishes() throws Exception
    {
        try (RawSocket s = new RawSocket(port))
        {
            s.send("PUT /media/vanish/rec.wav HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n");
            s.send(new byte[100_000]);
            TestServers.await("the upload to start", 10_000, MediaRoutesTest::uploadInProgressQuietly);
        }
        TestServers.await("the upload to be aborted", 10_000, () -> !uploadInProgressQuietly());
        assertFalse(Files.exists(mediaDir.resolve("vanish/rec.wav")));
        assertEquals(List.of(), mediaFiles().stream().filter(f -> f.startsWith("vanish/")).toList());
        assertEquals(404, get("vanish/rec.wav").statusCode());
    }

    @Test
    void shouldServeTheOldObjectWhileAnUploadOfTheSameKeyIsInProgress() throws Exception
    {
        final byte[] v1 = random(50_000, 6);
        final byte[] v2 = random(80_000, 7);
        assertEquals(201, put("atomic/greeting.wav", v1).statusCode());
        try (RawSocket s = new RawSocket(port))
        {
            s.send("PUT /media/atomic/greeting.wav HTTP/1.1\r\nHost: t\r\nContent-Length: " + v2.length + "\r\n\r\n");
            s.send(Arrays.copyOfRange(v2, 0, v2.length / 2));
            TestServers.await("the upload to start", 10_000, MediaRoutesTest::uploadInProgressQuietly);

            final HttpResponse<byte[]> during = get("atomic/greeting.wav");
            assertEquals(200, during.statusCode());
            assertArrayEquals(v1, during.body(), "a reader sees the complete old object during the upload");

            s.send(Arrays.copyOfRange(v2, v2.length / 2, v2.length));
            final RawSocket.Response done = s.read();
            assertEquals(200, done.status(), done.text());
            assertEquals(sha256(v2), TestServers.json(done.text()).get("sha256"));
        }
        assertArrayEquals(v2, get("atomic/greeting.wav").body());
        assertFalse(uploadInProgress());
    }

    private static boolean uploadInProgressQuietly()
    {
        try
        {
            return uploadInProgress();
        }
        catch (final IOException e)
        {
            return false; // a file vanished while we listed: look again
        }
    }
}
