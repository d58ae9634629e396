package dev.edgeplane.tools;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeplane sip-sim}: drive register, route and flow loops against a running control plane the way a SIP edge
 * and a media engine would, at a fixed call rate, and report per-endpoint latency ({@link SipEdgeSimulator}).
 */
@Command(name = "sip-sim", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Simulate a SIP edge (Kamailio) and a media engine against a running control plane: register every device"
            + " of a configuration document (/auth, /presence/event), then start calls at a fixed rate, open loop"
            + " (/route, /flow start + steps, /presence/event dialog terminated).",
        "Prints a progress line every second on stderr and a latency table per endpoint at the end.",
        "Exit code: 0 if every registration and call succeeded, 1 if any failed, 2 on bad options or configuration."})
final class SipSimCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000",
        description = "Control-plane base URL (default ${DEFAULT-VALUE}). The only address the simulator talks to.")
    String url;

    @Option(names = "--config", defaultValue = "examples/demo-config.json", paramLabel = "FILE",
        description = "Configuration document (the POST /admin/config shape) to take devices and DIDs from"
            + " (default ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--rate", defaultValue = "20", description = "Calls started per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "30",
        description = "Seconds to start calls for (default ${DEFAULT-VALUE}); registration must also finish within it.")
    double duration;

    @Option(names = "--steps", defaultValue = "3",
        description = "Most /flow steps per call after the start; a hangup ends the call earlier (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--concurrency", defaultValue = "200",
        description = "Most calls in flight (default ${DEFAULT-VALUE}); a call that must wait for a slot starts late.")
    int concurrency;

    @Option(names = "--admin-token", paramLabel = "TOKEN", description = "Sent as x-admin-token on every request.")
    String adminToken;

    @Option(names = "--timeout-ms", defaultValue = "5000",
        description = "Timeout of one HTTP request in milliseconds (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Override
    public Integer call() throws InterruptedException
    {
        final String baseUrl = validate();
        final CallDirectory directory;
        try
        {
            directory = CallDirectory.parse(Files.readAllBytes(config));
        }
        catch (final NoSuchFileException ex)
        {
            System.err.println("sip-sim: configuration file not found: " + config);
            return 2;
        }
        catch (final IOException ex)
        {
            System.err.println("sip-sim: cannot read " + config + ": " + ex.getMessage());
            return 2;
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("sip-sim: " + config + ": " + ex.getMessage());
            return 2;
        }

        final SipEdgeSimulator.Settings settings = new SipEdgeSimulator.Settings(
            baseUrl, rate, Duration.ofNanos((long)(duration * 1e9)), steps, concurrency, adminToken,
            Duration.ofMillis(timeoutMs), System.err, System.out);
        final SipEdgeSimulator simulator;
        try
        {
            simulator = new SipEdgeSimulator(settings, directory);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("sip-sim: " + ex.getMessage());
            return 2;
        }
        return simulator.run();
    }

    /**
     * @return the base URL without a trailing slash.
     * @throws CommandLine.ParameterException on an option out of range.
     */
    private String validate()
    {
        if (!(rate > 0) || Double.isInfinite(rate))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be a positive number");
        }
        if (!(duration > 0) || duration > 86_400)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be between 0 and 86400 seconds");
        }
        if (steps < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--steps must not be negative");
        }
        if (concurrency < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency must be at least 1");
        }
        if (timeoutMs < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-ms must be at least 1");
        }
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final URISyntaxException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url is not a URL: " + ex.getMessage());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
            || uri.getRawQuery() != null || uri.getRawFragment() != null)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--url must be an http(s) URL without query, e.g. http://127.0.0.1:3000");
        }
        String base = url;
        while (base.endsWith("/"))
        {
            base = base.substring(0, base.length() - 1);
        }
        return base;
    }
}
