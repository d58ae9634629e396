package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.persistence.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under load, on the production configuration (embedded PostgreSQL, no {@code DATABASE_URL}): a real
 * child JVM takes journaled writes from several clients, is sent SIGTERM mid-stream, and must
 * <ul>
 *     <li>exit 0 within its grace period;</li>
 *     <li>answer every request it took (200, or 503 while shutting down) and refuse the rest at the door
 *     (connection refused, or closed before a byte of the request was answered) — no request hangs, no
 *     other status, no truncated answer;</li>
 *     <li>leave no Chronicle open marker ({@code state/*.cm.open}), so the restart runs no recovery;</li>
 *     <li>have flushed every acknowledged write to PostgreSQL before stopping it, and still hold each in its
 *     off-heap state after the restart.</li>
 * </ul>
 * Each client opens a connection per request, so every request has exactly one fate.
 */
class ShutdownUnderLoadTest
{
    private static final int WRITERS = 6;
    private static final int READ_TIMEOUT_MS = 20_000;

    @TempDir
    Path dataDir;

    /** The fate of each request. */
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger answered200 = new AtomicInteger();
    private final AtomicInteger answered503 = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger closedUnanswered = new AtomicInteger();
    private final List<String> wrong = new CopyOnWriteArrayList<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

    @Test
    void shouldAnswerOrRefuseEveryRequestFlushAndCloseStoresAndExitZeroOnSigterm() throws Exception
    {
        final Map<String, String> env = TestServers.environment(dataDir, "", Map.of()); // blank: embedded PostgreSQL
        TestServerMain.Child child = TestServerMain.startChild(env);
        final int port = child.telapiPort();

        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch warmedUp = new CountDownLatch(2_000);
        final Thread[] writers = new Thread[WRITERS];
        for (int w = 0; w < WRITERS; w++)
        {
            final int writer = w;
            writers[w] = new Thread(() ->
            {
                for (int i = 0; !stop.get(); i++)
                {
                    final int status = post(port, "evt-" + writer + "-" + i);
                    if (status == 200)
                    {
                        warmedUp.countDown();
                    }
                    else if (status == -1)
                    {
                        sleep(10); // refused: a real client backs off before it retries elsewhere
                    }
                }
            }, "writer-" + w);
            writers[w].start();
        }
        assertTrue(warmedUp.await(60, TimeUnit.SECONDS), "the child acknowledged too few writes before SIGTERM");

        final long termAt = System.nanoTime();
        child.process().destroy(); // SIGTERM
        final int exitCode = child.awaitExit(60);
        final long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt);
        Thread.sleep(300); // the clients keep going against the closed port for a moment
        stop.set(true);
        for (final Thread t : writers)
        {
            t.join(READ_TIMEOUT_MS + 5_000);
            assertTrue(!t.isAlive(), t.getName() + " is stuck");
        }

        System.out.printf("SIGTERM under load: sent %d, answered %d (200: %d, 503: %d), refused %d "
                + "(connect refused %d, closed before an answer %d), acknowledged %d, stopped in %d ms, exit %d%n",
            sent.get(), answered200.get() + answered503.get(), answered200.get(), answered503.get(),
            refused.get() + closedUnanswered.get(), refused.get(), closedUnanswered.get(), acknowledged.size(),
            stopMillis, exitCode);

        assertEquals(List.of(), wrong, "requests neither answered 200/503 nor refused cleanly");
        assertEquals(sent.get(), answered200.get() + answered503.get() + refused.get() + closedUnanswered.get());
        assertEquals(List.of(), openMarkers(), "Chronicle open markers left behind by a clean stop");
        assertEquals(0, exitCode, "exit code after SIGTERM; output:\n" + String.join("\n", child.output()));
        assertTrue(child.output().stream().noneMatch(l -> l.contains("ChronicleHashClosedException")),
            "a store was used after it was closed:\n" + String.join("\n", child.output()));

        // The final flush reached PostgreSQL before it was stopped: every acknowledged write is there.
        final Set<String> flushed = flushedIds();
        final Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(flushed);
        System.out.printf("after SIGTERM: %d acknowledged, %d in PostgreSQL, %d lost%n", acknowledged.size(),
            flushed.size(), missing.size());
        assertEquals(Set.of(), missing, "acknowledged writes missing from PostgreSQL after a clean stop");

        child = TestServerMain.startChild(env);
        try
        {
            assertTrue(child.output().stream().noneMatch(l -> l.contains("not closed cleanly")),
                "the restart ran Chronicle recovery:\n" + String.join("\n", child.output()));
            int lostState = 0;
            for (final String id : acknowledged)
            {
                if (TestServers.get(child.telapiPort(), "/test/events/" + id).statusCode() != 200)
                {
                    lostState++;
                }
            }
            assertEquals(0, lostState, "acknowledged writes missing from off-heap state after the restart");
        }
        finally
        {
            child.process().destroy();
            assertEquals(0, child.awaitExit(60), "exit code of the restarted server after SIGTERM");
        }
        assertEquals(List.of(), openMarkers(), "Chronicle open markers left behind by the second clean stop");
    }

    /** @return the status of one {@code POST /test/events} on a fresh connection, or -1 when refused. */
    private int post(final int port, final String id)
    {
        final byte[] body = ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.US_ASCII);
        final byte[] head = ("POST /test/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket())
        {
            try
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            }
            catch (final SocketException e)
            {
                // Refused, or reset while still in the listener's queue when it closed: never taken either way.
                sent.incrementAndGet();
                refused.incrementAndGet();
                return -1;
            }
            sent.incrementAndGet();
            socket.setSoTimeout(READ_TIMEOUT_MS);
            final byte[] answer;
            try
            {
                final OutputStream out = socket.getOutputStream();
                out.write(head);
                out.write(body);
                out.flush();
                answer = readAll(socket.getInputStream());
            }
            catch (final SocketTimeoutException e)
            {
                wrong.add(id + ": no answer within " + READ_TIMEOUT_MS + " ms");
                return -2;
            }
            catch (final IOException e)
            {
                // Reset before any answer: the connection was still in the accept queue when the listener
                // closed, or accepted and closed unread; either way the request was never dispatched.
                closedUnanswered.incrementAndGet();
                return -1;
            }
            if (answer.length == 0)
            {
                closedUnanswered.incrementAndGet();
                return -1;
            }
            final String text = new String(answer, StandardCharsets.ISO_8859_1);
            final int status = text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -3;
            final int bodyStart = text.indexOf("\r\n\r\n");
            final String length = header(text, "content-length");
            if (bodyStart < 0 || length == null || text.length() - bodyStart - 4 != Integer.parseInt(length))
            {
                wrong.add(id + ": truncated answer: " + text);
                return -3;
            }
            if (status == 200)
            {
                answered200.incrementAndGet();
                acknowledged.add(id);
            }
            else if (status == 503)
            {
                answered503.incrementAndGet();
            }
            else
            {
                wrong.add(id + ": " + text);
            }
            return status;
        }
        catch (final IOException e)
        {
            wrong.add(id + ": " + e);
            return -3;
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] readAll(final InputStream in) throws IOException
    {
        return in.readAllBytes();
    }

    private static String header(final String response, final String name)
    {
        for (final String line : response.split("\r\n"))
        {
            if (line.isEmpty())
            {
                return null;
            }
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name))
            {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private List<String> openMarkers() throws IOException
    {
        final Path state = dataDir.resolve("state");
        try (Stream<Path> files = Files.list(state))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cm.open")).sorted().toList();
        }
    }

    /** Reads what the stopped server flushed, from its own embedded cluster started here. */
    private Set<String> flushedIds() throws Exception
    {
        final Path cluster = DatabaseSettings.fromEnvironment(Map.of(), dataDir).embeddedDataDirectory();
        final EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(cluster, 0);
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT convert_from(payload, 'UTF8') FROM event_log WHERE type = 'test.event'"))
        {
            final Set<String> ids = new HashSet<>();
            while (rs.next())
            {
                final String json = rs.getString(1);
                ids.add(json.substring(json.indexOf(":\"") + 2, json.lastIndexOf('"')));
            }
            return ids;
        }
        finally
        {
            pg.stop();
        }
    }
}
