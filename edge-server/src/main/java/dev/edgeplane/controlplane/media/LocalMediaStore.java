package dev.edgeplane.controlplane.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link MediaStore}: one file per object under a root directory (the server uses
 * {@code <EDGEPLANE_DATA_DIR>/media}), a key's segments being its directories.
 *
 * <p>Atomicity: an upload is written to a temporary file in the target's own directory (same file
 * system), fsync'd on commit, then renamed over the target with {@code ATOMIC_MOVE}, and the directory
 * is fsync'd; so a reader finds the old object or the new one, never a prefix. Temporary files are
 * named {@code ~upload~…}; keys cannot contain {@code ~}, so no key ever reaches one. An aborted upload
 * deletes its file; files left by a process that died mid-upload are deleted when the store opens.
 * Directories created for a key stay when its upload aborts (removing them would race with another
 * upload into the same directory).
 *
 * <p>Threading: thread-safe; the file system is the only shared state. Keep one instance per root
 * directory per process, since opening one deletes every temporary file under the root. An
 * {@link Upload} is written from the connection's event loop: a {@link FileChannel} write lands in the
 * page cache and does not wait for the disk, which is what {@code BodySink} permits; the fsync happens
 * in {@link Upload#commit}, which callers run on the blocking pool. Reads are blocking and belong on
 * the blocking pool too.
 */
public final class LocalMediaStore implements MediaStore
{
    private static final Logger LOG = LoggerFactory.getLogger(LocalMediaStore.class);
    static final String TEMP_PREFIX = "~upload~";

    private final Path root;
    private final String tempTag = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private final AtomicLong tempCounter = new AtomicLong();

    /** Opens (creating if needed) the store and deletes temporary files left by an earlier process. */
    public LocalMediaStore(final Path root) throws IOException
    {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
        final int removed = removeStaleUploads();
        if (removed > 0)
        {
            LOG.info("media store {}: removed {} unfinished upload(s) left by an earlier process", this.root, removed);
        }
    }

    /** @return the root directory. */
    public Path root()
    {
        return root;
    }

    private int removeStaleUploads() throws IOException
    {
        int removed = 0;
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (p.getFileName().toString().startsWith(TEMP_PREFIX) && Files.isRegularFile(p))
                {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        catch (final UncheckedIOException e)
        {
            throw e.getCause();
        }
        return removed;
    }

    private Path path(final String key)
    {
        final String problem = MediaKey.problem(key);
        if (problem != null)
        {
            throw new IllegalArgumentException("invalid media key: " + problem);
        }
        return root.resolve(key);
    }

    @Override
    public Upload begin(final String key) throws IOException
    {
        final Path target = path(key);
        if (Files.isDirectory(target))
        {
            return null;
        }
        final Path dir = target.getParent();
        try
        {
            Files.createDirectories(dir);
        }
        catch (final FileSystemException e)
        {
            if (prefixIsObject(target))
            {
                return null;
            }
            throw e;
        }
        final Path temp = dir.resolve(TEMP_PREFIX + tempTag + "~" + tempCounter.incrementAndGet());
        final FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileUpload(key, target, temp, channel);
    }

    @Override
    public StoredObject open(final String key) throws IOException
    {
        final Path p = path(key);
        // Attributes before and after opening name the same file (fileKey = device + inode) unless the
        // key was replaced in between; then try again so the attributes describe the open file.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            final BasicFileAttributes before;
            final FileChannel channel;
            try
            {
                before = Files.readAttributes(p, BasicFileAttributes.class);
                if (!before.isRegularFile())
                {
                    return null;
                }
                channel = FileChannel.open(p, StandardOpenOption.READ);
            }
            catch (final NoSuchFileException e)
            {
                return null;
            }
            catch (final FileSystemException e)
            {
                if (prefixIsObject(p))
                {
                    return null; // "a/b" when "a" is an object: ENOTDIR
                }
                throw e;
            }
            try
            {
                final BasicFileAttributes after = Files.readAttributes(p, BasicFileAttributes.class);
                if (before.fileKey() == null || Objects.equals(before.fileKey(), after.fileKey()))
                {
                    return new FileObject(key, channel, channel.size(), after);
                }
            }
            catch (final NoSuchFileException e)
            {
                // deleted after we opened it: what we hold is still a complete version
                return new FileObject(key, channel, channel.size(), before);
            }
            channel.close();
        }
        throw new IOException("media object " + key + " keeps changing under the reader");
    }

    /** @return true when a directory on the way from the root to {@code target} is a file (an object). */
    private boolean prefixIsObject(final Path target)
    {
        for (Path p = target.getParent(); p != null && p.startsWith(root) && !p.equals(root); p = p.getParent())
        {
            if (Files.isRegularFile(p))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean exists(final String key)
    {
        return Files.isRegularFile(path(key));
    }

    @Override
    public boolean delete(final String key) throws IOException
    {
        final Path p = path(key);
        if (!Files.isRegularFile(p))
        {
            return false;
        }
        return Files.deleteIfExists(p);
    }

    /** A quoted tag from the size, the modification time in nanoseconds and the file's identity. */
    static String etag(final BasicFileAttributes a)
    {
        final long mtime = a.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
            + a.lastModifiedTime().toInstant().getNano();
        final int identity = a.fileKey() == null ? 0 : a.fileKey().hashCode();
        return "\"" + Long.toHexString(a.size()) + "-" + Long.toHexString(mtime) + "-" + Integer.toHexString(identity) + "\"";
    }

    private static void fsyncDirectory(final Path dir)
    {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ))
        {
            d.force(true);
        }
        catch (final IOException e)
        {
            // Some file systems cannot sync a directory; the rename itself is still atomic.
            LOG.debug("could not fsync directory {}: {}", dir, e.toString());
        }
    }

    /** Not thread-safe: one writer at a time (see {@link MediaStore}). */
    private static final class FileUpload implements Upload
    {
        private final String key;
        private final Path target;
        private final Path temp;
        private final FileChannel channel;
        private final MessageDigest sha256;
        private long size;
        private boolean finished;

        FileUpload(final String key, final Path target, final Path temp, final FileChannel channel)
        {
            this.key = key;
            this.target = target;
            this.temp = temp;
            this.channel = channel;
            try
            {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            }
            catch (final NoSuchAlgorithmException e)
            {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }

        @Override
        public void write(final ByteBuffer src) throws IOException
        {
            if (finished)
            {
                throw new IllegalStateException("upload of " + key + " is already finished");
            }
            sha256.update(src.duplicate());
            while (src.hasRemaining())
            {
                size += channel.write(src);
            }
        }

        @Override
        public long size()
        {
            return size;
        }

        @Override
        public PutResult commit() throws IOException
        {
            if (finished)
            {
                throw new IllegalStateException("upload of " + key + " is already finished");
            }
            try
            {
                channel.force(true);
                channel.close();
                final boolean replaced = Files.exists(target);
                try
                {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                }
                catch (final AtomicMoveNotSupportedException e)
                {
                    throw new IOException("the media directory does not support atomic renames", e);
                }
                finished = true;
                fsyncDirectory(target.getParent());
                String etag;
                try
                {
                    etag = etag(Files.readAttributes(target, BasicFileAttributes.class));
                }
                catch (final FileSystemException e)
                {
                    etag = null; // replaced or deleted already by someone else
                }
                return new PutResult(key, size, HexFormat.of().formatHex(sha256.digest()), replaced, etag);
            }
            finally
            {
                if (!finished)
                {
                    abort();
                }
            }
        }

        @Override
        public void abort()
        {
            if (finished)
            {
                return;
            }
            finished = true;
            try
            {
                channel.close();
            }
            catch (final IOException e)
            {
                LOG.debug("closing aborted upload {}: {}", temp, e.toString());
            }
            try
            {
                Files.deleteIfExists(temp);
            }
            catch (final IOException e)
            {
                LOG.warn("could not delete aborted upload {} (it is removed at the next start): {}", temp, e.toString());
            }
        }
    }

    /** An open file: reads see this version even if the key is replaced. Not thread-safe. */
    private static final class FileObject implements StoredObject
    {
        private final String key;
        private final FileChannel channel;
        private final long size;
        private final long lastModified;
        private final String etag;

        FileObject(final String key, final FileChannel channel, final long size, final BasicFileAttributes attributes)
        {
            this.key = key;
            this.channel = channel;
            this.size = size;
            this.lastModified = attributes.lastModifiedTime().toMillis();
            this.etag = LocalMediaStore.etag(attributes);
        }

        @Override
        public String key()
        {
            return key;
        }

        @Override
        public long size()
        {
            return size;
        }

        @Override
        public AsciiString contentType()
        {
            return MediaKey.contentType(key);
        }

        @Override
        public long lastModifiedMillis()
        {
            return lastModified;
        }

        @Override
        public String etag()
        {
            return etag;
        }

        @Override
        public byte[] read(final long offset, final int length) throws IOException
        {
            if (offset < 0 || length < 0 || offset + length > size)
            {
                throw new IllegalArgumentException("range " + offset + "+" + length + " is outside an object of " + size + " bytes");
            }
            final byte[] out = new byte[length];
            final ByteBuffer buf = ByteBuffer.wrap(out);
            long position = offset;
            while (buf.hasRemaining())
            {
                final int n = channel.read(buf, position);
                if (n < 0)
                {
                    throw new IOException("media object " + key + " is shorter than its recorded size");
                }
                position += n;
            }
            return out;
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
