package dev.edgeplane.services;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The services API's own bounded pool for provisioning work: provider calls (seconds each, with retries and
 * back-off waits) and the services database. Kept apart from the server's small shared blocking pool so a slow
 * provider cannot starve other surfaces' administrative work; never an event loop.
 *
 * <p>Thread-safe. A full queue is an expected outcome: {@link #offer} returns false and the caller answers 503.
 */
final class ServicesWorkers implements AutoCloseable
{
    private final ThreadPoolExecutor pool;

    ServicesWorkers(final int threads, final int queue)
    {
        final AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r ->
        {
            final Thread t = new Thread(r, "services-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        this.pool.allowCoreThreadTimeOut(true);
    }

    boolean offer(final Runnable task)
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

    int queueDepth()
    {
        return pool.getQueue().size();
    }

    @Override
    public void close()
    {
        pool.shutdown();
        try
        {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS))
            {
                pool.shutdownNow();
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }
}
