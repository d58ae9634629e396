package dev.edgeplane.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Prometheus text exposition (format 0.0.4): its samples, and the HELP and TYPE lines per name.
 * Just enough of the format for tests to ask "what is this series' value" without depending on label order.
 */
public final class Exposition
{
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, Integer> helpLines = new LinkedHashMap<>();
    private final Map<String, List<String>> typeLines = new LinkedHashMap<>();

    private Exposition()
    {
    }

    public static Exposition parse(final String text)
    {
        final Exposition e = new Exposition();
        for (final String line : text.split("\n"))
        {
            if (line.isEmpty())
            {
                continue;
            }
            if (line.startsWith("# HELP "))
            {
                e.helpLines.merge(line.substring(7).split(" ", 2)[0], 1, Integer::sum);
            }
            else if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.substring(7).split(" ");
                e.typeLines.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
            }
            else if (!line.startsWith("#"))
            {
                e.samples.add(sample(line));
            }
        }
        return e;
    }

    private static Sample sample(final String line)
    {
        final int brace = line.indexOf('{');
        final int space = line.indexOf(' ');
        if (brace < 0 || brace > space)
        {
            return new Sample(line.substring(0, space), Map.of(), value(line.substring(space + 1)));
        }
        final String name = line.substring(0, brace);
        final Map<String, String> labels = new LinkedHashMap<>();
        int i = brace + 1;
        while (line.charAt(i) != '}')
        {
            final int eq = line.indexOf('=', i);
            final String label = line.substring(i, eq);
            final StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            while (line.charAt(j) != '"')
            {
                char c = line.charAt(j);
                if (c == '\\')
                {
                    c = line.charAt(++j);
                    value.append(c == 'n' ? '\n' : c);
                }
                else
                {
                    value.append(c);
                }
                j++;
            }
            labels.put(label, value.toString());
            i = j + 1;
            if (line.charAt(i) == ',')
            {
                i++;
            }
        }
        return new Sample(name, labels, value(line.substring(i + 2).split(" ")[0]));
    }

    private static double value(final String text)
    {
        return switch (text.trim())
        {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text.trim().split(" ")[0]);
        };
    }

    public List<Sample> samples()
    {
        return Collections.unmodifiableList(samples);
    }

    /** @return how many HELP lines each name has. */
    public Map<String, Integer> helpLines()
    {
        return helpLines;
    }

    /** @return the TYPE lines of each name (one each in a valid exposition). */
    public Map<String, List<String>> typeLines()
    {
        return typeLines;
    }

    /** @return true when some sample has this name. */
    public boolean has(final String name)
    {
        return samples.stream().anyMatch(s -> s.name.equals(name));
    }

    /**
     * @param labelPairs label name, value, name, value...: the sample must carry these (and may carry more).
     * @return the value of the one sample matching, or -1 when there is none.
     * @throws AssertionError when several samples match.
     */
    public double value(final String name, final String... labelPairs)
    {
        Sample found = null;
        for (final Sample s : samples)
        {
            if (!s.name.equals(name))
            {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < labelPairs.length; i += 2)
            {
                match &= labelPairs[i + 1].equals(s.labels.get(labelPairs[i]));
            }
            if (match)
            {
                if (found != null)
                {
                    throw new AssertionError("several samples of " + name + " match " + List.of(labelPairs) + ": " + found + ", " + s);
                }
                found = s;
            }
        }
        return found == null ? -1 : found.value;
    }
}
