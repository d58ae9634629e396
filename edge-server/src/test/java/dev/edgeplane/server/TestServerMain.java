package dev.edgeplane.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the child JVM the crash tests start and kill: a real server (all surfaces plus the
 * test surface) configured from its environment; prints {@code READY <telapi port> <control-plane port>} once
 * listening.
 */
public final class TestServerMain
{
    private TestServerMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Map<String, String> env = System.getenv();
        final EdgeServer server = TestServers.start(Path.of(env.get(EdgeSettings.DATA_DIR)), env.get("DATABASE_URL"), env);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("READY " + server.port(SurfaceKind.TELAPI) + " " + server.port(SurfaceKind.CONTROL_PLANE));
        System.out.flush();
        server.awaitClosed();
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
        final StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null)
        {
            if (line.startsWith("READY "))
            {
                final Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                final String[] ports = line.substring(6).trim().split(" ");
                return new Child(process, Integer.parseInt(ports[0]), Integer.parseInt(ports[1]));
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("child server did not start:\n" + seen);
    }

    /** A running child server. */
    public record Child(Process process, int telapiPort, int controlPlanePort)
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
