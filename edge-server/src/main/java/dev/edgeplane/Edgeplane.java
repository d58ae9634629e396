package dev.edgeplane;

import java.util.List;

import dev.edgeplane.controlplane.ControlPlaneSurface;
import dev.edgeplane.relay.RelaySurface;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.server.Surface;
import dev.edgeplane.services.ServicesSurface;
import dev.edgeplane.telapi.TelapiSurface;
import org.agrona.concurrent.ShutdownSignalBarrier;

/**
 * The process entry point: every surface, settings from the environment, and a main thread that serves
 * until SIGTERM or SIGINT, then runs the server's shutdown sequence ({@link EdgeServer#close}) and returns,
 * so the process exits 0 after a clean stop.
 *
 * <p>The signals are taken over from the JVM (Agrona's {@link ShutdownSignalBarrier}): left to the JVM they
 * would start its shutdown hooks at once and the process would exit 143 whatever the outcome. Any other
 * way the JVM exits still runs the same sequence, from the server's own shutdown hook.
 */
public final class Edgeplane
{
    private Edgeplane()
    {
    }

    /** @return the four surfaces, in listener order. */
    public static List<Surface> surfaces()
    {
        return List.of(new ControlPlaneSurface(), new TelapiSurface(), new ServicesSurface(), new RelaySurface());
    }

    /** Starts the server and blocks until SIGTERM/SIGINT, then shuts it down; returns once it is closed. */
    public static void run(final EdgeSettings settings)
    {
        // Taken before start-up: a signal that arrives while the server starts is kept and honoured once it is up.
        final ShutdownSignalBarrier signals = new ShutdownSignalBarrier();
        serveUntilSignalled(EdgeServer.start(settings, surfaces()), signals);
    }

    /**
     * Blocks until SIGTERM/SIGINT, then runs the server's shutdown sequence.
     *
     * @param server  a started server.
     * @param signals the barrier, created before the server started.
     */
    public static void serveUntilSignalled(final EdgeServer server, final ShutdownSignalBarrier signals)
    {
        try
        {
            signals.await();
        }
        finally
        {
            server.close();
            signals.remove();
        }
    }

    public static void main(final String[] args)
    {
        run(EdgeSettings.fromEnvironment());
        System.exit(0);
    }
}
