package dev.edgeplane.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operating-system signals the server acts on besides the shutdown ones: SIGHUP reloads (the TLS
 * certificate). Uses the JDK's {@code sun.misc.Signal}; where it is not available the reload still
 * happens on file change.
 */
final class Signals
{
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals()
    {
    }

    /** Runs {@code action} on every SIGHUP (on the JVM's signal thread: keep it short). */
    static void onHangup(final Runnable action)
    {
        try
        {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
        }
        catch (final IllegalArgumentException | UnsupportedOperationException | LinkageError e)
        {
            LOG.info("SIGHUP is not available here ({}); TLS files are still reloaded when they change", e.toString());
        }
    }
}
