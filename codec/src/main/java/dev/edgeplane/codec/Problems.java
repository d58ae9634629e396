package dev.edgeplane.codec;

import java.util.Arrays;

/**
 * An ordered list of validation problems, each a (path, message) pair such as
 * {@code ("accounts[0].devices[1].username", "is required")}.
 *
 * <p>Validation records problems here instead of throwing, so one response can report every
 * bad field at once (see {@link ErrorBody}, which renders this list as
 * {@code {"problems":[{"path":"…","message":"…"}]}}). A fresh instance allocates nothing until
 * the first problem is added.
 *
 * <p>Not thread-safe: one instance per request.
 */
public final class Problems
{
    private static final String[] EMPTY = new String[0];

    private String[] paths = EMPTY;
    private String[] messages = EMPTY;
    private int size;

    /**
     * Record a problem.
     *
     * @param path    where the problem is: a field name, or a path such as {@code a[0].b}.
     * @param message what is wrong, e.g. "is required"; safe to show to a client.
     * @return this, for chaining.
     */
    public Problems add(final String path, final String message)
    {
        if (size == paths.length)
        {
            final int capacity = size == 0 ? 4 : size * 2;
            paths = Arrays.copyOf(paths, capacity);
            messages = Arrays.copyOf(messages, capacity);
        }
        paths[size] = path;
        messages[size] = message;
        size++;
        return this;
    }

    /**
     * @return true if no problem has been recorded.
     */
    public boolean isEmpty()
    {
        return size == 0;
    }

    /**
     * @return the number of problems recorded.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param index 0 to {@link #size()} - 1, in the order added.
     * @return the path of that problem.
     */
    public String path(final int index)
    {
        checkIndex(index);
        return paths[index];
    }

    /**
     * @param index 0 to {@link #size()} - 1, in the order added.
     * @return the message of that problem.
     */
    public String message(final int index)
    {
        checkIndex(index);
        return messages[index];
    }

    /**
     * Forget all problems, keeping the storage for reuse.
     */
    public void clear()
    {
        Arrays.fill(paths, 0, size, null);
        Arrays.fill(messages, 0, size, null);
        size = 0;
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index " + index + " out of [0, " + size + ")");
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("Problems[");
        for (int i = 0; i < size; i++)
        {
            if (i > 0)
            {
                sb.append(", ");
            }
            sb.append(paths[i]).append(' ').append(messages[i]);
        }
        return sb.append(']').toString();
    }
}
