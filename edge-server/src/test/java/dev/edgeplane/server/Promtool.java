package dev.edgeplane.server;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus' {@code promtool} (Debian package {@code prometheus}; {@code .ci/run} installs it). Without it a
 * test is skipped on a workstation, but fails in CI (the {@code CI} environment variable is set), so the check
 * cannot silently stop running there.
 */
public final class Promtool
{
    /** What promtool said. */
    public record Result(int exitCode, String output)
    {
    }

    private Promtool()
    {
    }

    /** @return promtool's path; skips the calling test (or fails it under CI) when it is not installed. */
    public static Path require()
    {
        final String path = System.getenv("PATH");
        if (path != null)
        {
            for (final String dir : path.split(File.pathSeparator))
            {
                final Path candidate = Path.of(dir, "promtool");
                if (Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        final String message = "promtool is not on the PATH: install Debian's prometheus package (apt-get install prometheus; "
            + ".ci/run does this when it runs as root)";
        if (System.getenv("CI") != null)
        {
            throw new AssertionError(message + ". CI is set, so this check must run.");
        }
        Assumptions.abort(message);
        return null;
    }

    /** Runs {@code promtool args...} with {@code stdin} (may be null) and waits up to 60 s. */
    public static Result run(final byte[] stdin, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final Thread reader = new Thread(() ->
        {
            try (InputStream in = p.getInputStream())
            {
                in.transferTo(output);
            }
            catch (final IOException e)
            {
                // the process ended; what was read is the output
            }
        }, "promtool-output");
        reader.start();
        try (OutputStream in = p.getOutputStream())
        {
            if (stdin != null)
            {
                in.write(stdin);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new AssertionError("promtool " + args[0] + " did not finish within 60 s");
        }
        reader.join(10_000);
        return new Result(p.exitValue(), output.toString(StandardCharsets.UTF_8));
    }
}
