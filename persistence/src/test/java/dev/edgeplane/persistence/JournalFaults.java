package dev.edgeplane.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * Injected journal faults for tests of every module (shipped in this module's test-jar): makes segment allocation
 * fail as it does on a full filesystem, without needing one, and tears a record as a crash mid-write would.
 */
public final class JournalFaults
{
    private JournalFaults()
    {
    }

    /**
     * Make every segment allocation of {@code journal} fail with {@code ENOSPC}'s message, and drop the reserve
     * segment it had prepared (as if the disk had filled before the reserve was due). The active segment keeps the
     * room it had. Returns once the journal has seen an allocation fail.
     */
    public static void failAllocations(final Journal journal)
    {
        journal.allocationFault(new IOException("No space left on device (injected)"));
        // The allocator may be preparing a reserve right now (fault not yet seen): drop whatever it installs
        // until it has tried again and failed.
        final long deadline = System.nanoTime() + 10_000_000_000L;
        do
        {
            journal.discardReserve();
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
        while (null == journal.unavailableReason() && System.nanoTime() < deadline);
        journal.discardReserve();
    }

    /** Let allocations succeed again ("space returned"). */
    public static void allowAllocations(final Journal journal)
    {
        journal.allocationFault(null);
    }

    /** Wait until the journal's allocator has a reserve segment ready (at most 10 s). */
    public static void awaitReserve(final Journal journal)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!journal.reserveReady())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the journal prepared no reserve segment in 10 s: " + journal.unavailableReason());
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    /**
     * Tear the last record of a closed journal (as a crash in the middle of writing it would): one byte of its
     * payload is changed, so its CRC no longer matches.
     *
     * @return the seq of the torn record.
     */
    public static long tearLastRecord(final Path directory) throws IOException
    {
        Path last = null;
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files.sorted()::iterator)
            {
                if (JournalSegment.parseFileName(file.getFileName().toString()) > 0)
                {
                    last = file;
                }
            }
        }
        if (null == last)
        {
            throw new IllegalStateException("no segment in " + directory);
        }
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer header = ByteBuffer.allocate(JournalSegment.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            long position = 0;
            long lastPosition = -1;
            int lastLength = 0;
            while (position + JournalSegment.HEADER_LENGTH <= channel.size())
            {
                header.clear();
                channel.read(header, position);
                final int length = header.getInt(JournalSegment.LENGTH_OFFSET);
                if (0 == length)
                {
                    break;
                }
                lastPosition = position;
                lastLength = length;
                position += JournalSegment.align(length);
            }
            if (lastPosition < 0)
            {
                throw new IllegalStateException("no record in " + last);
            }
            header.clear();
            channel.read(header, lastPosition);
            final ByteBuffer one = ByteBuffer.allocate(1);
            final long at = lastPosition + lastLength - 1;
            channel.read(one, at);
            one.put(0, (byte)(one.get(0) ^ 0x5A)).clear();
            channel.write(one, at);
            return header.getLong(JournalSegment.SEQ_OFFSET);
        }
    }
}
