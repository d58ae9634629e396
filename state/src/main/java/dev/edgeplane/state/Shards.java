package dev.edgeplane.state;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * A fixed set of {@link ShardWriter}s; state is partitioned by key so each key has exactly one writer at
 * a time: the loop holding its shard. Shard {@code i}'s home loop (which runs what is queued while no
 * loop holds it) is loop {@code i mod loops}.
 *
 * <p>Threading: {@link #forKey(CharSequence)} and {@link #get(int)} are safe from any thread. The key to
 * shard mapping is a pure function of the key and the shard count, so it is stable across restarts for
 * the same configuration.
 */
public final class Shards implements AutoCloseable
{
    private final ShardWriter[] writers;
    private final int mask;
    /** Executors this object created (standalone use) and so shuts down; empty on the server's loops. */
    private final List<EventExecutor> owned;

    /**
     * Shards run by the given event loops (the server's I/O loops).
     *
     * @param count         number of shards, rounded up to a power of two.
     * @param queueCapacity bound on each shard's waiting tasks (rounded up to a power of two by JCTools).
     * @param loops         the loops that run shard tasks; shard {@code i}'s home is loop {@code i mod loops.size()}.
     */
    public Shards(final int count, final int queueCapacity, final List<? extends EventExecutor> loops)
    {
        this(count, queueCapacity, loops, List.of());
    }

    /** Standalone shards, one executor thread each ({@code shard-writer-i}): tools and tests. */
    public Shards(final int count, final int queueCapacity)
    {
        this(count, queueCapacity, ownLoops(count), null);
    }

    private Shards(final int count, final int queueCapacity, final List<? extends EventExecutor> loops,
        final List<EventExecutor> owned)
    {
        if (count < 1 || queueCapacity < 2 || loops.isEmpty())
        {
            throw new IllegalArgumentException("count must be >= 1, queueCapacity >= 2, and there must be a loop");
        }
        final int size = powerOfTwo(count);
        this.writers = new ShardWriter[size];
        this.mask = size - 1;
        final ShardWriter.Lanes lanes = new ShardWriter.Lanes(loops);
        for (int i = 0; i < size; i++)
        {
            writers[i] = new ShardWriter(i, queueCapacity, loops.get(i % loops.size()), lanes);
        }
        this.owned = owned == null ? List.<EventExecutor>copyOf(loops) : owned;
    }

    private static List<EventExecutor> ownLoops(final int count)
    {
        final List<EventExecutor> loops = new ArrayList<>();
        for (int i = 0, n = powerOfTwo(count); i < n; i++)
        {
            loops.add(new DefaultEventExecutor(new DefaultThreadFactory("shard-writer-" + i, true)));
        }
        return loops;
    }

    private static int powerOfTwo(final int count)
    {
        int size = 1;
        while (size < count)
        {
            size <<= 1;
        }
        return size;
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

    /**
     * Stops accepting tasks and waits (up to 5 s) until the loops have run every queued one.
     * Call it before the loops shut down; whatever a dead loop left queued runs on the caller.
     */
    @Override
    public void close()
    {
        for (final ShardWriter w : writers)
        {
            w.stop();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (final ShardWriter w : writers)
        {
            while (!w.idle() && !w.loop().isShutdown() && System.nanoTime() < deadline)
            {
                try
                {
                    Thread.sleep(1);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (final EventExecutor loop : owned)
        {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        for (final ShardWriter w : writers)
        {
            if (w.loop().isTerminated())
            {
                w.drainHere();
            }
        }
    }
}
