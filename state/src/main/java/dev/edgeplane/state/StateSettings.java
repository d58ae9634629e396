package dev.edgeplane.state;

/**
 * Configuration knobs of the state layer as name + default pairs, in one place.
 */
public final class StateSettings
{
    /** Number of shard writer threads (rounded up to a power of two). */
    public static final String SHARDS_ENV = "EDGEPLANE_SHARDS";
    /** Default shard count: one per core, at least one, at most four on small machines. */
    public static final int SHARDS_DEFAULT = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** Bound on each shard's waiting tasks; a full queue answers 503 + Retry-After. */
    public static final String SHARD_QUEUE_ENV = "EDGEPLANE_SHARD_QUEUE";
    /** Default per-shard queue bound. */
    public static final int SHARD_QUEUE_DEFAULT = 16_384;

    /** The system property Chronicle libraries read before phoning home; we always set it. */
    public static final String CHRONICLE_ANALYTICS_PROPERTY = "chronicle.analytics.disable";

    private StateSettings()
    {
    }

    /**
     * Sets {@code chronicle.analytics.disable=true}, overriding any other value: Chronicle must never reach an
     * analytics host from a server. Called before any Chronicle class is initialised.
     */
    public static void disableChronicleAnalytics()
    {
        System.setProperty(CHRONICLE_ANALYTICS_PROPERTY, "true");
        // The start-up banner asks for an e-mail address; a server log has no use for it.
        System.setProperty("chronicle.announcer.disable", "true");
    }
}
