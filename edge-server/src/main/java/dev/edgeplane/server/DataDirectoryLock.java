package dev.edgeplane.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Holds an exclusive lock on {@code <data>/edgeplane.lock} for the life of the process, so two
 * servers can never share one data directory (its off-heap stores, journal and embedded PostgreSQL
 * would be written by both). The lock is the operating system's ({@code flock}), so a crashed
 * process releases it; the file keeps the holder's pid for the error message.
 *
 * <p>Threading: opened and closed by the starting / stopping thread.
 */
final class DataDirectoryLock implements AutoCloseable
{
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalStateException when another process holds the directory. */
    static DataDirectoryLock acquire(final Path dataDir)
    {
        final Path file = dataDir.resolve("edgeplane.lock");
        try
        {
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException e)
            {
                lock = null; // held by this very process (a second server started in one JVM)
            }
            catch (final IOException | RuntimeException e)
            {
                channel.close();
                throw e;
            }
            if (lock == null)
            {
                final String holder = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
                channel.close();
                throw new IllegalStateException("the data directory " + dataDir + " is in use by another Edgeplane process"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it or set EDGEPLANE_DATA_DIR to another directory");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new DataDirectoryLock(channel, lock);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot lock the data directory " + dataDir, e);
        }
    }

    @Override
    public void close() throws IOException
    {
        lock.release();
        channel.close();
    }
}
