package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code edgeplane services} is wired with its three commands and their options. */
class ServicesCommandTest
{
    private static String help(final String... args)
    {
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new EdgeplaneCommand());
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args));
        return out.toString();
    }

    @Test
    void shouldOfferMigrateReconcileAndFakeProviders()
    {
        final String services = help("services", "--help");
        assertTrue(services.contains("migrate") && services.contains("reconcile") && services.contains("fake-providers"), services);
        assertTrue(help("services", "migrate", "--help").contains("--drop"));
        assertTrue(help("services", "fake-providers", "--help").contains("--port"));
    }
}
