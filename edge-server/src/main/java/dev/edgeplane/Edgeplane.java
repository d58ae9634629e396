package dev.edgeplane;

import java.util.List;

import dev.edgeplane.controlplane.ControlPlaneSurface;
import dev.edgeplane.relay.RelaySurface;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.EdgeSettings;
import dev.edgeplane.server.Surface;
import dev.edgeplane.services.ServicesSurface;
import dev.edgeplane.telapi.TelapiSurface;

/**
 * The process entry point: every surface, settings from the environment, graceful shutdown on
 * SIGTERM/SIGINT (the JVM's shutdown hook), and a main thread that waits until the server is closed.
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

    /** Starts the server and blocks until it has shut down. */
    public static void run(final EdgeSettings settings) throws InterruptedException
    {
        final EdgeServer server = EdgeServer.start(settings, surfaces());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "graceful-shutdown"));
        server.awaitClosed();
    }

    public static void main(final String[] args) throws InterruptedException
    {
        run(EdgeSettings.fromEnvironment());
    }
}
