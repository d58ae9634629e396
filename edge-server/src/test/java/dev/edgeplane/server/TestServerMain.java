package dev.edgeplane.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the child JVM the crash tests start and kill: a real server (all surfaces plus the
 * test surface) configured from its environment; prints {@code READY <telapi port>} once listening.
 */
public final class TestServerMain
{
    private TestServerMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Map<String, String> env = System.getenv();
        final EdgeServer server = TestServers.start(Path.of(env.get(EdgeSettings.DATA_DIR)), env.get("DATABASE_URL"),
            Map.of(SurfaceKind.TELAPI.portVariable(), env.getOrDefault(SurfaceKind.TELAPI.portVariable(), "0")));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("READY " + server.port(SurfaceKind.TELAPI));
        System.out.flush();
        server.awaitClosed();
    }

    /** @return the command line to start this main in a child JVM with the test classpath and flags. */
    static List<String> command()
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
