package dev.edgeplane.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.netty.channel.epoll.Epoll;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeplane load}: the load generator of docs/PERFORMANCE.md ({@link LoadGenerator}) — fixed-rate open-loop latency
 * with coordinated omission corrected, or closed-loop saturation, against one control-plane endpoint scenario or the
 * bare reference server.
 *
 * <p>Threading: picocli calls {@link #call()} once on the main thread.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Drive one endpoint scenario at a fixed rate (open loop, latency from the intended send time) or at"
        + " saturation (--rate 0), over keep-alive connections with one request in flight each.",
        "Scenarios: bare (GET, for the reference server), route (/route + dialog terminated), auth (/auth with"
            + " correct digests), flow (/flow start + steps), presence (/presence/event register).",
        "Prints a progress line every second on stderr and a latency table per endpoint at the end.",
        "Exit code: 0 if no request failed, 1 if any did, 2 on bad options or configuration."})
final class LoadCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", defaultValue = "route",
        description = "bare, route, auth, flow or presence (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000",
        description = "Base URL (default ${DEFAULT-VALUE}; the reference server is usually http://127.0.0.1:9000)."
            + " The only address the generator connects to.")
    String url;

    @Option(names = "--rate", defaultValue = "1000",
        description = "Requests per second of the primary endpoint, open loop (default ${DEFAULT-VALUE});"
            + " 0 = closed-loop saturation.")
    double rate;

    @Option(names = "--duration", defaultValue = "30", description = "Measured seconds (default ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--warmup", defaultValue = "5",
        description = "Seconds run before the measured window and not recorded (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--connections", defaultValue = "64",
        description = "Keep-alive connections, one request in flight each (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--threads", defaultValue = "1", description = "Event loops (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--steps", defaultValue = "2",
        description = "flow scenario: steps after the start, timeout then digit:1 last (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--config", defaultValue = "examples/demo-config.json", paramLabel = "FILE",
        description = "Configuration document to draw devices, DIDs and flows from (default ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--admin-token", paramLabel = "TOKEN", description = "Sent as x-admin-token on every request.")
    String adminToken;

    @Option(names = "--hdr-log", paramLabel = "FILE",
        description = "Write an HdrHistogram interval log of the primary endpoint (microseconds).")
    Path hdrLog;

    @Option(names = "--json", paramLabel = "FILE", description = "Write a machine-readable summary.")
    Path json;

    @Option(names = "--timeout-ms", defaultValue = "5000",
        description = "How long a request may wait for its answer (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--transport", defaultValue = "auto", description = "auto, epoll or nio (default ${DEFAULT-VALUE}).")
    String transport;

    @Override
    public Integer call() throws IOException
    {
        final LoadScenario.Kind kind = LoadScenario.Kind.parse(scenario);
        if (kind == null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--scenario must be one of bare, route, auth, flow, presence");
        }
        validate();
        final URI uri = parseUrl();
        final int port = uri.getPort() == -1 ? 80 : uri.getPort();
        final InetSocketAddress remote = new InetSocketAddress(uri.getHost(), port);
        if (remote.isUnresolved())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url host cannot be resolved: " + uri.getHost());
        }
        String basePath = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (basePath.endsWith("/"))
        {
            basePath = basePath.substring(0, basePath.length() - 1);
        }

        CallDirectory directory = null;
        if (kind != LoadScenario.Kind.BARE)
        {
            try
            {
                directory = CallDirectory.parse(Files.readAllBytes(config));
            }
            catch (final NoSuchFileException ex)
            {
                System.err.println("load: configuration file not found: " + config);
                return 2;
            }
            catch (final IOException ex)
            {
                System.err.println("load: cannot read " + config + ": " + ex.getMessage());
                return 2;
            }
            catch (final IllegalArgumentException ex)
            {
                System.err.println("load: " + config + ": " + ex.getMessage());
                return 2;
            }
        }

        final LoadGenerator.Settings settings = new LoadGenerator.Settings(kind, remote, url,
            uri.getHost() + ":" + port, basePath, rate, (long)(duration * 1e9), (long)(warmup * 1e9), connections,
            threads, steps, adminToken, timeoutMs * 1_000_000L, transport, hdrLog, json, System.err, System.out);
        final LoadGenerator generator;
        try
        {
            generator = new LoadGenerator(settings, directory);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("load: " + ex.getMessage());
            return 2;
        }
        return generator.run();
    }

    private void validate()
    {
        if (!(rate >= 0) || Double.isInfinite(rate))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be 0 (closed loop) or a positive number");
        }
        if (!(duration > 0) || duration > 86_400)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be between 0 and 86400 seconds");
        }
        if (!(warmup >= 0) || warmup > 86_400)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be between 0 and 86400 seconds");
        }
        if (connections < 1 || connections > 100_000)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connections must be between 1 and 100000");
        }
        if (threads < 1 || threads > connections)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be between 1 and --connections");
        }
        if (steps < 0 || steps > 99)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--steps must be between 0 and 99 (the server hangs up a flow after 100 commands)");
        }
        if (timeoutMs < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-ms must be at least 1");
        }
        if (!"auto".equals(transport) && !"epoll".equals(transport) && !"nio".equals(transport))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--transport must be auto, epoll or nio");
        }
        if ("epoll".equals(transport) && !Epoll.isAvailable())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--transport epoll: native epoll is unavailable: "
                + Epoll.unavailabilityCause());
        }
    }

    private URI parseUrl()
    {
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final URISyntaxException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url is not a URL: " + ex.getMessage());
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
            || uri.getRawFragment() != null || uri.getRawUserInfo() != null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--url must be a plain http URL without query, e.g. http://127.0.0.1:3000 (https is not supported)");
        }
        return uri;
    }
}
