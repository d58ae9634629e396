package dev.edgeplane.codec;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable, growable byte sink with a {@link JsonGenerator} bound to it, kept across
 * {@link #reset()}s so a connection can encode response after response without creating a
 * generator (or its recycled buffers) per response.
 *
 * <p>Typical use on an I/O thread, one instance per connection:
 * <pre>{@code
 * buffer.reset();
 * JsonGenerator g = buffer.generator();
 * g.writeStartObject(); ... g.writeEndObject();
 * ctx.write(Unpooled.wrappedBuffer(buffer.toByteArray()));   // or copy array()[0, length())
 * }</pre>
 * {@link #array()}, {@link #length()} and {@link #toByteArray()} flush the generator first, so
 * they always see everything written through it. {@link #close()} returns the generator's
 * buffers to Jackson's pool; the instance may not be used afterwards.
 *
 * <p>Not thread-safe: confine to one thread (e.g. a channel's event loop).
 */
public final class JsonBuffer extends OutputStream
{
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private byte[] buf;
    private int length;
    private JsonGenerator generator;

    /**
     * A buffer with 256 bytes of initial capacity.
     */
    public JsonBuffer()
    {
        this(256);
    }

    /**
     * @param initialCapacity bytes to allocate up front; the buffer grows as needed.
     */
    public JsonBuffer(final int initialCapacity)
    {
        if (initialCapacity < 0)
        {
            throw new IllegalArgumentException("initialCapacity " + initialCapacity);
        }
        buf = new byte[initialCapacity];
    }

    /**
     * The generator bound to this buffer: UTF-8, no separator between successive root values,
     * never closes this buffer. The same instance is returned until {@link #close()}, or until
     * a {@link #reset()} finds it abandoned in the middle of a value.
     *
     * @return the generator.
     */
    public JsonGenerator generator()
    {
        if (generator == null)
        {
            try
            {
                generator = Json.newReusableGenerator(this);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return generator;
    }

    /**
     * Discard the content, keeping the storage and the generator.
     */
    public void reset()
    {
        if (generator != null)
        {
            if (generator.getOutputContext().inRoot())
            {
                flushGenerator();
            }
            else
            {
                // A value was left half-written (e.g. an exception while encoding): its
                // generator state is unusable, so start over with a fresh one.
                closeGenerator();
            }
        }
        length = 0;
    }

    /**
     * @return the backing array; bytes {@code [0, length())} are valid. Valid until the next
     *         write or reset.
     */
    public byte[] array()
    {
        flushGenerator();
        return buf;
    }

    /**
     * @return the number of bytes written since the last reset.
     */
    public int length()
    {
        flushGenerator();
        return length;
    }

    /**
     * @return a copy of the content.
     */
    public byte[] toByteArray()
    {
        flushGenerator();
        return Arrays.copyOf(buf, length);
    }

    @Override
    public void write(final int b)
    {
        ensureCapacity(length + 1);
        buf[length++] = (byte)b;
    }

    @Override
    public void write(final byte[] src, final int off, final int len)
    {
        Objects.checkFromIndexSize(off, len, src.length);
        ensureCapacity(length + len);
        System.arraycopy(src, off, buf, length, len);
        length += len;
    }

    /**
     * Release the generator's pooled buffers.
     */
    @Override
    public void close()
    {
        closeGenerator();
    }

    private void ensureCapacity(final int required)
    {
        if (required < 0 || required > MAX_CAPACITY)
        {
            throw new IllegalStateException("JsonBuffer capacity exceeded");
        }
        if (required > buf.length)
        {
            final long doubled = Math.max(16L, (long)buf.length * 2);
            buf = Arrays.copyOf(buf, (int)Math.min(MAX_CAPACITY, Math.max(doubled, required)));
        }
    }

    private void flushGenerator()
    {
        if (generator != null)
        {
            try
            {
                generator.flush();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    private void closeGenerator()
    {
        final JsonGenerator g = generator;
        generator = null;
        if (g != null)
        {
            try
            {
                g.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
