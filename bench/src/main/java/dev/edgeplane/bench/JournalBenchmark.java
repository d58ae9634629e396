package dev.edgeplane.bench;

import dev.edgeplane.persistence.Journal;
import dev.edgeplane.persistence.JournalSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link Journal#append(String, byte[])} of a {@value #PAYLOAD_LENGTH}-byte payload into 64 MiB segments in a
 * temporary directory, under two fsync policies:
 * <ul>
 *     <li>{@code NONE}: when {@code append} returns the record is in the page cache (survives a crash of the
 *     process, not of the machine); nothing forces it;</li>
 *     <li>{@code BATCH}: the {@code journal-sync} thread forces the journal every 2 ms (group commit);
 *     {@code append} itself does not wait for it.</li>
 * </ul>
 * {@code appendNoneTwoThreads} runs two threads appending to one {@code NONE} journal (appends serialise on the
 * journal's lock). Segment rolls (creating and mapping a new file) happen during measurement as they would in
 * service; full segments are deleted after each iteration ({@link Journal#release}, as the flusher does), so a run
 * does not fill the disk.
 *
 * <p>Mode: average time per operation in nanoseconds (for two threads, per thread: together they append
 * 2 / score records per nanosecond). Run with {@code -prof gc} to see bytes allocated per operation
 * ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JournalBenchmark
{
    /** Bytes of payload per record, about one route decision's trace detail. */
    static final int PAYLOAD_LENGTH = 200;

    /** Record type written. */
    static final String TYPE = "route.decision";

    /**
     * One open journal shared by the benchmark's threads.
     */
    public abstract static class JournalState
    {
        ScratchDirectory directory;
        Journal journal;
        byte[] payload;

        void open(final JournalSettings.FsyncPolicy policy) throws IOException
        {
            directory = ScratchDirectory.create("edgeplane-bench-journal-");
            journal = Journal.open(
                directory.path(),
                JournalSettings.defaults().withSegmentSizeBytes(64 << 20).withFsyncPolicy(policy));
            payload = new byte[PAYLOAD_LENGTH];
            new SplittableRandom(42).nextBytes(payload);
        }

        /** Deletes full segments, as the flusher does once PostgreSQL has the records. */
        @TearDown(Level.Iteration)
        public void releaseSegments()
        {
            journal.release(journal.lastSeq());
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            journal.close();
            directory.close();
        }
    }

    /** A journal with {@link JournalSettings.FsyncPolicy#NONE}. */
    @State(Scope.Benchmark)
    public static class NoneJournal extends JournalState
    {
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            open(JournalSettings.FsyncPolicy.NONE);
        }
    }

    /** A journal with {@link JournalSettings.FsyncPolicy#BATCH} (forced every 2 ms). */
    @State(Scope.Benchmark)
    public static class BatchJournal extends JournalState
    {
        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            open(JournalSettings.FsyncPolicy.BATCH);
        }
    }

    @Benchmark
    public long appendNone(final NoneJournal s)
    {
        return s.journal.append(TYPE, s.payload);
    }

    @Benchmark
    public long appendBatch(final BatchJournal s)
    {
        return s.journal.append(TYPE, s.payload);
    }

    @Benchmark
    @Threads(2)
    public long appendNoneTwoThreads(final NoneJournal s)
    {
        return s.journal.append(TYPE, s.payload);
    }
}
