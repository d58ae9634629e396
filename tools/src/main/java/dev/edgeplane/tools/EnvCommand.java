package dev.edgeplane.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.edgeplane.telapi.TelapiSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane env}: the TelAPI gateway's effective settings (seed 000's configuration table plus
 * the ARI settings), each with its source (env, default, unset), secrets redacted: the seed's
 * {@code show-env.sh}. Settings the server would refuse at start-up are reported with exit code 2.
 */
@Command(name = "env", mixinStandardHelpOptions = true,
    description = "Print the TelAPI gateway's effective settings, secrets redacted.")
final class EnvCommand implements Callable<Integer>
{
    @Option(names = "--env-file", description = "KEY=VALUE file overlaid on the process environment.")
    Path envFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Map<String, String> env = EnvFile.effective(System.getenv(), envFile);
        final TelapiSettings settings;
        try
        {
            settings = TelapiSettings.from(env);
        }
        catch (final IllegalArgumentException e)
        {
            spec.commandLine().getErr().println("invalid setting: " + e.getMessage());
            return 2;
        }
        int width = 0;
        for (final TelapiSettings.Effective e : settings.describe())
        {
            width = Math.max(width, e.name().length() + 1 + String.valueOf(e.value()).length());
        }
        for (final TelapiSettings.Effective e : settings.describe())
        {
            final String assignment = e.name() + "=" + (e.value() == null ? "" : e.value());
            out.printf("%-" + width + "s  # %-7s %s%n", assignment, e.source(), e.meaning());
        }
        if (!settings.redisVariablesSet().isEmpty())
        {
            out.println("# " + String.join(", ", settings.redisVariablesSet())
                + ": set but not used; Edgeplane keeps this state off-heap instead of Redis");
        }
        if (!settings.otelEnabled())
        {
            out.println("# OTEL_ENABLED=false: no OpenTelemetry export");
        }
        out.flush();
        return 0;
    }
}
