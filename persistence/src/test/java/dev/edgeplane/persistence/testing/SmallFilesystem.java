package dev.edgeplane.persistence.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real, small filesystem for disk-full tests (shipped in this module's test-jar): a {@code tmpfs} of a given size
 * mounted on a directory, and a filler file that takes whatever room is left. Needs permission to mount (root, or a
 * container with {@code CAP_SYS_ADMIN}); where mounting is impossible, {@link #mount} aborts the test through
 * {@link Assumptions} with the reason, so CI without that permission skips instead of failing.
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class SmallFilesystem implements AutoCloseable
{
    private static final String FILLER = "filler.bin";

    private final Path mountPoint;
    private boolean mounted;

    private SmallFilesystem(final Path mountPoint)
    {
        this.mountPoint = mountPoint;
    }

    /**
     * Mount a tmpfs of {@code bytes} on {@code mountPoint} (created if needed), or abort the test if that is not
     * allowed here.
     */
    public static SmallFilesystem mount(final Path mountPoint, final long bytes)
    {
        try
        {
            Files.createDirectories(mountPoint);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final String os = System.getProperty("os.name", "");
        Assumptions.assumeTrue(os.toLowerCase(java.util.Locale.ROOT).contains("linux"),
            "a small tmpfs needs Linux; this is " + os);
        final String output;
        final int exit;
        try
        {
            final Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs",
                mountPoint.toString()).redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                Assumptions.abort("mount did not finish in 30 s");
            }
            output = new String(process.getInputStream().readAllBytes()).strip();
            exit = process.exitValue();
        }
        catch (final IOException ex)
        {
            Assumptions.abort("cannot run mount: " + ex.getMessage());
            throw new AssertionError(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        Assumptions.assumeTrue(0 == exit,
            "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN), so the real disk-full test is skipped: " + output);
        final SmallFilesystem filesystem = new SmallFilesystem(mountPoint);
        filesystem.mounted = true;
        return filesystem;
    }

    /** @return where it is mounted. */
    public Path root()
    {
        return mountPoint;
    }

    /** @return bytes still free. */
    public long freeBytes()
    {
        try
        {
            return Files.getFileStore(mountPoint).getUsableSpace();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Fill the filesystem: a filler file grows until the filesystem says it is full ({@code ENOSPC}).
     *
     * @return bytes the filler took.
     */
    public long fill()
    {
        long written = 0;
        final ByteBuffer block = ByteBuffer.allocate(64 * 1024);
        for (int attempt = 0; ; attempt++)
        {
            try (FileChannel channel = FileChannel.open(mountPoint.resolve(FILLER),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))
            {
                while (true)
                {
                    block.clear();
                    written += channel.write(block);
                }
            }
            catch (final IOException full)
            {
                // Another writer (the journal flusher deleting a segment) may have given room back meanwhile:
                // fill again until the filesystem really is full.
                if (freeBytes() <= 64 * 1024)
                {
                    return written;
                }
                if (attempt >= 100)
                {
                    throw new UncheckedIOException("filling " + mountPoint + " failed before it was full", full);
                }
            }
        }
    }

    /** Give the filler's room back. */
    public void free()
    {
        try
        {
            Files.deleteIfExists(mountPoint.resolve(FILLER));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Unmount (lazily, so a mapping still held by a process that is shutting down cannot block it). */
    @Override
    public void close()
    {
        if (!mounted)
        {
            return;
        }
        mounted = false;
        try
        {
            final Process process = new ProcessBuilder("umount", "-l", mountPoint.toString())
                .redirectErrorStream(true).start();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
