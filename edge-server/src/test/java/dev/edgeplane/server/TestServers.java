package dev.edgeplane.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import dev.edgeplane.Edgeplane;
import dev.edgeplane.codec.Json;

/** Starts real servers on loopback ephemeral ports for tests, and small client conveniences. */
public final class TestServers
{
    public static final HttpClient CLIENT;

    static
    {
        // Drop pooled connections before the servers' shortest test idle timeout closes them.
        System.setProperty("jdk.httpclient.keepalive.timeout", "1");
        CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private TestServers()
    {
    }

    /** Settings for a test server: loopback, ephemeral ports, the given data dir and database. */
    public static Map<String, String> environment(final Path dataDir, final String databaseUrl, final Map<String, String> extra)
    {
        final Map<String, String> env = new HashMap<>();
        env.put(EdgeSettings.DATA_DIR, dataDir.toString());
        env.put(EdgeSettings.BIND_ADDRESS, "127.0.0.1");
        env.put("DATABASE_URL", databaseUrl);
        env.put(EdgeSettings.IO_THREADS, "2");
        env.put(EdgeSettings.HEALTH_PROBE_MS, "200");
        env.put("EDGEPLANE_JOURNAL_FSYNC", "none");
        env.put(EdgeSettings.WARMUP_S, "0"); // a test starts many servers; WarmUpTest turns it on
        for (final SurfaceKind kind : SurfaceKind.values())
        {
            env.put(kind.portVariable(), "0");
        }
        env.putAll(extra);
        return env;
    }

    public static EdgeServer start(final Path dataDir, final String databaseUrl, final Map<String, String> extra)
    {
        final List<Surface> surfaces = new ArrayList<>(Edgeplane.surfaces());
        surfaces.add(new TestSurface());
        return EdgeServer.start(EdgeSettings.from(environment(dataDir, databaseUrl, extra)), surfaces);
    }

    public static HttpResponse<String> get(final int port, final String path) throws IOException, InterruptedException
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> post(final int port, final String path, final String contentType, final String body)
        throws IOException, InterruptedException
    {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20)).header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a JDBC connection for a {@code DATABASE_URL}, the way the server parses it. */
    public static java.sql.Connection connect(final String databaseUrl) throws java.sql.SQLException
    {
        final dev.edgeplane.persistence.DatabaseSettings s =
            dev.edgeplane.persistence.DatabaseSettings.fromEnvironment(Map.of("DATABASE_URL", databaseUrl), Path.of("."));
        return java.sql.DriverManager.getConnection(s.jdbcUrl(), s.properties());
    }

    /** Counts rows of a query's single-number answer. */
    public static long count(final String databaseUrl, final String sql)
    {
        try (java.sql.Connection c = connect(databaseUrl);
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(sql))
        {
            rs.next();
            return rs.getLong(1);
        }
        catch (final java.sql.SQLException e)
        {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> json(final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return (Map<String, Object>)Json.parse(bytes, 0, bytes.length);
    }

    /** Waits for a condition, polling; fails the test with {@code what} when the deadline passes. */
    public static void await(final String what, final long timeoutMillis, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
