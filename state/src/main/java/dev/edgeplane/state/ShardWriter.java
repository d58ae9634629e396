package dev.edgeplane.state;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread allowed to mutate a shard's state, fed by a bounded multi-producer queue.
 *
 * <p>Threading: {@link #offer(ShardTask)} may be called from any thread (event loops); tasks execute
 * in offer order on this writer's thread. A full queue is an expected outcome: {@code offer} returns
 * {@code false} and the caller answers {@code 503} with {@code Retry-After}; the queue never grows.
 *
 * <p>The writer parks when idle and is unparked by the producer that finds it parked, so an idle
 * shard costs no CPU and a wake-up costs one {@code unpark}, not a timed poll.
 */
public final class ShardWriter implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardWriter.class);

    private final int index;
    private final MpscArrayQueue<ShardTask> queue;
    private final Thread thread;
    private final AtomicLong executed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean parked;
    private volatile boolean running = true;

    ShardWriter(final int index, final int queueCapacity, final String threadName)
    {
        this.index = index;
        this.queue = new MpscArrayQueue<>(queueCapacity);
        this.thread = new Thread(this, threadName);
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /** @return the shard number, {@code 0 .. count-1}. */
    public int index()
    {
        return index;
    }

    /**
     * Hands a task to this shard.
     *
     * @return {@code false} when the queue is full or the shard is stopping; the task was not taken.
     */
    public boolean offer(final ShardTask task)
    {
        if (!running || !queue.offer(task))
        {
            rejected.incrementAndGet();
            return false;
        }
        if (parked)
        {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** @return true when the caller is this shard's writer thread. */
    public boolean inWriterThread()
    {
        return Thread.currentThread() == thread;
    }

    /** @return tasks waiting, a point-in-time estimate. */
    public int queueDepth()
    {
        return queue.size();
    }

    /** @return the bound on waiting tasks. */
    public int queueCapacity()
    {
        return queue.capacity();
    }

    /** @return tasks executed since start. */
    public long executed()
    {
        return executed.get();
    }

    /** @return offers refused because the queue was full or the shard was stopping. */
    public long rejected()
    {
        return rejected.get();
    }

    @Override
    public void run()
    {
        while (true)
        {
            final int drained = queue.drain(this::execute, 256);
            if (drained > 0)
            {
                continue;
            }
            if (!running)
            {
                if (queue.isEmpty())
                {
                    return;
                }
                continue;
            }
            parked = true;
            // Re-check after publishing 'parked': a producer that offered before seeing the flag is
            // caught here, one that offers after it will unpark us.
            if (queue.isEmpty() && running)
            {
                LockSupport.park(this);
            }
            parked = false;
        }
    }

    private void execute(final ShardTask task)
    {
        try
        {
            task.execute();
        }
        catch (final Throwable t)
        {
            // A bug in one task must not kill the shard: log it and keep serving the others.
            LOG.error("shard {} task failed", index, t);
        }
        executed.lazySet(executed.get() + 1);
    }

    /** Stops taking tasks, runs what is queued, and waits for the thread to finish. */
    void stop(final long timeoutMillis) throws InterruptedException
    {
        running = false;
        LockSupport.unpark(thread);
        thread.join(timeoutMillis);
    }
}
