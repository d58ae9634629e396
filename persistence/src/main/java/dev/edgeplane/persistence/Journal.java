package dev.edgeplane.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local durable journal: an append-only log of memory-mapped segment files into which every change that must
 * survive is written before the response is sent (docs/ARCHITECTURE.md, "Persistence"). The
 * {@link JournalFlusher} drains it to PostgreSQL.
 *
 * <p>Files in the directory: {@code journal.id} (a random UUID written once; entry identity is (id, seq), so a wiped
 * data directory never collides with rows already in PostgreSQL), {@code journal.lock} (held while open, so two
 * processes never append to one journal) and the segments {@code <first-seq, 20 digits>.seg} (record layout in
 * {@link JournalSegment}). Seqs are contiguous and start at 1.
 *
 * <p>Recovery on {@link #open}: segments are scanned in order, validating length, seq continuity and CRC32C; the
 * first invalid or partial record ends the log. Appends then overwrite it: the rest of that segment is zeroed and
 * later segment files are renamed to {@code *.seg.orphaned}, so no stale record can ever reappear behind new ones.
 *
 * <p>Space: segments are allocated for real before anything is written into them (zeros written through the file
 * channel and forced, see {@link JournalSegment}), because a mapped write into an unallocated page of a full
 * filesystem is a {@code SIGBUS}, not an exception. The {@code journal-allocator} thread keeps one whole segment
 * ready ahead of need (the file {@value #RESERVE_FILE_NAME}, renamed into place when the active segment is full), so
 * appenders never allocate. When an allocation fails (the filesystem is full) the allocator retries every second;
 * once there is no reserve and less than the headroom ({@code min(1 MiB, segment size / 4)}) left in the active
 * segment, {@link #acceptingWrites()} turns false with {@link #unavailableReason()} saying why. Callers check it
 * before they change state and refuse the write; an append that still finds no room throws
 * {@link JournalUnavailableException} without writing anything. The journal accepts writes again by itself as soon
 * as an allocation succeeds (e.g. after the flusher released segments or an operator freed space).
 *
 * <p>Recovery problems (a torn record, a segment that does not continue the log, stale data after the end) are
 * logged at error level and kept in {@link #recoveryProblems()} for {@code /health}.
 *
 * <p>Durability follows {@link JournalSettings.FsyncPolicy}: {@code NONE} returns with the record in the page cache,
 * {@code ALWAYS} forces it before {@link #append} returns (appenders that arrive while a force is running share the
 * next one), {@code BATCH} leaves forcing to the {@code journal-sync} thread every batch interval. Callers learn of
 * durability without blocking through {@link #whenDurable(long, Runnable)}.
 *
 * <p>Threading: {@link #append} may be called from any number of threads. Appends serialise on a short lock whose
 * critical section assigns the seq and copies the record (header, type, payload, CRC) into the mapping; the append
 * position is then published with release semantics and {@link JournalReader}s read it with acquire semantics, so a
 * reader on any thread sees whole records only. All other methods are thread-safe too.
 */
public final class Journal implements AutoCloseable
{
    /** Name of the file that holds the journal id. */
    public static final String ID_FILE_NAME = "journal.id";

    /** Name of the lock file held while the journal is open. */
    public static final String LOCK_FILE_NAME = "journal.lock";

    /** Suffix given to segment files found after the end of the log during recovery. */
    public static final String ORPHANED_SUFFIX = ".orphaned";

    /** Name of the segment file prepared ahead of need; it takes its real name when it becomes the active one. */
    public static final String RESERVE_FILE_NAME = "reserve.seg.next";

    /** Most bytes of the active segment kept back for writes already admitted when no reserve can be made. */
    public static final int HEADROOM_MAX = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final long SYNC_ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int ZERO_PAGE_SIZE = 4096;
    private static final long ALLOCATION_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path directory;
    private final JournalSettings settings;
    private final JournalSettings.FsyncPolicy fsyncPolicy;
    private final UUID id;
    private final FileChannel lockChannel;
    private final FileLock fileLock;

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ArrayList<JournalSegment> segments = new ArrayList<>();  // guarded by appendLock
    private final CRC32C crc = new CRC32C();                                // guarded by appendLock
    private JournalSegment active;                                          // guarded by appendLock
    private ByteBuffer activeView;                                          // guarded by appendLock
    private long lastSeq;                                                   // guarded by appendLock
    private boolean directoryDirty;                                         // guarded by appendLock
    private boolean closed;                                                 // guarded by appendLock
    private JournalSegment reserve;                                         // guarded by appendLock

    private final int headroom;
    private volatile boolean acceptingWrites;
    /** Why the last allocation failed, null while allocations succeed. */
    private volatile String allocationError;
    /** Test hook: raised instead of allocating (see the test-jar's {@code JournalFaults}). */
    private volatile IOException allocationFault;
    private volatile Runnable availabilityListener;
    private final List<String> recoveryProblems = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread allocatorThread;

    private volatile long publishedSeq;
    private volatile long durableSeq;
    private volatile long retainedBytes;
    private volatile boolean closing;

    private final Object syncLock = new Object();
    private final ArrayList<JournalSegment> syncSegments = new ArrayList<>(); // guarded by syncLock
    private int[] syncLimits = new int[8];                                   // guarded by syncLock

    private final ConcurrentLinkedQueue<DurabilityWaiter> waiters = new ConcurrentLinkedQueue<>();
    private final Thread syncThread;

    private Journal(
        final Path directory,
        final JournalSettings settings,
        final UUID id,
        final FileChannel lockChannel,
        final FileLock fileLock,
        final List<JournalSegment> recovered,
        final long lastSeq,
        final List<String> problems,
        final String allocationError)
    {
        this.directory = directory;
        this.settings = settings;
        this.fsyncPolicy = settings.fsyncPolicy();
        this.id = id;
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.segments.addAll(recovered);
        this.active = recovered.get(recovered.size() - 1);
        this.activeView = active.newView();
        this.lastSeq = lastSeq;
        this.publishedSeq = lastSeq;
        this.durableSeq = lastSeq;
        long bytes = 0;
        for (final JournalSegment segment : recovered)
        {
            bytes += segment.writePosition;
        }
        this.retainedBytes = bytes;
        this.recoveryProblems.addAll(problems);
        this.headroom = Math.min(HEADROOM_MAX, settings.segmentSizeBytes() / 4);
        this.allocationError = allocationError;
        this.acceptingWrites = active.allocatedLimit - active.writePosition >= headroom;

        allocatorThread = new Thread(this::runAllocator, "journal-allocator");
        allocatorThread.setDaemon(true);
        allocatorThread.start();

        if (fsyncPolicy == JournalSettings.FsyncPolicy.BATCH)
        {
            syncThread = new Thread(this::runSync, "journal-sync");
            syncThread.setDaemon(true);
            syncThread.start();
        }
        else
        {
            syncThread = null;
        }
    }

    /**
     * Open (creating if needed) the journal in {@code directory} and recover it.
     *
     * @param directory where the journal lives, e.g. {@code data/journal}.
     * @param settings  segment size and fsync policy.
     * @return the open journal.
     * @throws IOException           if the directory cannot be read or written.
     * @throws IllegalStateException if another process (or another {@code Journal} in this one) holds the directory.
     */
    public static Journal open(final Path directory, final JournalSettings settings) throws IOException
    {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(settings, "settings");
        Files.createDirectories(directory);

        final FileChannel lockChannel = FileChannel.open(
            directory.resolve(LOCK_FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = null;
        try
        {
            try
            {
                lock = lockChannel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (null == lock)
            {
                throw new IllegalStateException("journal directory " + directory + " is in use by another journal");
            }

            final List<JournalSegment> recovered = new ArrayList<>();
            try
            {
                Files.deleteIfExists(directory.resolve(RESERVE_FILE_NAME));
                final List<Path> segmentFiles = listSegments(directory);
                final UUID id = loadOrCreateId(directory, !segmentFiles.isEmpty());
                final List<String> problems = new ArrayList<>();
                final long lastSeq = recover(directory, settings, segmentFiles, recovered, problems);
                final String allocationError = allocateTail(directory, recovered.get(recovered.size() - 1));
                return new Journal(directory, settings, id, lockChannel, lock, recovered, lastSeq, problems,
                    allocationError);
            }
            catch (final IOException | RuntimeException ex)
            {
                for (final JournalSegment segment : recovered)
                {
                    segment.release();
                }
                throw ex;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != lock)
            {
                lock.release();
            }
            lockChannel.close();
            throw ex;
        }
    }

    /**
     * Append a record.
     *
     * @param type    record type, US-ASCII, at most 255 characters.
     * @param payload the bytes to record.
     * @return the record's seq.
     * @see #append(String, byte[], int, int)
     */
    public long append(final String type, final byte[] payload)
    {
        return append(type, payload, 0, payload.length);
    }

    /**
     * Append a record. On return it is visible to readers and durable as far as the fsync policy promises ({@code
     * ALWAYS}: forced to the device; otherwise in the page cache, see {@link #whenDurable}).
     *
     * @param type   record type, US-ASCII, at most 255 characters.
     * @param buffer holds the payload.
     * @param offset of the payload in {@code buffer}.
     * @param length of the payload.
     * @return the record's seq.
     * @throws IllegalArgumentException if the type is not short US-ASCII or the record cannot fit in a segment.
     * @throws IllegalStateException       if the journal is closed.
     * @throws JournalUnavailableException if there is no allocated room for the record (the filesystem is full);
     *                                     nothing was written. Check {@link #acceptingWrites()} first.
     */
    public long append(final String type, final byte[] buffer, final int offset, final int length)
    {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        final int typeLength = type.length();
        if (typeLength > JournalSegment.MAX_TYPE_LENGTH)
        {
            throw new IllegalArgumentException("type longer than 255 characters");
        }
        for (int i = 0; i < typeLength; i++)
        {
            if (type.charAt(i) > 0x7F)
            {
                throw new IllegalArgumentException("type must be US-ASCII: " + type);
            }
        }
        final long recordLength = (long)JournalSegment.HEADER_LENGTH + typeLength + length;
        if (recordLength > settings.segmentSizeBytes())
        {
            throw new IllegalArgumentException(
                "record of " + recordLength + " bytes does not fit in a segment of " + settings.segmentSizeBytes());
        }
        final int alignedLength = JournalSegment.align((int)recordLength);
        final long timestamp = System.currentTimeMillis();

        final long seq;
        boolean availabilityChanged = false;
        appendLock.lock();
        try
        {
            if (closed)
            {
                throw new IllegalStateException("journal is closed");
            }

            JournalSegment segment = active;
            int position = segment.writePosition;
            if (position + alignedLength > segment.capacity)
            {
                segment = roll();
                position = 0;
            }
            if (position + alignedLength > segment.allocatedLimit)
            {
                refuse(null == allocationError ? "the segment is not allocated yet" : allocationError);
            }

            seq = lastSeq + 1;
            final MappedByteBuffer mapped = segment.buffer;
            mapped.putLong(position + JournalSegment.SEQ_OFFSET, seq);
            mapped.putLong(position + JournalSegment.TIMESTAMP_OFFSET, timestamp);
            mapped.putShort(position + JournalSegment.TYPE_LENGTH_OFFSET, (short)typeLength);
            final int typeStart = position + JournalSegment.TYPE_OFFSET;
            for (int i = 0; i < typeLength; i++)
            {
                mapped.put(typeStart + i, (byte)type.charAt(i));
            }
            mapped.put(typeStart + typeLength, buffer, offset, length);

            final int end = position + (int)recordLength;
            activeView.limit(end).position(position + JournalSegment.CRC_COVERED_OFFSET);
            crc.reset();
            crc.update(activeView);
            mapped.putInt(position + JournalSegment.CRC_OFFSET, (int)crc.getValue());
            mapped.putInt(position + JournalSegment.LENGTH_OFFSET, (int)recordLength);

            segment.writePosition = position + alignedLength;
            retainedBytes += alignedLength;
            lastSeq = seq;
            publishedSeq = seq;
            if (null == reserve)
            {
                availabilityChanged = refreshAvailability();
            }
        }
        finally
        {
            appendLock.unlock();
        }
        if (availabilityChanged)
        {
            availabilityChanged();
        }

        if (fsyncPolicy == JournalSettings.FsyncPolicy.ALWAYS)
        {
            forceThrough(seq);
        }
        return seq;
    }

    /**
     * Run {@code action} once {@code seq} is durable under the fsync policy. Never blocks: with {@code NONE} and
     * {@code ALWAYS} (and whenever {@code seq} is already durable) the action runs at once on the calling thread;
     * with {@code BATCH} it otherwise runs on the {@code journal-sync} thread after the next group commit, so it
     * must be short and must not block (hand the response to the channel's event loop, for example).
     *
     * @param seq    a seq returned by {@link #append}.
     * @param action what to run; exceptions it throws on the sync thread are logged and dropped.
     * @throws IllegalArgumentException if {@code seq} has not been appended.
     */
    public void whenDurable(final long seq, final Runnable action)
    {
        Objects.requireNonNull(action, "action");
        if (seq > publishedSeq)
        {
            throw new IllegalArgumentException("seq " + seq + " has not been appended (last is " + publishedSeq + ")");
        }
        if (seq <= durableSeq())
        {
            action.run();
            return;
        }

        if (fsyncPolicy == JournalSettings.FsyncPolicy.BATCH)
        {
            waiters.offer(new DurabilityWaiter(seq, action));
            if (closing)
            {
                // The sync thread may already have done its final pass: complete what close() made durable.
                completeWaiters(null);
            }
        }
        else
        {
            // ALWAYS: only reached if another thread's append has not finished its own force yet.
            forceThrough(seq);
            action.run();
        }
    }

    /**
     * Create a reader positioned after {@code afterSeq}. If segments holding seqs after {@code afterSeq} were
     * already {@link #release released}, the reader starts at the oldest retained record.
     *
     * @param afterSeq the last seq the consumer has already processed (0 for everything).
     * @return a new reader, owned by the caller (not thread-safe; close it when done).
     */
    public JournalReader reader(final long afterSeq)
    {
        final JournalSegment segment;
        final long startSeq;
        final boolean atEnd;
        final int endPosition;
        appendLock.lock();
        try
        {
            if (closed)
            {
                throw new IllegalStateException("journal is closed");
            }

            final long oldest = segments.get(0).firstSeq;
            final long wanted = Math.max(oldest, Math.min(Math.max(afterSeq, 0) + 1, lastSeq + 1));
            JournalSegment found = segments.get(0);
            for (int i = segments.size() - 1; i >= 0; i--)
            {
                if (segments.get(i).firstSeq <= wanted)
                {
                    found = segments.get(i);
                    break;
                }
            }
            found.retain();
            segment = found;
            startSeq = wanted;
            atEnd = wanted == lastSeq + 1 && found == active;
            endPosition = found.writePosition;
        }
        finally
        {
            appendLock.unlock();
        }

        // Walking to the start position happens outside the lock: published records never change.
        int offset = 0;
        if (atEnd)
        {
            offset = endPosition;
        }
        else
        {
            for (long seq = segment.firstSeq; seq < startSeq; seq++)
            {
                offset += JournalSegment.align(segment.buffer.getInt(offset + JournalSegment.LENGTH_OFFSET));
            }
        }
        return new JournalReader(this, segment, offset, startSeq, Math.max(afterSeq, startSeq - 1));
    }

    /**
     * Delete segment files whose records are all at or below {@code flushedSeq}. The active segment is never
     * deleted. Safe while readers are positioned in those segments: their mappings stay valid until they move on.
     *
     * @param flushedSeq the highest seq that no longer needs to be kept locally.
     */
    public void release(final long flushedSeq)
    {
        List<JournalSegment> removed = null;
        appendLock.lock();
        try
        {
            while (segments.size() > 1 && segments.get(1).firstSeq - 1 <= flushedSeq)
            {
                final JournalSegment segment = segments.remove(0);
                retainedBytes -= segment.writePosition;
                if (null == removed)
                {
                    removed = new ArrayList<>();
                }
                removed.add(segment);
            }
        }
        finally
        {
            appendLock.unlock();
        }

        if (null != removed)
        {
            for (final JournalSegment segment : removed)
            {
                try
                {
                    Files.deleteIfExists(segment.path);
                }
                catch (final IOException ex)
                {
                    LOG.warn("could not delete flushed journal segment {}: {}", segment.path, ex.toString());
                }
                segment.release();
            }
        }
    }

    /**
     * @return the seq of the last appended record (0 if none).
     */
    public long lastSeq()
    {
        return publishedSeq;
    }

    /**
     * @return the highest seq that is durable under the fsync policy ({@code NONE}: the last appended).
     */
    public long durableSeq()
    {
        return fsyncPolicy == JournalSettings.FsyncPolicy.NONE ? publishedSeq : durableSeq;
    }

    /**
     * @return this journal's id, stable for the life of the directory.
     */
    public UUID id()
    {
        return id;
    }

    /**
     * @return the journal directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the settings the journal was opened with.
     */
    public JournalSettings settings()
    {
        return settings;
    }

    /**
     * @return bytes of record data held in retained segments; grows while the flusher cannot reach PostgreSQL.
     */
    public long sizeBytes()
    {
        return retainedBytes;
    }

    /**
     * Whether a write admitted now can be journaled: false while no reserve segment is ready (the filesystem had no
     * room for it) and the active segment is down to its headroom. Callers ask this before they change state and
     * answer "unavailable" when it is false. Never blocks; a volatile read.
     *
     * @return true while writes can be taken.
     */
    public boolean acceptingWrites()
    {
        return acceptingWrites;
    }

    /**
     * @return why writes are refused (or, while they are still accepted, why the last allocation failed); null when
     * allocations succeed.
     */
    public String unavailableReason()
    {
        final String error = allocationError;
        if (acceptingWrites)
        {
            return error;
        }
        return "journal " + directory + " has no allocated room for writes: " +
            (null == error ? "no segment allocated yet" : error);
    }

    /**
     * @return what recovery found wrong when the journal was opened (a torn or short tail, segments set aside) and
     * any loss noticed later (PostgreSQL ahead of the journal); empty when the journal was intact.
     */
    public List<String> recoveryProblems()
    {
        return List.copyOf(recoveryProblems);
    }

    /**
     * Register what to run when {@link #acceptingWrites()} changes (e.g. re-evaluate health at once). It runs on the
     * thread that saw the change and must be short and non-blocking.
     *
     * @param listener the action, or null for none.
     */
    public void onAvailabilityChange(final Runnable listener)
    {
        availabilityListener = listener;
    }

    /**
     * @return the seq of the oldest retained record (records before it were released).
     */
    public long firstRetainedSeq()
    {
        appendLock.lock();
        try
        {
            return closed ? publishedSeq + 1 : segments.get(0).firstSeq;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * Force everything appended so far, complete pending {@link #whenDurable} actions, stop the sync thread and
     * unmap segments no reader still uses. Further appends fail.
     */
    @Override
    public void close()
    {
        appendLock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closing = true;
        }
        finally
        {
            appendLock.unlock();
        }

        if (null != syncThread)
        {
            join(syncThread);
        }
        join(allocatorThread);

        appendLock.lock();
        try
        {
            closed = true;
        }
        finally
        {
            appendLock.unlock();
        }

        try
        {
            forceThrough(publishedSeq);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("journal {}: final force failed: {}", directory, ex.toString());
        }
        completeWaiters(null);

        appendLock.lock();
        try
        {
            for (final JournalSegment segment : segments)
            {
                segment.release();
            }
            segments.clear();
            if (null != reserve)
            {
                reserve.release();
                reserve = null;
            }
        }
        finally
        {
            appendLock.unlock();
        }
        try
        {
            Files.deleteIfExists(directory.resolve(RESERVE_FILE_NAME));
        }
        catch (final IOException ex)
        {
            LOG.warn("journal {}: could not delete {}: {}", directory, RESERVE_FILE_NAME, ex.toString());
        }

        try
        {
            fileLock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("journal {}: could not release lock file: {}", directory, ex.toString());
        }
    }

    @Override
    public String toString()
    {
        return "Journal{" + directory + ", id=" + id + ", lastSeq=" + publishedSeq + ", durableSeq=" +
            durableSeq() + '}';
    }

    long publishedSeq()
    {
        return publishedSeq;
    }

    /** Test hook: make every allocation fail with {@code fault} (null: allocate for real again). */
    void allocationFault(final IOException fault)
    {
        allocationFault = fault;
        LockSupport.unpark(allocatorThread);
    }

    /** @return whether a reserve segment is prepared (tests wait for it before they fill the filesystem). */
    boolean reserveReady()
    {
        appendLock.lock();
        try
        {
            return null != reserve;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /** Test hook: drop the prepared reserve, as if the filesystem had been full when it was due. */
    void discardReserve()
    {
        final JournalSegment discarded;
        boolean changed;
        appendLock.lock();
        try
        {
            discarded = reserve;
            reserve = null;
            changed = refreshAvailability();
        }
        finally
        {
            appendLock.unlock();
        }
        if (null != discarded)
        {
            discarded.release();
            try
            {
                Files.deleteIfExists(discarded.path);
            }
            catch (final IOException ex)
            {
                LOG.warn("journal {}: could not delete {}: {}", directory, discarded.path, ex.toString());
            }
        }
        if (changed)
        {
            availabilityChanged();
        }
        LockSupport.unpark(allocatorThread);
    }

    /** Something found after opening that the operator must know (the flusher: PostgreSQL is ahead of us). */
    void reportProblem(final String problem)
    {
        recoveryProblems.add(problem);
    }

    /**
     * The segment that holds {@code nextSeq} when a reader runs off the end of {@code current}; if that segment has
     * already been released, the oldest retained segment after it. Returns null if there is none yet.
     */
    JournalSegment segmentFor(final long nextSeq)
    {
        appendLock.lock();
        try
        {
            for (final JournalSegment segment : segments)
            {
                if (segment.firstSeq >= nextSeq)
                {
                    return segment.retain() ? segment : null;
                }
            }
            return null;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    /**
     * Make the prepared reserve the active segment: one rename, no allocation. If the allocator has merely fallen
     * behind (segments too small for the write rate) the appender allocates the segment itself; if allocations are
     * failing the append is refused.
     */
    // guarded by appendLock
    private JournalSegment roll()
    {
        final Path path = directory.resolve(JournalSegment.fileName(lastSeq + 1));
        final JournalSegment next;
        if (null != reserve)
        {
            try
            {
                Files.move(reserve.path, path, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException ex)
            {
                refuse("cannot put the reserve segment in place: " + describe(ex));
            }
            next = reserve.renamed(lastSeq + 1, path);
            reserve = null;
        }
        else if (null == allocationError)
        {
            try
            {
                next = JournalSegment.createAllocated(path, lastSeq + 1, settings.segmentSizeBytes(), allocationFault);
            }
            catch (final IOException ex)
            {
                allocationError = "cannot allocate a journal segment: " + describe(ex);
                refuse(allocationError);
                throw new AssertionError(); // not reached
            }
        }
        else
        {
            refuse(allocationError);
            throw new AssertionError(); // not reached
        }

        active.sealedLimit = active.writePosition;
        segments.add(next);
        active = next;
        activeView = next.newView();
        directoryDirty = true;
        LockSupport.unpark(allocatorThread);
        return next;
    }

    /**
     * Refuse the append under way: nothing has been written. Turns {@link #acceptingWrites()} off at once (the
     * allocator turns it on again when it has made room) and wakes the allocator.
     */
    // guarded by appendLock
    private void refuse(final String reason)
    {
        if (acceptingWrites)
        {
            acceptingWrites = false;
            LOG.error("journal {}: refusing writes: {}", directory, reason);
            final Runnable listener = availabilityListener;
            if (null != listener)
            {
                try
                {
                    listener.run();
                }
                catch (final RuntimeException ex)
                {
                    LOG.warn("journal {}: availability listener failed", directory, ex);
                }
            }
        }
        LockSupport.unpark(allocatorThread);
        throw new JournalUnavailableException("journal " + directory + " cannot take the write: " + reason);
    }

    /**
     * Re-evaluate {@link #acceptingWrites()}; true if it changed.
     */
    // guarded by appendLock
    private boolean refreshAvailability()
    {
        final boolean accepting = !closed &&
            (null != reserve || active.allocatedLimit - active.writePosition >= headroom);
        if (accepting == acceptingWrites)
        {
            return false;
        }
        acceptingWrites = accepting;
        return true;
    }

    private void availabilityChanged()
    {
        if (acceptingWrites)
        {
            LOG.info("journal {}: accepting writes again", directory);
        }
        else
        {
            LOG.error("journal {}: refusing writes: {}", directory, unavailableReason());
        }
        LockSupport.unpark(allocatorThread);
        final Runnable listener = availabilityListener;
        if (null != listener)
        {
            try
            {
                listener.run();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("journal {}: availability listener failed", directory, ex);
            }
        }
    }

    /**
     * The {@code journal-allocator} thread: keep the active segment fully allocated and one reserve segment ready;
     * on failure retry every second, on success wait until a roll uses the reserve.
     */
    private void runAllocator()
    {
        while (!closing)
        {
            boolean failed = false;
            try
            {
                allocateAhead();
                if (null != allocationError)
                {
                    LOG.info("journal {}: segment allocation succeeds again", directory);
                }
                allocationError = null;
            }
            catch (final IOException | RuntimeException ex)
            {
                failed = true;
                final String error = "cannot allocate a journal segment: " + describe(ex);
                if (!error.equals(allocationError))
                {
                    LOG.error("journal {}: {} (retrying every second)", directory, error);
                }
                allocationError = error;
            }

            boolean changed;
            appendLock.lock();
            try
            {
                changed = refreshAvailability();
            }
            finally
            {
                appendLock.unlock();
            }
            if (changed)
            {
                availabilityChanged();
            }
            if (!closing)
            {
                LockSupport.parkNanos(this, failed ? ALLOCATION_RETRY_NANOS : ALLOCATION_RETRY_NANOS * 10);
            }
        }
    }

    private void allocateAhead() throws IOException
    {
        final JournalSegment tail;
        final int from;
        final boolean needReserve;
        appendLock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            tail = active.allocatedLimit < active.capacity ? active : null;
            from = active.allocatedLimit;
            needReserve = null == reserve;
        }
        finally
        {
            appendLock.unlock();
        }

        if (null != tail)
        {
            tail.allocate(from, tail.capacity, allocationFault);
            appendLock.lock();
            try
            {
                if (tail.allocatedLimit == from)
                {
                    tail.allocatedLimit = tail.capacity;
                }
            }
            finally
            {
                appendLock.unlock();
            }
        }

        if (needReserve)
        {
            final Path path = directory.resolve(RESERVE_FILE_NAME);
            Files.deleteIfExists(path);
            final JournalSegment prepared =
                JournalSegment.createAllocated(path, 0, settings.segmentSizeBytes(), allocationFault);
            boolean installed = false;
            appendLock.lock();
            try
            {
                if (!closed && null == reserve)
                {
                    reserve = prepared;
                    installed = true;
                }
            }
            finally
            {
                appendLock.unlock();
            }
            if (!installed)
            {
                prepared.release();
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Allocate the rest of the recovered active segment before anything is appended to it. A failure is not fatal:
     * the journal opens refusing writes and the allocator retries.
     *
     * @return null, or why the allocation failed.
     */
    private static String allocateTail(final Path directory, final JournalSegment last)
    {
        last.allocatedLimit = last.writePosition;
        try
        {
            last.allocate(last.writePosition, last.capacity, null);
            last.allocatedLimit = last.capacity;
            return null;
        }
        catch (final IOException ex)
        {
            final String error = "cannot allocate a journal segment: " + describe(ex);
            LOG.error("journal {}: {}; opening with writes refused until there is room", directory, error);
            return error;
        }
    }

    private static String describe(final Exception ex)
    {
        final String message = ex.getMessage();
        return null == message ? ex.getClass().getSimpleName() : message;
    }

    private static void join(final Thread thread)
    {
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
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

    /**
     * Make everything published up to at least {@code seq} durable. Concurrent callers queue on the sync lock and
     * find their seq already covered by the force that ran while they waited (group commit).
     */
    private void forceThrough(final long seq)
    {
        if (durableSeq >= seq)
        {
            return;
        }
        synchronized (syncLock)
        {
            if (durableSeq >= seq)
            {
                return;
            }
            forceAll();
        }
    }

    // guarded by syncLock
    private void forceAll()
    {
        final long target;
        final boolean syncDirectory;
        appendLock.lock();
        try
        {
            target = lastSeq;
            syncDirectory = directoryDirty;
            directoryDirty = false;
            for (final JournalSegment segment : segments)
            {
                if (segment.forcedPosition < segment.writePosition && segment.retain())
                {
                    if (syncSegments.size() == syncLimits.length)
                    {
                        syncLimits = Arrays.copyOf(syncLimits, syncLimits.length * 2);
                    }
                    syncLimits[syncSegments.size()] = segment.writePosition;
                    syncSegments.add(segment);
                }
            }
        }
        finally
        {
            appendLock.unlock();
        }

        try
        {
            if (syncDirectory)
            {
                forceDirectory(directory);
            }
            for (int i = 0; i < syncSegments.size(); i++)
            {
                final JournalSegment segment = syncSegments.get(i);
                final int from = segment.forcedPosition;
                segment.buffer.force(from, syncLimits[i] - from);
                segment.forcedPosition = syncLimits[i];
            }
            if (target > durableSeq)
            {
                durableSeq = target;
            }
        }
        catch (final IOException ex)
        {
            markDirectoryDirty();
            throw new UncheckedIOException("journal " + directory + ": fsync of directory failed", ex);
        }
        catch (final RuntimeException ex)
        {
            markDirectoryDirty();
            throw ex;
        }
        finally
        {
            for (final JournalSegment segment : syncSegments)
            {
                segment.release();
            }
            syncSegments.clear();
        }
    }

    private void markDirectoryDirty()
    {
        appendLock.lock();
        try
        {
            directoryDirty = true;
        }
        finally
        {
            appendLock.unlock();
        }
    }

    private void runSync()
    {
        final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.batchIntervalMillis());
        final ArrayDeque<DurabilityWaiter> pending = new ArrayDeque<>();
        long lastErrorLogNanos = System.nanoTime() - SYNC_ERROR_LOG_INTERVAL_NANOS;
        while (!closing)
        {
            LockSupport.parkNanos(this, intervalNanos);
            try
            {
                forceThrough(publishedSeq);
            }
            catch (final RuntimeException ex)
            {
                final long now = System.nanoTime();
                if (now - lastErrorLogNanos >= SYNC_ERROR_LOG_INTERVAL_NANOS)
                {
                    lastErrorLogNanos = now;
                    LOG.error("journal {}: group commit failed, will retry: {}", directory, ex.toString());
                }
            }
            completeWaiters(pending);
        }

        try
        {
            forceThrough(publishedSeq);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("journal {}: final group commit failed: {}", directory, ex.toString());
        }
        completeWaiters(pending);
        // Anything left waits for close(), which forces again and completes the queue.
        waiters.addAll(pending);
    }

    /**
     * Run the actions of waiters whose seq is durable. {@code pending} carries waiters across passes on the sync
     * thread; other callers pass null and re-queue what is not durable yet.
     */
    private void completeWaiters(final ArrayDeque<DurabilityWaiter> pending)
    {
        final long durable = durableSeq;
        final int carried = null == pending ? 0 : pending.size();
        for (int i = 0; i < carried; i++)
        {
            final DurabilityWaiter waiter = pending.poll();
            if (waiter.seq <= durable)
            {
                runAction(waiter);
            }
            else
            {
                pending.offer(waiter);
            }
        }

        List<DurabilityWaiter> notYet = null;
        DurabilityWaiter waiter;
        while (null != (waiter = waiters.poll()))
        {
            if (waiter.seq <= durable)
            {
                runAction(waiter);
            }
            else if (null != pending)
            {
                pending.offer(waiter);
            }
            else
            {
                if (null == notYet)
                {
                    notYet = new ArrayList<>();
                }
                notYet.add(waiter);
            }
        }
        if (null != notYet)
        {
            waiters.addAll(notYet);
        }
    }

    private void runAction(final DurabilityWaiter waiter)
    {
        try
        {
            waiter.action.run();
        }
        catch (final Throwable ex)
        {
            LOG.error("journal {}: whenDurable action for seq {} failed", directory, waiter.seq, ex);
        }
    }

    private static List<Path> listSegments(final Path directory) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + JournalSegment.SUFFIX))
        {
            for (final Path path : stream)
            {
                if (JournalSegment.parseFileName(path.getFileName().toString()) > 0 && Files.isRegularFile(path))
                {
                    files.add(path);
                }
            }
        }
        files.sort(Comparator.comparingLong(p -> JournalSegment.parseFileName(p.getFileName().toString())));
        return files;
    }

    private static UUID loadOrCreateId(final Path directory, final boolean hasSegments) throws IOException
    {
        final Path idFile = directory.resolve(ID_FILE_NAME);
        if (Files.exists(idFile))
        {
            final String text = Files.readString(idFile, StandardCharsets.US_ASCII).strip();
            UUID existing = null;
            try
            {
                existing = UUID.fromString(text);
            }
            catch (final IllegalArgumentException ex)
            {
                LOG.warn("journal {}: {} is unreadable, assigning a new journal id", directory, ID_FILE_NAME);
            }
            if (null != existing && hasSegments)
            {
                return existing;
            }
            if (null != existing)
            {
                // Seqs would restart at 1 under an id whose seqs may already be in PostgreSQL: take a new identity.
                LOG.warn("journal {}: id file present but no segments, assigning a new journal id", directory);
            }
        }
        else if (hasSegments)
        {
            LOG.warn("journal {}: segments present but {} is missing, assigning a new journal id",
                directory, ID_FILE_NAME);
        }

        final UUID id = UUID.randomUUID();
        final Path temporary = directory.resolve(ID_FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            final ByteBuffer bytes = ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temporary, idFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(directory);
        return id;
    }

    /**
     * Scan the segments, fill {@code recovered} with those that hold the log and return the last valid seq. Whatever
     * ends the log other than a clean end (a torn or short record, a gap, data after the end) is logged at error
     * level and added to {@code problems}.
     */
    private static long recover(
        final Path directory,
        final JournalSettings settings,
        final List<Path> files,
        final List<JournalSegment> recovered,
        final List<String> problems) throws IOException
    {
        final CRC32C checksum = new CRC32C();
        long expected = files.isEmpty() ? 1 : JournalSegment.parseFileName(files.get(0).getFileName().toString());
        int orphansFrom = files.size();
        boolean logEnded = false;

        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final long firstSeq = JournalSegment.parseFileName(file.getFileName().toString());
            if (firstSeq != expected)
            {
                problems.add("segment " + file.getFileName() + " does not continue the log at seq " + expected +
                    ": the log ends at seq " + (expected - 1));
                orphansFrom = i;
                break;
            }

            final JournalSegment segment = JournalSegment.open(file, firstSeq);
            recovered.add(segment);
            final ByteBuffer view = segment.newView();
            int position = 0;
            while (position + JournalSegment.HEADER_LENGTH <= segment.capacity)
            {
                final int length = segment.buffer.getInt(position + JournalSegment.LENGTH_OFFSET);
                if (0 == length)
                {
                    break;
                }
                final String problem = validate(segment, view, checksum, position, length, expected);
                if (null != problem)
                {
                    problems.add("torn tail: " + problem + " in " + file.getFileName() + " at offset " + position +
                        " (expected seq " + expected + "); the log ends at seq " + (expected - 1) +
                        " and the rest of the segment is discarded");
                    logEnded = true;
                    break;
                }
                expected++;
                position += JournalSegment.align(length);
            }
            segment.writePosition = position;
            segment.forcedPosition = 0;

            if (logEnded)
            {
                orphansFrom = i + 1;
                break;
            }
        }

        for (int i = orphansFrom; i < files.size(); i++)
        {
            final Path file = files.get(i);
            Path target = file.resolveSibling(file.getFileName() + ORPHANED_SUFFIX);
            for (int n = 1; Files.exists(target); n++)
            {
                target = file.resolveSibling(file.getFileName() + ORPHANED_SUFFIX + "." + n);
            }
            Files.move(file, target);
            problems.add("segment " + file.getFileName() + " is after the end of the log: moved aside as " +
                target.getFileName());
        }

        if (recovered.isEmpty())
        {
            recovered.add(JournalSegment.createSparse(
                directory.resolve(JournalSegment.fileName(expected)), expected, settings.segmentSizeBytes()));
        }
        else
        {
            final JournalSegment last = recovered.get(recovered.size() - 1);
            if (0 == last.writePosition && last.capacity < settings.segmentSizeBytes())
            {
                // An empty segment from smaller settings (or a crash while it was created): make it full size.
                recovered.remove(recovered.size() - 1);
                last.release();
                Files.delete(last.path);
                recovered.add(JournalSegment.createSparse(last.path, expected, settings.segmentSizeBytes()));
            }
            else
            {
                final int staleAt = zeroTail(last);
                if (staleAt >= 0 && !logEnded)
                {
                    problems.add("data after the end of the log in " + last + " from offset " + staleAt +
                        " (seq " + expected + " onward was never completely written): zeroed");
                }
            }
        }

        for (final String problem : problems)
        {
            LOG.error("journal {}: recovery: {}", directory, problem);
        }

        for (int i = 0; i < recovered.size(); i++)
        {
            final JournalSegment segment = recovered.get(i);
            // Whatever a crashed process left in the page cache is made durable before anything is acknowledged.
            segment.buffer.force();
            segment.forcedPosition = segment.writePosition;
            if (i < recovered.size() - 1)
            {
                segment.sealedLimit = segment.writePosition;
            }
        }
        forceDirectory(directory);

        return expected - 1;
    }

    private static String validate(
        final JournalSegment segment,
        final ByteBuffer view,
        final CRC32C checksum,
        final int position,
        final int length,
        final long expectedSeq)
    {
        if (length < JournalSegment.HEADER_LENGTH || length > segment.capacity - position)
        {
            return "invalid record length " + length;
        }
        final int typeLength = segment.buffer.getShort(position + JournalSegment.TYPE_LENGTH_OFFSET) & 0xFFFF;
        if (typeLength > JournalSegment.MAX_TYPE_LENGTH || JournalSegment.HEADER_LENGTH + typeLength > length)
        {
            return "invalid type length " + typeLength;
        }
        view.limit(position + length).position(position + JournalSegment.CRC_COVERED_OFFSET);
        checksum.reset();
        checksum.update(view);
        if ((int)checksum.getValue() != segment.buffer.getInt(position + JournalSegment.CRC_OFFSET))
        {
            return "CRC mismatch";
        }
        final long seq = segment.buffer.getLong(position + JournalSegment.SEQ_OFFSET);
        if (seq != expectedSeq)
        {
            return "unexpected seq " + seq;
        }
        return null;
    }

    /**
     * Zero whatever follows the end of the log in the active segment, so a torn or stale record behind it can never
     * line up with records appended later and be mistaken for one of them on the next recovery.
     *
     * @return the offset of the first page found holding data after the end, or -1 if there was none.
     */
    private static int zeroTail(final JournalSegment segment)
    {
        // Page by page, writing only pages that hold data: holes of the sparse file stay holes.
        final MappedByteBuffer buffer = segment.buffer;
        int firstDirty = -1;
        int position = segment.writePosition;
        while (position < segment.capacity)
        {
            final int pageEnd = Math.min(segment.capacity, (position / ZERO_PAGE_SIZE + 1) * ZERO_PAGE_SIZE);
            boolean dirty = false;
            for (int p = position; p < pageEnd; p += Long.BYTES)
            {
                if (0 != buffer.getLong(p))
                {
                    dirty = true;
                    break;
                }
            }
            if (dirty)
            {
                for (int p = position; p < pageEnd; p += Long.BYTES)
                {
                    buffer.putLong(p, 0L);
                }
                if (firstDirty < 0)
                {
                    firstDirty = position;
                }
            }
            position = pageEnd;
        }
        if (firstDirty >= 0)
        {
            buffer.force();
        }
        return firstDirty;
    }

    private static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static final class DurabilityWaiter
    {
        final long seq;
        final Runnable action;

        DurabilityWaiter(final long seq, final Runnable action)
        {
            this.seq = seq;
            this.action = action;
        }
    }
}
