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

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final long SYNC_ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int ZERO_PAGE_SIZE = 4096;

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
        final long lastSeq)
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
                final List<Path> segmentFiles = listSegments(directory);
                final UUID id = loadOrCreateId(directory, !segmentFiles.isEmpty());
                final long lastSeq = recover(directory, settings, segmentFiles, recovered);
                return new Journal(directory, settings, id, lockChannel, lock, recovered, lastSeq);
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
     * @throws IllegalStateException    if the journal is closed.
     * @throws UncheckedIOException     if a new segment file cannot be created (e.g. the disk is full).
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
        }
        finally
        {
            appendLock.unlock();
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
            LockSupport.unpark(syncThread);
            boolean interrupted = false;
            while (syncThread.isAlive())
            {
                try
                {
                    syncThread.join();
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
        }
        finally
        {
            appendLock.unlock();
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

    // guarded by appendLock
    private JournalSegment roll()
    {
        final JournalSegment previous = active;
        previous.sealedLimit = previous.writePosition;
        final JournalSegment next;
        try
        {
            next = JournalSegment.create(directory, lastSeq + 1, settings.segmentSizeBytes());
        }
        catch (final IOException ex)
        {
            previous.sealedLimit = -1;
            throw new UncheckedIOException("journal " + directory + ": cannot create segment", ex);
        }
        segments.add(next);
        active = next;
        activeView = next.newView();
        directoryDirty = true;
        return next;
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
     * Scan the segments, fill {@code recovered} with those that hold the log and return the last valid seq.
     */
    private static long recover(
        final Path directory,
        final JournalSettings settings,
        final List<Path> files,
        final List<JournalSegment> recovered) throws IOException
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
                LOG.warn("journal {}: segment {} does not continue the log at seq {}: log ends there",
                    directory, file.getFileName(), expected);
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
                    LOG.warn("journal {}: {} at {} offset {} (expected seq {}): log ends there",
                        directory, problem, file.getFileName(), position, expected);
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
            LOG.warn("journal {}: moved {} aside as {}", directory, file.getFileName(), target.getFileName());
        }

        if (recovered.isEmpty())
        {
            recovered.add(JournalSegment.create(directory, expected, settings.segmentSizeBytes()));
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
                recovered.add(JournalSegment.create(directory, expected, settings.segmentSizeBytes()));
            }
            else
            {
                zeroTail(last);
            }
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
     */
    private static void zeroTail(final JournalSegment segment)
    {
        // Page by page, writing only pages that hold data: holes of the sparse file stay holes.
        final MappedByteBuffer buffer = segment.buffer;
        boolean zeroed = false;
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
                zeroed = true;
            }
            position = pageEnd;
        }
        if (zeroed)
        {
            buffer.force();
        }
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
