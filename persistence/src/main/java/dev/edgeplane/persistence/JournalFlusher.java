package dev.edgeplane.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a {@link Journal} into PostgreSQL behind the request path (docs/ARCHITECTURE.md, "Persistence").
 *
 * <p>Loop on its own daemon thread {@code journal-flusher}: on first contact with the database it reads this
 * journal's checkpoint ({@code journal_checkpoint.flushed_seq}) and starts reading after it — that is the whole of
 * start-up replay. It then takes a batch of durable entries, groups them by {@link JournalSink} (one per type; types
 * without a sink go to {@link EventLogSink}), writes every group and the checkpoint upsert in one transaction, commits
 * and lets the journal {@link Journal#release(long) release} fully flushed segments. Sinks are idempotent by
 * (journal id, seq), so a batch whose commit outcome is unknown is simply written again.
 *
 * <p>A transaction costs a handful of round trips to PostgreSQL whatever its size, so a batch smaller than the batch
 * size waits up to the linger ({@value #DEFAULT_LINGER_MILLIS} ms by default) from when its first entry was taken for
 * more entries to join it: under steady traffic the database sees a few large transactions instead of one per
 * request. Nobody waits on it — requests are acknowledged once the local journal holds them — except {@link
 * #awaitFlushed} and {@link #close()}, which cut the linger short.
 *
 * <p>Sinks write a batch the cheap way first (a {@code COPY} that fails on a row already there). When PostgreSQL
 * refuses it with a unique violation, the flusher rolls the transaction back and writes the same batch again at once
 * through {@link JournalSink#rewrite}, which settles the conflicts row by row.
 *
 * <p>Only entries the journal reports durable are flushed, so PostgreSQL never holds a seq that a crash could take
 * back out of the local journal (with the {@code none} fsync policy an operating-system crash still can).
 *
 * <p>On any failure it rolls back, keeps the batch, backs off exponentially from {@value #BACKOFF_INITIAL_MILLIS} ms
 * to {@value #BACKOFF_MAX_MILLIS} ms and retries for ever; the server keeps serving and the journal grows meanwhile,
 * which {@link #status()} shows. {@link #close()} makes a last attempt, bounded by the close timeout, to flush what is
 * there.
 *
 * <p>Shutdown order: stop taking requests, close the flusher (it flushes what is left), then close the journal and
 * finally the {@link Database}.
 *
 * <p>Threading: all database work happens on the flusher thread. {@link #status()}, {@link #wakeup()}, {@link
 * #awaitFlushed} and {@link #close()} may be called from any thread; {@code wakeup} is cheap enough to call after
 * every append.
 */
public final class JournalFlusher implements AutoCloseable
{
    /** Entries per transaction unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 1000;

    /** How long {@link #close()} keeps trying to flush what is left, unless told otherwise. */
    public static final long DEFAULT_CLOSE_TIMEOUT_MILLIS = 5_000;

    /** First retry delay after a failure. */
    public static final long BACKOFF_INITIAL_MILLIS = 10;

    /** Longest retry delay. */
    public static final long BACKOFF_MAX_MILLIS = 1_000;

    /** How long a batch smaller than the batch size waits for more entries, unless told otherwise. */
    public static final long DEFAULT_LINGER_MILLIS = 10;

    /** Longest idle wait when there is nothing to flush and nobody calls {@link #wakeup()}. */
    public static final long IDLE_WAIT_MILLIS = 5;

    /** Name of the flusher thread. */
    public static final String THREAD_NAME = "journal-flusher";

    private static final Logger LOG = LoggerFactory.getLogger(JournalFlusher.class);
    private static final long JOIN_GRACE_MILLIS = 3_000;
    private static final String UNIQUE_VIOLATION = "23505";

    private static final String SELECT_CHECKPOINT =
        "SELECT flushed_seq FROM journal_checkpoint WHERE journal_id = ?";
    private static final String UPSERT_CHECKPOINT =
        "INSERT INTO journal_checkpoint (journal_id, flushed_seq, updated_at) VALUES (?, ?, now()) " +
        "ON CONFLICT (journal_id) DO UPDATE SET " +
        "flushed_seq = GREATEST(journal_checkpoint.flushed_seq, EXCLUDED.flushed_seq), updated_at = now()";

    private final Journal journal;
    private final DataSource dataSource;
    private final Map<String, JournalSink> sinksByType;
    private final JournalSink fallbackSink;
    private final int batchSize;
    private final long closeTimeoutMillis;
    private final long lingerNanos;
    private final Thread thread;
    private final Object flushMonitor = new Object();

    // flusher thread only
    private JournalReader reader;
    private final ArrayList<JournalEntry> batch = new ArrayList<>();
    private final LinkedHashMap<JournalSink, ArrayList<JournalEntry>> groups = new LinkedHashMap<>();
    private long batchStartNanos;

    private volatile boolean started;
    private volatile boolean closeRequested;
    private volatile boolean parked;
    private volatile boolean checkpointKnown;
    private volatile long flushedSeq;
    private volatile long awaitedSeq;
    private volatile long oldestUnflushedMillis;
    private volatile boolean databaseUp;
    private volatile String lastError;
    private volatile long flushedTotal;
    private volatile long batches;

    /**
     * A flusher with the default batch size and close timeout.
     *
     * @param journal    the journal to drain.
     * @param dataSource where to write, typically {@link Database#dataSource()}.
     * @param sinks      sinks for particular types; others go to {@link EventLogSink}.
     */
    public JournalFlusher(final Journal journal, final DataSource dataSource, final List<JournalSink> sinks)
    {
        this(journal, dataSource, sinks, DEFAULT_BATCH_SIZE, DEFAULT_CLOSE_TIMEOUT_MILLIS, DEFAULT_LINGER_MILLIS);
    }

    /**
     * A flusher with the default close timeout.
     *
     * @param journal    the journal to drain.
     * @param dataSource where to write, typically {@link Database#dataSource()}.
     * @param sinks      sinks for particular types; others go to {@link EventLogSink}.
     * @param batchSize  most entries per transaction (default {@value #DEFAULT_BATCH_SIZE}).
     */
    public JournalFlusher(
        final Journal journal, final DataSource dataSource, final List<JournalSink> sinks, final int batchSize)
    {
        this(journal, dataSource, sinks, batchSize, DEFAULT_CLOSE_TIMEOUT_MILLIS, DEFAULT_LINGER_MILLIS);
    }

    /**
     * @param journal            the journal to drain.
     * @param dataSource         where to write, typically {@link Database#dataSource()}.
     * @param sinks              sinks for particular types, at most one per type; a sink of type {@link
     *                           EventLogSink#ANY_TYPE} replaces the default fallback.
     * @param batchSize          most entries per transaction (default {@value #DEFAULT_BATCH_SIZE}).
     * @param closeTimeoutMillis how long {@link #close()} keeps trying to flush what is left.
     * @param lingerMillis       how long a batch smaller than {@code batchSize} waits for more entries (0: never).
     */
    public JournalFlusher(
        final Journal journal,
        final DataSource dataSource,
        final List<JournalSink> sinks,
        final int batchSize,
        final long closeTimeoutMillis,
        final long lingerMillis)
    {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (batchSize < 1)
        {
            throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
        }
        if (closeTimeoutMillis < 0)
        {
            throw new IllegalArgumentException("closeTimeoutMillis must not be negative: " + closeTimeoutMillis);
        }
        if (lingerMillis < 0)
        {
            throw new IllegalArgumentException("lingerMillis must not be negative: " + lingerMillis);
        }
        this.batchSize = batchSize;
        this.closeTimeoutMillis = closeTimeoutMillis;
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMillis);

        final Map<String, JournalSink> byType = new HashMap<>();
        JournalSink fallback = null;
        for (final JournalSink sink : Objects.requireNonNull(sinks, "sinks"))
        {
            final String type = Objects.requireNonNull(sink.type(), "sink type");
            if (EventLogSink.ANY_TYPE.equals(type))
            {
                if (null != fallback)
                {
                    throw new IllegalArgumentException("more than one fallback sink");
                }
                fallback = sink;
            }
            else if (null != byType.putIfAbsent(type, sink))
            {
                throw new IllegalArgumentException("more than one sink for type " + type);
            }
        }
        this.sinksByType = Map.copyOf(byType);
        this.fallbackSink = null == fallback ? new EventLogSink() : fallback;

        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /**
     * Start the flusher thread.
     *
     * @return this.
     * @throws IllegalStateException if already started or closed.
     */
    public JournalFlusher start()
    {
        synchronized (flushMonitor)
        {
            if (started || closeRequested)
            {
                throw new IllegalStateException("flusher already started or closed");
            }
            started = true;
        }
        thread.start();
        return this;
    }

    /**
     * Cut the idle wait short because something was appended. Cheap when the flusher is busy.
     */
    public void wakeup()
    {
        if (parked)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * @return a snapshot of progress and health.
     */
    public FlusherStatus status()
    {
        final long last = journal.lastSeq();
        final boolean known = checkpointKnown;
        final long flushed = known ? flushedSeq : Math.max(0, journal.firstRetainedSeq() - 1);
        final long lagEvents = Math.max(0, last - flushed);
        final long oldest = oldestUnflushedMillis;
        final long lagMillis = 0 == lagEvents || 0 == oldest ? 0 : Math.max(0, System.currentTimeMillis() - oldest);
        return new FlusherStatus(
            last, flushed, lagEvents, lagMillis, databaseUp, lastError, flushedTotal, batches);
    }

    /**
     * @return the highest seq known to be committed to PostgreSQL.
     */
    public long flushedSeq()
    {
        return flushedSeq;
    }

    /**
     * Block until {@code seq} has been committed to PostgreSQL or the timeout passes. For shutdown and tests; never
     * call it on a request path.
     *
     * @param seq           the seq to wait for.
     * @param timeoutMillis how long to wait at most.
     * @return true if {@code seq} is flushed; false on timeout or interrupt (the interrupt status is kept).
     */
    public boolean awaitFlushed(final long seq, final long timeoutMillis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (flushMonitor)
        {
            awaitedSeq = Math.max(awaitedSeq, seq);
            LockSupport.unpark(thread); // out of a linger
            while (!checkpointKnown || flushedSeq < seq)
            {
                final long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0)
                {
                    return false;
                }
                try
                {
                    TimeUnit.NANOSECONDS.timedWait(flushMonitor, remainingNanos);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Stop: one final attempt (bounded by the close timeout) to flush everything appended so far, then join the
     * thread. Idempotent.
     */
    @Override
    public void close()
    {
        final boolean wasStarted;
        synchronized (flushMonitor)
        {
            if (closeRequested)
            {
                wasStarted = false;
            }
            else
            {
                closeRequested = true;
                wasStarted = started;
            }
        }
        if (!wasStarted)
        {
            return;
        }

        LockSupport.unpark(thread);
        boolean interrupted = false;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeTimeoutMillis + JOIN_GRACE_MILLIS);
        while (thread.isAlive())
        {
            final long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis <= 0)
            {
                LOG.warn("journal flusher did not stop in time; interrupting it");
                thread.interrupt();
                break;
            }
            try
            {
                thread.join(remainingMillis);
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "JournalFlusher{" + status() + '}';
    }

    private void run()
    {
        long backoffMillis = 0;
        long closeDeadlineNanos = 0;
        long closeTargetSeq = 0;
        try
        {
            while (true)
            {
                if (closeRequested)
                {
                    if (0 == closeDeadlineNanos)
                    {
                        closeDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeTimeoutMillis);
                        closeTargetSeq = journal.lastSeq();
                    }
                    if ((checkpointKnown && flushedSeq >= closeTargetSeq) || System.nanoTime() >= closeDeadlineNanos)
                    {
                        break;
                    }
                }

                try
                {
                    if (!checkpointKnown)
                    {
                        readCheckpoint();
                    }
                    fillBatch();
                    if (batch.isEmpty())
                    {
                        idle();
                        continue;
                    }
                    if (lingered())
                    {
                        continue;
                    }
                    writeBatch();
                    backoffMillis = 0;
                }
                catch (final SQLException | RuntimeException ex)
                {
                    onFailure(ex);
                    backoffMillis = 0 == backoffMillis ?
                        BACKOFF_INITIAL_MILLIS : Math.min(BACKOFF_MAX_MILLIS, backoffMillis * 2);
                    backOff(backoffMillis, closeDeadlineNanos);
                }
            }

            if (closeRequested && checkpointKnown && flushedSeq < closeTargetSeq)
            {
                LOG.warn("journal flusher stopped with entries {}..{} not yet in PostgreSQL; they stay in the journal " +
                    "and are flushed on the next start", flushedSeq + 1, closeTargetSeq);
            }
        }
        catch (final Throwable ex)
        {
            LOG.error("journal flusher stopped unexpectedly", ex);
        }
        finally
        {
            if (null != reader)
            {
                reader.close();
            }
        }
    }

    private void readCheckpoint() throws SQLException
    {
        long checkpoint = 0;
        try (Connection connection = dataSource.getConnection();
            PreparedStatement select = connection.prepareStatement(SELECT_CHECKPOINT))
        {
            select.setObject(1, journal.id());
            try (ResultSet rows = select.executeQuery())
            {
                if (rows.next())
                {
                    checkpoint = rows.getLong(1);
                }
            }
        }

        final long last = journal.lastSeq();
        if (checkpoint > last)
        {
            LOG.error("journal {}: PostgreSQL has seqs up to {} but the journal ends at {}; the journal lost its " +
                "tail (fsync policy none and a machine crash?). New entries up to seq {} would collide with rows " +
                "already written: move the journal directory aside to start a new journal id",
                journal.id(), checkpoint, last, checkpoint);
            journal.reportProblem("PostgreSQL has seqs up to " + checkpoint + " but the journal ends at " + last +
                ": the journal lost its tail; new entries up to seq " + checkpoint + " collide with rows already " +
                "written (move the journal directory aside to start a new journal id)");
        }
        final long firstRetained = journal.firstRetainedSeq();
        if (checkpoint < firstRetained - 1)
        {
            LOG.warn("journal {}: entries {}..{} were released from the journal but are not in this database",
                journal.id(), checkpoint + 1, firstRetained - 1);
        }

        reader = journal.reader(checkpoint);
        flushedSeq = Math.max(checkpoint, reader.lastSeq());
        checkpointKnown = true;
        markUp();
        if (journal.lastSeq() > flushedSeq)
        {
            LOG.info("journal {}: replaying entries after seq {} (journal at {})",
                journal.id(), flushedSeq, journal.lastSeq());
        }
        signalFlushed();
    }

    private void fillBatch()
    {
        final long durable = journal.durableSeq();
        final long room = Math.min(batchSize - batch.size(), durable - reader.lastSeq());
        if (room > 0)
        {
            reader.poll(batch, (int)room);
        }
        if (!batch.isEmpty() && 0 == oldestUnflushedMillis)
        {
            oldestUnflushedMillis = batch.get(0).timestampMillis();
            batchStartNanos = System.nanoTime();
        }
    }

    /**
     * Waits for more entries while the batch is small and its linger is not over; false once it should be written:
     * full, lingered long enough, or someone waits for it ({@link #awaitFlushed}, {@link #close()}). Appends do not
     * wake this wait ({@link #wakeup()} only wakes an idle flusher), so a busy journal costs no wake-up per entry.
     */
    private boolean lingered()
    {
        if (batch.size() >= batchSize || closeRequested || awaitedSeq > flushedSeq)
        {
            return false;
        }
        final long remaining = batchStartNanos + lingerNanos - System.nanoTime();
        if (remaining <= 0)
        {
            return false;
        }
        LockSupport.parkNanos(this, remaining);
        return true;
    }

    private void writeBatch() throws SQLException
    {
        // Groups are written in order of their first entry in the batch.
        groups.clear();
        for (int i = 0, size = batch.size(); i < size; i++)
        {
            final JournalEntry entry = batch.get(i);
            final JournalSink sink = sinksByType.getOrDefault(entry.type(), fallbackSink);
            groups.computeIfAbsent(sink, s -> new ArrayList<>()).add(entry);
        }

        final long last = batch.get(batch.size() - 1).seq();
        try (Connection connection = dataSource.getConnection())
        {
            connection.setAutoCommit(false);
            try
            {
                writeOrRewrite(connection, last);
            }
            catch (final SQLException | RuntimeException ex)
            {
                rollbackQuietly(connection, ex);
                throw ex;
            }
        }

        final int count = batch.size();
        batch.clear();
        oldestUnflushedMillis = 0;
        batchStartNanos = 0;
        flushedSeq = last;
        flushedTotal += count;
        batches++;
        journal.release(last);
        markUp();
        signalFlushed();
    }

    /** The cheap way first; a batch that meets rows already there is rolled back and rewritten row by row. */
    private void writeOrRewrite(final Connection connection, final long last) throws SQLException
    {
        try
        {
            writeGroups(connection, last, false);
        }
        catch (final SQLException ex)
        {
            if (!UNIQUE_VIOLATION.equals(ex.getSQLState()))
            {
                throw ex;
            }
            connection.rollback();
            LOG.debug("journal {}: batch through seq {} met rows already in PostgreSQL; writing it row by row",
                journal.id(), last);
            writeGroups(connection, last, true);
        }
    }

    private void writeGroups(final Connection connection, final long last, final boolean rewrite) throws SQLException
    {
        for (final Map.Entry<JournalSink, ArrayList<JournalEntry>> group : groups.entrySet())
        {
            if (rewrite)
            {
                group.getKey().rewrite(connection, group.getValue());
            }
            else
            {
                group.getKey().write(connection, group.getValue());
            }
        }
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT_CHECKPOINT))
        {
            upsert.setObject(1, journal.id());
            upsert.setLong(2, last);
            upsert.executeUpdate();
        }
        connection.commit();
    }

    private void idle()
    {
        parked = true;
        try
        {
            if (journal.durableSeq() <= reader.lastSeq() && !closeRequested)
            {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MILLIS));
            }
        }
        finally
        {
            parked = false;
        }
    }

    private void backOff(final long millis, final long closeDeadlineNanos)
    {
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true)
        {
            final long now = System.nanoTime();
            long wake = until;
            if (closeRequested)
            {
                // Never sleep past the close deadline (computed at the top of the loop once close was seen).
                final long deadline = 0 == closeDeadlineNanos ?
                    now + TimeUnit.MILLISECONDS.toNanos(closeTimeoutMillis) : closeDeadlineNanos;
                wake = Math.min(wake, deadline);
            }
            if (now >= wake || Thread.currentThread().isInterrupted())
            {
                return;
            }
            LockSupport.parkNanos(this, wake - now);
        }
    }

    private void onFailure(final Throwable failure)
    {
        final String summary = ErrorSummary.of(failure);
        final boolean wasUp = databaseUp;
        lastError = summary;
        databaseUp = false;
        if (wasUp)
        {
            LOG.warn("journal flusher cannot write to PostgreSQL, retrying with back-off (journal keeps growing): {}",
                summary);
        }
        else
        {
            LOG.debug("journal flusher still failing: {}", summary);
        }
        if (failure instanceof RuntimeException && !(failure instanceof IllegalStateException))
        {
            // Most likely a sink bug rather than an outage: keep the stack trace.
            LOG.debug("journal flusher failure", failure);
        }
    }

    private void markUp()
    {
        if (!databaseUp)
        {
            databaseUp = true;
            if (null != lastError)
            {
                LOG.info("journal flusher reached PostgreSQL again (flushed through seq {}, journal at {})",
                    flushedSeq, journal.lastSeq());
            }
        }
    }

    private void signalFlushed()
    {
        synchronized (flushMonitor)
        {
            flushMonitor.notifyAll();
        }
    }

    private static void rollbackQuietly(final Connection connection, final Throwable cause)
    {
        try
        {
            connection.rollback();
        }
        catch (final SQLException ex)
        {
            cause.addSuppressed(ex);
        }
    }
}
