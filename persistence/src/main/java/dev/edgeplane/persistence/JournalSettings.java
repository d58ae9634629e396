package dev.edgeplane.persistence;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Knobs of the {@link Journal}, each an environment variable name next to its default (in the manner of Aeron's
 * {@code Configuration}).
 *
 * <ul>
 *     <li>{@value #FSYNC_ENV}: {@code none|batch|always}, default {@code batch} ({@link FsyncPolicy}).</li>
 *     <li>{@value #FSYNC_INTERVAL_MS_ENV}: group-commit interval for {@code batch}, default
 *     {@value #FSYNC_INTERVAL_MS_DEFAULT} ms.</li>
 *     <li>{@value #SEGMENT_MB_ENV}: segment file size, default {@value #SEGMENT_MB_DEFAULT} MiB.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; the {@code with…} methods return modified copies.
 */
public final class JournalSettings
{
    /** Environment variable selecting the {@link FsyncPolicy}. */
    public static final String FSYNC_ENV = "EDGEPLANE_JOURNAL_FSYNC";

    /**
     * Default fsync policy: none. An acknowledged entry is in the page cache, so it survives a process
     * crash (SIGKILL, OOM) — the same guarantee the off-heap Chronicle state has. {@code batch} adds
     * power-loss protection at about 2–3 ms per acknowledgement (bench/RESULTS.md, "Tuning log").
     */
    public static final FsyncPolicy FSYNC_DEFAULT = FsyncPolicy.NONE;

    /** Environment variable holding the group-commit interval in milliseconds. */
    public static final String FSYNC_INTERVAL_MS_ENV = "EDGEPLANE_JOURNAL_FSYNC_INTERVAL_MS";

    /** Default group-commit interval in milliseconds. */
    public static final long FSYNC_INTERVAL_MS_DEFAULT = 2;

    /** Environment variable holding the segment size in MiB. */
    public static final String SEGMENT_MB_ENV = "EDGEPLANE_JOURNAL_SEGMENT_MB";

    /** Default segment size in MiB. */
    public static final int SEGMENT_MB_DEFAULT = 64;

    /** Smallest segment size accepted (tests use tiny segments to exercise rolling). */
    public static final int SEGMENT_SIZE_MIN = 256;

    /** Largest segment size accepted: one segment is one {@code MappedByteBuffer}. */
    public static final int SEGMENT_SIZE_MAX = 1 << 30;

    /** Largest group-commit interval accepted, in milliseconds. */
    public static final long FSYNC_INTERVAL_MS_MAX = 10_000;

    /**
     * When an appended record counts as durable.
     */
    public enum FsyncPolicy
    {
        /** On return from {@code append} the record is in the page cache: it survives a crash of the process. */
        NONE,
        /** Group commit: a background thread forces the journal every batch interval and completes waiters. */
        BATCH,
        /** {@code append} forces the record to the device before it returns (concurrent appenders share a force). */
        ALWAYS
    }

    private static final JournalSettings DEFAULTS =
        new JournalSettings(SEGMENT_MB_DEFAULT << 20, FSYNC_DEFAULT, FSYNC_INTERVAL_MS_DEFAULT);

    private final int segmentSizeBytes;
    private final FsyncPolicy fsyncPolicy;
    private final long batchIntervalMillis;

    private JournalSettings(final int segmentSizeBytes, final FsyncPolicy fsyncPolicy, final long batchIntervalMillis)
    {
        this.segmentSizeBytes = segmentSizeBytes;
        this.fsyncPolicy = fsyncPolicy;
        this.batchIntervalMillis = batchIntervalMillis;
    }

    /**
     * @return the defaults: 64 MiB segments, {@link FsyncPolicy#NONE} (the batch interval, if chosen, is 2 ms).
     */
    public static JournalSettings defaults()
    {
        return DEFAULTS;
    }

    /**
     * Read {@value #FSYNC_ENV}, {@value #FSYNC_INTERVAL_MS_ENV} and {@value #SEGMENT_MB_ENV}; absent or blank
     * variables take their defaults.
     *
     * @param env the environment, usually {@link System#getenv()}.
     * @return the settings.
     * @throws IllegalArgumentException naming the variable and the allowed values when one is malformed.
     */
    public static JournalSettings fromEnvironment(final Map<String, String> env)
    {
        Objects.requireNonNull(env, "env");

        FsyncPolicy policy = FSYNC_DEFAULT;
        final String fsync = env.get(FSYNC_ENV);
        if (null != fsync && !fsync.isBlank())
        {
            switch (fsync.strip().toLowerCase(Locale.ROOT))
            {
                case "none":
                    policy = FsyncPolicy.NONE;
                    break;
                case "batch":
                    policy = FsyncPolicy.BATCH;
                    break;
                case "always":
                    policy = FsyncPolicy.ALWAYS;
                    break;
                default:
                    throw new IllegalArgumentException(
                        FSYNC_ENV + " must be one of none, batch, always (got '" + fsync.strip() + "')");
            }
        }

        final long interval = parseLong(
            env, FSYNC_INTERVAL_MS_ENV, FSYNC_INTERVAL_MS_DEFAULT, 1, FSYNC_INTERVAL_MS_MAX);
        final long segmentMb = parseLong(
            env, SEGMENT_MB_ENV, SEGMENT_MB_DEFAULT, 1, SEGMENT_SIZE_MAX >> 20);

        return new JournalSettings((int)(segmentMb << 20), policy, interval);
    }

    /**
     * @return the size of each segment file in bytes (a multiple of 8).
     */
    public int segmentSizeBytes()
    {
        return segmentSizeBytes;
    }

    /**
     * @return when an append counts as durable.
     */
    public FsyncPolicy fsyncPolicy()
    {
        return fsyncPolicy;
    }

    /**
     * @return the group-commit interval for {@link FsyncPolicy#BATCH}, in milliseconds.
     */
    public long batchIntervalMillis()
    {
        return batchIntervalMillis;
    }

    /**
     * @param bytes segment size, a multiple of 8 between {@value #SEGMENT_SIZE_MIN} and 1 GiB.
     * @return a copy with that segment size.
     */
    public JournalSettings withSegmentSizeBytes(final int bytes)
    {
        if (bytes < SEGMENT_SIZE_MIN || bytes > SEGMENT_SIZE_MAX || (bytes & 7) != 0)
        {
            throw new IllegalArgumentException(
                "segment size must be a multiple of 8 between " + SEGMENT_SIZE_MIN + " and " + SEGMENT_SIZE_MAX +
                " bytes (got " + bytes + ")");
        }
        return new JournalSettings(bytes, fsyncPolicy, batchIntervalMillis);
    }

    /**
     * @param policy the fsync policy.
     * @return a copy with that policy.
     */
    public JournalSettings withFsyncPolicy(final FsyncPolicy policy)
    {
        return new JournalSettings(segmentSizeBytes, Objects.requireNonNull(policy, "policy"), batchIntervalMillis);
    }

    /**
     * @param millis group-commit interval, 1 to {@value #FSYNC_INTERVAL_MS_MAX} ms.
     * @return a copy with that interval.
     */
    public JournalSettings withBatchIntervalMillis(final long millis)
    {
        if (millis < 1 || millis > FSYNC_INTERVAL_MS_MAX)
        {
            throw new IllegalArgumentException(
                "batch interval must be between 1 and " + FSYNC_INTERVAL_MS_MAX + " ms (got " + millis + ")");
        }
        return new JournalSettings(segmentSizeBytes, fsyncPolicy, millis);
    }

    @Override
    public String toString()
    {
        return "JournalSettings{segmentSizeBytes=" + segmentSizeBytes + ", fsyncPolicy=" + fsyncPolicy +
            ", batchIntervalMillis=" + batchIntervalMillis + '}';
    }

    private static long parseLong(
        final Map<String, String> env, final String name, final long defaultValue, final long min, final long max)
    {
        final String text = env.get(name);
        if (null == text || text.isBlank())
        {
            return defaultValue;
        }

        try
        {
            final long value = Long.parseLong(text.strip());
            if (value >= min && value <= max)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalArgumentException(
            name + " must be an integer between " + min + " and " + max + " (got '" + text.strip() + "')");
    }
}
