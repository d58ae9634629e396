package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Nothing acknowledged is lost across a crash": a real child JVM acknowledges journaled writes, is
 * killed with SIGKILL mid-stream, and a restarted server delivers every acknowledged write to
 * PostgreSQL; the off-heap state written alongside is still there.
 */
class CrashDurabilityTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldLoseNoAcknowledgedWriteWhenKilled() throws Exception
    {
        final String databaseUrl = TestPostgres.freshDatabaseUrl("crash");
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

        TestServerMain.Child child = startChild(databaseUrl);
        final int port = child.telapiPort();
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch enough = new CountDownLatch(300);
        final Thread[] writers = new Thread[4];
        for (int w = 0; w < writers.length; w++)
        {
            final int writer = w;
            writers[w] = new Thread(() ->
            {
                for (int i = 0; !stop.get(); i++)
                {
                    final String id = "evt-" + writer + "-" + i;
                    try
                    {
                        final HttpResponse<String> r = TestServers.CLIENT.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/test/events"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200)
                        {
                            acknowledged.add(id);
                            enough.countDown();
                        }
                    }
                    catch (final Exception e)
                    {
                        return; // the server died under us: expected
                    }
                }
            });
            writers[w].start();
        }
        assertTrue(enough.await(60, TimeUnit.SECONDS), "the child acknowledged too few writes");
        child.kill();
        stop.set(true);
        for (final Thread t : writers)
        {
            t.join(30_000);
        }
        assertTrue(acknowledged.size() >= 300);

        child = startChild(databaseUrl);
        try
        {
            final int port2 = child.telapiPort();
            final Set<String> missing = new HashSet<>(acknowledged);
            TestServers.await("every acknowledged write in PostgreSQL", 60_000, () ->
            {
                missing.removeAll(flushedIds(databaseUrl));
                return missing.isEmpty();
            });
            // Off-heap state survived the kill as well.
            for (final String id : acknowledged.stream().limit(50).toList())
            {
                final HttpResponse<String> r = TestServers.get(port2, "/test/events/" + id);
                assertEquals(200, r.statusCode(), "state for " + id + " lost: " + r.body());
            }
        }
        finally
        {
            child.stop();
        }
    }

    private TestServerMain.Child startChild(final String databaseUrl) throws Exception
    {
        final Map<String, String> env = TestServers.environment(dataDir, databaseUrl, Map.of());
        env.put("EDGEPLANE_JOURNAL_FSYNC", "none"); // survives a process crash by design
        return TestServerMain.startChild(env);
    }

    private static Set<String> flushedIds(final String databaseUrl)
    {
        final Set<String> ids = new HashSet<>();
        try (Connection c = TestServers.connect(databaseUrl);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT convert_from(payload, 'UTF8') FROM event_log WHERE type = 'test.event'"))
        {
            while (rs.next())
            {
                final String json = rs.getString(1);
                ids.add(json.substring(json.indexOf(":\"") + 2, json.lastIndexOf('"')));
            }
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
        return ids;
    }
}
