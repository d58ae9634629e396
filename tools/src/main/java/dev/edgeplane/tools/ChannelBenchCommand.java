package dev.edgeplane.tools;

import java.net.URI;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane channel-bench}: the TelAPI channel WebSocket benchmark ({@link ChannelBench}); the
 * gateway runs separately with {@code ARI_URL} pointing at this command's ARI emulator and the same
 * {@code JWT_SECRET}.
 */
@Command(name = "channel-bench", mixinStandardHelpOptions = true,
    description = "Benchmark the TelAPI channel WebSocket: held browser sockets, ARI-event fan-out msg/s, delivery latency.")
final class ChannelBenchCommand implements Callable<Integer>
{
    @Option(names = "--url", defaultValue = "ws://127.0.0.1:3001", description = "Gateway WebSocket base (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--jwt-secret", description = "The gateway's JWT_SECRET (default: the JWT_SECRET environment variable).")
    String jwtSecret;

    @Option(names = "--ari-host", defaultValue = "127.0.0.1", description = "ARI emulator bind address (default ${DEFAULT-VALUE}).")
    String ariHost;

    @Option(names = "--ari-port", defaultValue = "8088", description = "ARI emulator port (default ${DEFAULT-VALUE}).")
    int ariPort;

    @Option(names = "--sockets", defaultValue = "10000", description = "Browser WebSockets to hold (default ${DEFAULT-VALUE}).")
    int sockets;

    @Option(names = "--channels", defaultValue = "2000", description = "ARI channels they watch (default ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--rate", defaultValue = "2000", description = "ARI events per second, open loop (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--warmup", defaultValue = "5", description = "Warm-up seconds (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--duration", defaultValue = "20", description = "Measured seconds (default ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--client-threads", defaultValue = "1", description = "Client event loops (default ${DEFAULT-VALUE}).")
    int clientThreads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final String secret = jwtSecret != null ? jwtSecret : System.getenv("JWT_SECRET");
        if (secret == null || sockets < 1 || channels < 1 || channels > sockets || rate < 1)
        {
            spec.commandLine().getErr().println("need --jwt-secret (or JWT_SECRET), sockets >= channels >= 1 and rate >= 1");
            return 2;
        }
        return new ChannelBench(new ChannelBench.Options(URI.create(url), secret, ariHost, ariPort, sockets, channels, rate,
            warmup, duration, clientThreads), spec.commandLine().getOut()).run();
    }
}
