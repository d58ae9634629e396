package dev.edgeplane.controlplane.media;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

import io.netty.util.AsciiString;

/**
 * Object storage for media (prompts, greetings, music on hold, voicemail recordings), addressed by
 * {@link MediaKey valid keys}.
 *
 * <p>Contract: a write becomes visible all at once or not at all. {@link #begin} opens an
 * {@link Upload} that receives the bytes; {@link Upload#commit} publishes them atomically (replacing
 * any previous object under the key), {@link Upload#abort} throws them away. Until the commit, readers
 * see the previous object (or none); a reader that has {@link #open opened} an object keeps reading
 * that version even if it is replaced meanwhile. Callers validate keys first; a store refuses an
 * invalid key with {@link IllegalArgumentException}.
 *
 * <p>Threading: the store itself is thread-safe. An {@link Upload} or a {@link StoredObject} is used by
 * one thread at a time; handing one to another thread through an executor is enough.
 */
public interface MediaStore
{
    /**
     * Starts writing an object.
     *
     * @return the upload, or null when the key cannot be stored because it collides with the stored
     *         layout (a prefix of it is an object, e.g. {@code a} exists and {@code a/b} is written; or
     *         other objects live under it, e.g. {@code a/b} exists and {@code a} is written).
     */
    Upload begin(String key) throws IOException;

    /** @return a consistent view of the object for reading, or null when there is none. Close it. */
    StoredObject open(String key) throws IOException;

    /** @return true when an object is stored under the key. */
    boolean exists(String key) throws IOException;

    /** @return true when an object was deleted, false when there was none. */
    boolean delete(String key) throws IOException;

    /** An object being written: bytes in, then exactly one of {@link #commit} or {@link #abort}. */
    interface Upload
    {
        /** Appends the buffer's remaining bytes (the buffer's position moves to its limit). */
        void write(ByteBuffer src) throws IOException;

        /** @return bytes written so far. */
        long size();

        /**
         * Makes the bytes durable and publishes them under the key in one atomic step. On failure
         * nothing is published and the partial data is gone.
         */
        PutResult commit() throws IOException;

        /** Discards everything written; idempotent, never throws, a no-op after a commit. */
        void abort();
    }

    /** One version of a stored object, readable while open even if the key is replaced or deleted. */
    interface StoredObject extends Closeable
    {
        String key();

        long size();

        /** @return the content type implied by the key ({@link MediaKey#contentType}). */
        AsciiString contentType();

        /** @return last modification time, epoch milliseconds. */
        long lastModifiedMillis();

        /** @return a strong entity tag for this version, quoted ({@code "…"}). */
        String etag();

        /** Reads {@code length} bytes from {@code offset}; the range must lie inside the object. */
        byte[] read(long offset, int length) throws IOException;
    }

    /**
     * What a commit published.
     *
     * @param sha256   hex SHA-256 of the content.
     * @param replaced true when an older object under the key was replaced.
     * @param etag     the entity tag readers will see for this version.
     */
    record PutResult(String key, long size, String sha256, boolean replaced, String etag)
    {
    }
}
