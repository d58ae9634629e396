package dev.edgeplane.persistence;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One memory-mapped segment file of a {@link Journal}: {@code <first-seq, 20 digits>.seg}, holding the records whose
 * seqs start at {@link #firstSeq}.
 *
 * <p>Record layout (little-endian, each record starts 8-byte aligned):
 * <pre>
 *   0  int    length          bytes of the record from offset 0, without padding; 0 marks the end of the data
 *   4  int    crc32c          over bytes [8, length)
 *   8  long   seq
 *  16  long   timestampMillis
 *  24  short  typeLength      0..255
 *  26  byte[] type            US-ASCII
 *  ..  byte[] payload         length - 26 - typeLength bytes
 * </pre>
 *
 * <p>Threading: the mapping is shared. Records are written under the journal's append lock and only with absolute
 * accessors (which touch no buffer state), so readers may read published records concurrently through the same
 * buffer. The mapping is reference counted: the journal's segment list holds one reference, and each reader or sync
 * pass that uses the segment outside the append lock holds another; the mapping is unmapped when the last one is
 * released, so a segment deleted by {@link Journal#release(long)} can never be unmapped under a reader.
 *
 * <p>Allocation: a mapped write into a hole of a sparse file makes the kernel allocate the page at the time of the
 * write, and when the filesystem is full that raises {@code SIGBUS} in whatever thread touched it (Java turns it into
 * an asynchronous {@code InternalError}, or the JVM dies inside an intrinsic). So a segment is only written below
 * {@link #allocatedLimit}: bytes that {@link #allocate} has written as zeros through the file channel, which makes
 * the filesystem reserve the blocks (ext4/xfs delayed allocation reserves them at {@code write}; tmpfs allocates the
 * pages) or report {@code ENOSPC} as an ordinary {@link IOException}, on a thread that can take it.
 */
final class JournalSegment
{
    static final String SUFFIX = ".seg";
    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int SEQ_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int TYPE_LENGTH_OFFSET = 24;
    static final int TYPE_OFFSET = 26;
    static final int HEADER_LENGTH = TYPE_OFFSET;
    static final int CRC_COVERED_OFFSET = SEQ_OFFSET;
    static final int MAX_TYPE_LENGTH = 255;
    static final int ALIGNMENT = 8;

    private static final int FILE_NAME_DIGITS = 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(256 * 1024).asReadOnlyBuffer();

    final long firstSeq;
    final Path path;
    final MappedByteBuffer buffer;
    final int capacity;

    /** Guarded by the journal's append lock. */
    int writePosition;

    /** Guarded by the journal's sync lock. */
    int forcedPosition;

    /** End of data once the journal has rolled to a later segment, -1 while this segment is the active one. */
    volatile int sealedLimit = -1;

    /** Bytes from the start known to be allocated on the filesystem; appends never write past it. Append lock. */
    int allocatedLimit;

    private final AtomicInteger references = new AtomicInteger(1);

    private JournalSegment(final long firstSeq, final Path path, final MappedByteBuffer buffer)
    {
        this.firstSeq = firstSeq;
        this.path = path;
        this.buffer = buffer;
        this.capacity = buffer.capacity() & ~(ALIGNMENT - 1);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Create a segment file of {@code size} bytes and map it, without allocating it: the file is sparse and
     * {@link #allocatedLimit} is 0 until {@link #allocate} succeeds. Needs no free data blocks, so it works on a
     * full filesystem (recovery uses it to start a journal that reports itself unavailable instead of failing).
     */
    static JournalSegment createSparse(final Path path, final long firstSeq, final int size) throws IOException
    {
        try (FileChannel channel = FileChannel.open(
            path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            // Mapping read-write past the end extends the (sparse, zero-filled) file to the segment size.
            return new JournalSegment(firstSeq, path, channel.map(FileChannel.MapMode.READ_WRITE, 0, size));
        }
    }

    /**
     * Create a segment file of {@code size} bytes allocated for real (zeros written and forced), then map it. On
     * failure the file is deleted, so a full filesystem gets its space back.
     *
     * @param fault a test fault to raise instead of writing, or null.
     */
    static JournalSegment createAllocated(final Path path, final long firstSeq, final int size, final IOException fault)
        throws IOException
    {
        try (FileChannel channel = FileChannel.open(
            path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            writeZeros(channel, 0, size, fault);
            channel.force(true);
            final JournalSegment segment =
                new JournalSegment(firstSeq, path, channel.map(FileChannel.MapMode.READ_WRITE, 0, size));
            segment.allocatedLimit = segment.capacity;
            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    /**
     * Allocate bytes {@code [from, to)} of this segment's file by writing zeros through the channel, and force them.
     * Only for bytes no appender touches yet (at or above {@link #allocatedLimit}); the caller publishes the new
     * limit under the append lock.
     *
     * @param fault a test fault to raise instead of writing, or null.
     */
    void allocate(final int from, final int to, final IOException fault) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            writeZeros(channel, from, to, fault);
            channel.force(true);
        }
    }

    /**
     * The same mapping under the name it takes when a prepared reserve becomes the active segment.
     */
    JournalSegment renamed(final long firstSeq, final Path path)
    {
        final JournalSegment segment = new JournalSegment(firstSeq, path, buffer);
        segment.allocatedLimit = allocatedLimit;
        return segment;
    }

    private static void writeZeros(final FileChannel channel, final long from, final long to, final IOException fault)
        throws IOException
    {
        if (null != fault)
        {
            throw fault;
        }
        final ByteBuffer zeros = ZEROS.duplicate();
        long position = from;
        while (position < to)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), to - position));
            while (zeros.hasRemaining())
            {
                position += channel.write(zeros, position);
            }
        }
    }

    static JournalSegment open(final Path path, final long firstSeq) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long size = Math.min(channel.size(), JournalSettings.SEGMENT_SIZE_MAX);
            return new JournalSegment(firstSeq, path, channel.map(FileChannel.MapMode.READ_WRITE, 0, size));
        }
    }

    static String fileName(final long firstSeq)
    {
        final String digits = Long.toString(firstSeq);
        return "0".repeat(FILE_NAME_DIGITS - digits.length()) + digits + SUFFIX;
    }

    /**
     * @return the first seq named by a segment file name, or -1 if the name is not one of ours.
     */
    static long parseFileName(final String name)
    {
        if (name.length() != FILE_NAME_DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX))
        {
            return -1;
        }
        for (int i = 0; i < FILE_NAME_DIGITS; i++)
        {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
            {
                return -1;
            }
        }
        try
        {
            return Long.parseLong(name, 0, FILE_NAME_DIGITS, 10);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    static int align(final int length)
    {
        return (length + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
    }

    /**
     * A private view for operations that need buffer position and limit (CRC over a range).
     */
    ByteBuffer newView()
    {
        return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Take a reference so the mapping stays valid outside the append lock.
     *
     * @return false if the segment has already been unmapped.
     */
    boolean retain()
    {
        while (true)
        {
            final int count = references.get();
            if (count <= 0)
            {
                return false;
            }
            if (references.compareAndSet(count, count + 1))
            {
                return true;
            }
        }
    }

    /**
     * Drop a reference; the last one unmaps the file.
     */
    void release()
    {
        if (references.decrementAndGet() == 0)
        {
            Unmapper.unmap(buffer);
        }
    }

    @Override
    public String toString()
    {
        return path.getFileName().toString();
    }

    /**
     * Frees a mapping now instead of whenever the GC collects the buffer, so deleted segments give their disk space
     * back promptly. Falls back to the GC if {@code sun.misc.Unsafe} is unavailable.
     */
    private static final class Unmapper
    {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static
        {
            Object unsafe = null;
            Method invokeCleaner = null;
            try
            {
                final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                final Field field = unsafeClass.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                unsafe = field.get(null);
                invokeCleaner = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                unsafe = null;
                invokeCleaner = null;
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = invokeCleaner;
        }

        static void unmap(final MappedByteBuffer buffer)
        {
            if (null != INVOKE_CLEANER)
            {
                try
                {
                    INVOKE_CLEANER.invoke(UNSAFE, buffer);
                }
                catch (final ReflectiveOperationException | RuntimeException ignore)
                {
                    // the GC unmaps it eventually
                }
            }
        }
    }
}
