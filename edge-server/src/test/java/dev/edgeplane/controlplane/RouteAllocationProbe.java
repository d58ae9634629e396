package dev.edgeplane.controlplane;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (runs only with -Dedgeplane.probe=true): bytes allocated on the event loops
 * per POST /route (inbound, account shard, fresh Call-ID), over one keep-alive connection.
 */
class RouteAllocationProbe
{
    @TempDir
    Path dataDir;

    @Test
    @EnabledIfSystemProperty(named = "edgeplane.probe", matches = "true")
    void measure() throws Exception
    {
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED); // tests run paranoid
        final EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("alloc_probe"), Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN, "EDGEPLANE_IO_THREADS", "1"));
        try
        {
            final ControlPlaneFixture cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
            cp.applyConfig(ControlPlaneFixture.document(1_000_000, ""));
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress("127.0.0.1", cp.port));
                final OutputStream out = s.getOutputStream();
                final InputStream in = s.getInputStream();
                run(out, in, "w", 30_000);
                final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long[] ids = loopThreads();
                final long before = sum(mx.getThreadAllocatedBytes(ids));
                final int n = 30_000;
                final jdk.jfr.Recording rec = new jdk.jfr.Recording();
                rec.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "5000/s");
                rec.start();
                run(out, in, "m", n);
                final long after = sum(mx.getThreadAllocatedBytes(ids));
                rec.stop();
                final Path file = dataDir.resolve("alloc.jfr");
                rec.dump(file);
                final Map<String, Long> byFrame = new java.util.HashMap<>();
                for (final jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(file))
                {
                    final jdk.jfr.consumer.RecordedThread t = e.getThread("eventThread");
                    if (t == null || t.getJavaName() == null || !t.getJavaName().startsWith("edge-io") || e.getStackTrace() == null)
                    {
                        continue;
                    }
                    final long w = e.getLong("weight");
                    final StringBuilder key = new StringBuilder(e.getClass("objectClass").getName()).append(" <- ");
                    final List<jdk.jfr.consumer.RecordedFrame> frames = e.getStackTrace().getFrames();
                    for (int i = 0; i < Math.min(6, frames.size()); i++)
                    {
                        final var m = frames.get(i).getMethod();
                        key.append(m.getType().getName().replaceAll(".*\\.", "")).append('.').append(m.getName()).append(" < ");
                    }
                    byFrame.merge(key.toString(), w, Long::sum);
                }
                byFrame.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(25)
                    .forEach(en -> System.out.println("PROBE " + en.getValue() / n + " B/req  " + en.getKey()));
                System.out.println("PROBE /route bytes allocated on event loops per request: " + (after - before) / n
                    + " (" + ids.length + " loop threads, " + n + " requests)");
            }
        }
        finally
        {
            server.close();
        }
    }

    private static void run(final OutputStream out, final InputStream in, final String prefix, final int n) throws Exception
    {
        final byte[] buf = new byte[8192];
        for (int i = 0; i < n; i++)
        {
            final String body = "callId=" + prefix + i + "&from=%2B14155551234&fromDomain=carrier.example&to=%2B12025550123";
            out.write(("POST /route HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Read one answer: head, then Content-Length bytes.
            final StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0)
            {
                final int b = in.read();
                if (b < 0)
                {
                    throw new IllegalStateException("closed");
                }
                head.append((char)b);
            }
            final String h = head.toString().toLowerCase();
            if (!h.startsWith("http/1.1 200"))
            {
                throw new IllegalStateException(h);
            }
            final int at = h.indexOf("content-length: ") + 16;
            int len = Integer.parseInt(h.substring(at, h.indexOf('\r', at)));
            while (len > 0)
            {
                len -= in.read(buf, 0, Math.min(len, buf.length));
            }
        }
    }

    private static long[] loopThreads()
    {
        final List<Long> ids = new ArrayList<>();
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().startsWith("edge-io"))
            {
                ids.add(t.getId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static long sum(final long[] v)
    {
        long s = 0;
        for (final long x : v)
        {
            s += x;
        }
        return s;
    }
}
