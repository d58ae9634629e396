package dev.edgeplane.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary directory owned by one benchmark state: created under {@code java.io.tmpdir} in
 * {@code @Setup}, deleted with everything in it by {@link #close()} in {@code @TearDown}, so a run
 * leaves no store or journal files behind.
 *
 * <p>Not thread-safe: create and close from the state's setup and teardown only.
 */
public final class ScratchDirectory implements AutoCloseable
{
    private final Path path;

    private ScratchDirectory(final Path path)
    {
        this.path = path;
    }

    /**
     * @param prefix start of the directory's name, e.g. {@code edgeplane-journal-}.
     * @return a new, empty directory.
     */
    public static ScratchDirectory create(final String prefix)
    {
        try
        {
            return new ScratchDirectory(Files.createTempDirectory(prefix));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a scratch directory", ex);
        }
    }

    /** @return the directory. */
    public Path path()
    {
        return path;
    }

    /**
     * Delete the directory and everything in it (deepest first).
     */
    @Override
    public void close()
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(path))
        {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete scratch directory " + path, ex);
        }
    }
}
