package dev.edgeplane.server;

import static dev.edgeplane.server.HttpErrorContractTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers as values ({@link Answer}, {@link ShardCommand}, {@link RequestSlot}) over real sockets, with
 * the journal on group-commit fsync so the durability wait really waits: the server writes a command's
 * answer only once its journal position is durable (from the sync thread, hopping to the loop), with its
 * headers and a body encoded at write time; a failed command is 500; decode failures and invalid fields
 * are returned values; the first answer wins; a route's request object is reused on a connection.
 */
class AnswerTest
{
    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static int port;

    @BeforeAll
    static void start()
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("answer"), Map.of(
            "EDGEPLANE_JOURNAL_FSYNC", "batch",
            "EDGEPLANE_JOURNAL_FSYNC_INTERVAL_MS", "100"));
        port = server.port(SurfaceKind.TELAPI);
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    private static String post(final String path, final String json)
    {
        return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
            + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    @Test
    void shouldWriteTheAnswerOnlyOnceItsJournalPositionIsDurable() throws Exception
    {
        try (RawHttp raw = new RawHttp(port))
        {
            for (int i = 0; i < 5; i++)
            {
                final RawHttp.Response r = raw.send(post("/test/answer/journaled", "{\"name\":\"n" + i + "\"}")).read();
                assertEquals(200, r.status(), r.body());
                assertEquals("journaled", r.header("x-answer"));
                assertEquals("application/json", r.header("content-type"));
                final Map<String, Object> body = TestServers.json(r.body());
                assertEquals("n" + i, body.get("name"));
                final long seq = (Long)body.get("seq");
                final long durable = (Long)body.get("durable_at_write");
                assertTrue(seq > 0 && durable >= seq, "written when the journal was durable to " + durable + ", its entry is " + seq);
            }
        }
    }

    @Test
    void shouldReuseARoutesRequestObjectOnOneConnection() throws Exception
    {
        try (RawHttp raw = new RawHttp(port))
        {
            final Object first = TestServers.json(raw.send(post("/test/answer/journaled", "{\"name\":\"a\"}")).read().body()).get("object");
            final Object second = TestServers.json(raw.send(post("/test/answer/journaled", "{\"name\":\"b\"}")).read().body()).get("object");
            assertEquals(first, second, "the same request object carries each request of the connection");
        }
    }

    @Test
    void shouldAnswer500WhenACommandFailsAndKeepTheConnection() throws Exception
    {
        try (RawHttp raw = new RawHttp(port))
        {
            assertError(500, "internal_error", raw.send(post("/test/answer/throws", "{\"name\":\"x\"}")).read());
            assertEquals(200, raw.send(post("/test/answer/journaled", "{\"name\":\"after\"}")).read().status());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReturnDecodeFailuresAndInvalidFieldsAsAnswers() throws Exception
    {
        try (RawHttp raw = new RawHttp(port))
        {
            assertError(415, "unsupported_media_type", raw.send("POST /test/answer/journaled HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: text/xml\r\nContent-Length: 4\r\n\r\n<a/>").read());
            assertError(400, "malformed_body", raw.send(post("/test/answer/journaled", "{\"name\":")).read());
            final Map<String, Object> error = assertError(400, "invalid_request",
                raw.send(post("/test/answer/journaled", "{\"name\":\"\",\"note\":\"x\"}")).read());
            final List<Map<String, Object>> problems = (List<Map<String, Object>>)((Map<String, Object>)error.get("details")).get("problems");
            assertEquals("name", problems.get(0).get("path"));
            assertEquals("must not be empty", problems.get(0).get("message"));
            // An empty optional field is the same as an absent one.
            final RawHttp.Response r = raw.send(post("/test/answer/journaled", "{\"name\":\"n\",\"note\":\"\"}")).read();
            assertEquals(200, r.status(), r.body());
            assertNull(TestServers.json(r.body()).get("note"));
        }
    }

    @Test
    void shouldSendOnlyTheFirstAnswer() throws Exception
    {
        try (RawHttp raw = new RawHttp(port))
        {
            assertError(409, "first", raw.send(post("/test/answer/twice", "{}")).read());
            assertEquals(200, raw.send(post("/test/answer/journaled", "{\"name\":\"next\"}")).read().status(),
                "the ignored second answer does not meet the next request");
        }
    }
}
