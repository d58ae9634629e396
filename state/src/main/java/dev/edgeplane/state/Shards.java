package dev.edgeplane.state;

/**
 * A fixed set of {@link ShardWriter}s; state is partitioned by key so each key has exactly one writer.
 *
 * <p>Threading: {@link #forKey(CharSequence)} and {@link #get(int)} are safe from any thread. The key to
 * shard mapping is a pure function of the key and the shard count, so it is stable across restarts for
 * the same configuration.
 */
public final class Shards implements AutoCloseable
{
    private final ShardWriter[] writers;
    private final int mask;

    /**
     * @param count         number of shards, rounded up to a power of two.
     * @param queueCapacity bound on each shard's waiting tasks (rounded up to a power of two by JCTools).
     */
    public Shards(final int count, final int queueCapacity)
    {
        if (count < 1 || queueCapacity < 2)
        {
            throw new IllegalArgumentException("count must be >= 1 and queueCapacity >= 2");
        }
        int size = 1;
        while (size < count)
        {
            size <<= 1;
        }
        this.writers = new ShardWriter[size];
        this.mask = size - 1;
        for (int i = 0; i < size; i++)
        {
            writers[i] = new ShardWriter(i, queueCapacity, "shard-writer-" + i);
        }
    }

    /** Starts every writer thread. */
    public Shards start()
    {
        for (final ShardWriter w : writers)
        {
            w.start();
        }
        return this;
    }

    /** @return the writer that owns {@code key}. */
    public ShardWriter forKey(final CharSequence key)
    {
        return writers[indexFor(key, mask)];
    }

    /** @return the writer with the given index. */
    public ShardWriter get(final int index)
    {
        return writers[index];
    }

    /** @return number of shards. */
    public int count()
    {
        return writers.length;
    }

    /** @return the sum of all queue depths, a point-in-time estimate. */
    public int totalQueueDepth()
    {
        int depth = 0;
        for (final ShardWriter w : writers)
        {
            depth += w.queueDepth();
        }
        return depth;
    }

    /**
     * Shard index of a key: FNV-1a over the chars, then a murmur finaliser so that sequential ids
     * spread evenly.
     */
    static int indexFor(final CharSequence key, final int mask)
    {
        int h = 0x811c9dc5;
        for (int i = 0, n = key.length(); i < n; i++)
        {
            h ^= key.charAt(i);
            h *= 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h & mask;
    }

    /** Stops accepting tasks, runs every queued task, and joins the writers. */
    @Override
    public void close()
    {
        try
        {
            for (final ShardWriter w : writers)
            {
                w.stop(5_000);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
