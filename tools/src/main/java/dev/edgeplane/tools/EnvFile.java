package dev.edgeplane.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment a command looks at: the process environment, overlaid by an optional
 * {@code KEY=VALUE} file (blank lines and {@code #} comments ignored; an optional {@code export }
 * prefix and surrounding quotes are removed), so an operator can check a service's env file before
 * deploying it.
 */
final class EnvFile
{
    private EnvFile()
    {
    }

    static Map<String, String> effective(final Map<String, String> process, final Path file) throws IOException
    {
        final Map<String, String> env = new HashMap<>(process);
        if (file == null)
        {
            return env;
        }
        for (final String raw : Files.readAllLines(file))
        {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            if (line.startsWith("export "))
            {
                line = line.substring(7).strip();
            }
            final int eq = line.indexOf('=');
            if (eq <= 0)
            {
                throw new IOException(file + ": not KEY=VALUE: " + line.substring(0, Math.min(line.length(), 40)));
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'")))
            {
                value = value.substring(1, value.length() - 1);
            }
            env.put(line.substring(0, eq).strip(), value);
        }
        return env;
    }
}
