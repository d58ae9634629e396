package dev.edgeplane.tools;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane reference-server}: the performance ceiling — a bare Netty HTTP server on the same
 * transport as Edgeplane that answers every request with a constant JSON body (docs/PERFORMANCE.md,
 * "References in the same run").
 */
@Command(name = "reference-server", mixinStandardHelpOptions = true,
    description = "Bare Netty HTTP server answering a constant response (benchmark ceiling).")
final class ReferenceServerCommand implements Callable<Integer>
{
    @Option(names = "--port", defaultValue = "9000", description = "Port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--io-threads", defaultValue = "0", description = "Event loops; 0 = one per core.")
    int ioThreads;

    @Option(names = "--transport", defaultValue = "auto", description = "auto, epoll or nio.")
    String transport;

    @Override
    public Integer call() throws InterruptedException
    {
        try (ReferenceServer server = ReferenceServer.start(port, ioThreads, transport))
        {
            System.out.println("reference server listening on port " + server.port() + " (" + server.transportName() + ")");
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "reference-shutdown"));
            server.awaitClosed();
        }
        return 0;
    }
}
