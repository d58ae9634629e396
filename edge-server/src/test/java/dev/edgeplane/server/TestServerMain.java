package dev.edgeplane.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.edgeplane.Edgeplane;
import org.agrona.concurrent.ShutdownSignalBarrier;

/**
 * Entry point of the child JVM the crash and shutdown tests start, kill or stop: a real server (all surfaces
 * plus the test surface) configured from its environment; prints {@code READY <telapi port> <control-plane port>}
 * once listening, and on SIGTERM/SIGINT shuts down the way the production entry point does
 * ({@link Edgeplane#serveUntilSignalled}) and exits 0.
 */
public final class TestServerMain
{
    private TestServerMain()
    {
    }

    public static void main(final String[] args)
    {
        final ShutdownSignalBarrier signals = new ShutdownSignalBarrier();
        final Map<String, String> env = System.getenv();
        final EdgeServer server = TestServers.start(Path.of(env.get(EdgeSettings.DATA_DIR)), env.get("DATABASE_URL"), env);
        System.out.println("READY " + server.port(SurfaceKind.TELAPI) + " " + server.port(SurfaceKind.CONTROL_PLANE));
        System.out.flush();
        Edgeplane.serveUntilSignalled(server, signals);
        System.exit(0);
    }

    /**
     * Starts a child server and waits for its READY line.
     *
     * @return the child and its ports: [telapi, control-plane].
     */
    public static Child startChild(final Map<String, String> environment) throws Exception
    {
        final ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true);
        pb.environment().putAll(environment);
        final Process process = pb.start();
        final java.io.BufferedReader out = new java.io.BufferedReader(
            new java.io.InputStreamReader(process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        final List<String> seen = new CopyOnWriteArrayList<>();
        String line;
        while ((line = out.readLine()) != null)
        {
            if (line.startsWith("READY "))
            {
                final Thread drain = new Thread(() -> out.lines().forEach(seen::add));
                drain.setDaemon(true);
                drain.start();
                final String[] ports = line.substring(6).trim().split(" ");
                return new Child(process, Integer.parseInt(ports[0]), Integer.parseInt(ports[1]), seen);
            }
            seen.add(line);
        }
        throw new AssertionError("child server did not start:\n" + String.join("\n", seen));
    }

    /** A running child server; {@code output} collects its stdout and stderr lines as they come. */
    public record Child(Process process, int telapiPort, int controlPlanePort, List<String> output)
    {
        /** SIGKILL: no shutdown hook, no final flush. */
        public void kill() throws InterruptedException
        {
            process.destroyForcibly();
            process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }

        /** SIGTERM: graceful shutdown. */
        public void stop() throws InterruptedException
        {
            process.destroy();
            process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }

        /**
         * Waits for the child to exit.
         *
         * @return its exit code.
         * @throws AssertionError if it is still running after {@code seconds} (it is then killed).
         */
        public int awaitExit(final long seconds) throws InterruptedException
        {
            if (!process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("child server still running " + seconds + " s after SIGTERM:\n"
                    + String.join("\n", output));
            }
            return process.exitValue();
        }
    }

    /** @return the command line to start this main in a child JVM with the test classpath and flags. */
    public static List<String> command()
    {
        final List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("-Dio.netty"))
            .toList());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TestServerMain.class.getName());
        return cmd;
    }
}
