package dev.edgeplane.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small bounded pool for the few request paths that must block (low-volume administrative reads
 * and writes against PostgreSQL), so they never run on an event loop or a shard writer.
 *
 * <p>Threading: {@link #offer} from any thread. A full queue is an expected outcome: {@code offer}
 * returns false and the caller answers 503.
 */
public final class BlockingTasks implements AutoCloseable
{
    private final ThreadPoolExecutor pool;

    BlockingTasks(final int threads, final int queueCapacity)
    {
        final AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queueCapacity), r ->
            {
                final Thread t = new Thread(r, "blocking-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
        this.pool.allowCoreThreadTimeOut(true);
    }

    /** @return false when the queue is full or the pool is shut down; the task was not taken. */
    public boolean offer(final Runnable task)
    {
        try
        {
            pool.execute(task);
            return true;
        }
        catch (final RejectedExecutionException e)
        {
            return false;
        }
    }

    /** @return tasks waiting. */
    public int queueDepth()
    {
        return pool.getQueue().size();
    }

    /** Lets running tasks finish (bounded), drops nothing already queued before the deadline. */
    @Override
    public void close()
    {
        pool.shutdown();
        try
        {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
