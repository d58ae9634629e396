package dev.edgeplane.state;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.concurrent.EventExecutor;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread allowed to mutate a shard's state: the Netty event loop that owns the shard
 * (thread per core, docs/THREADING.md).
 *
 * <p>Threading: {@link #offer(ShardTask)} may be called from any thread. Called on the owner loop,
 * outside any other shard task, with nothing queued for this shard, the task runs at once on the
 * caller's stack: no hand-off, no wake-up. Otherwise it goes into this shard's bounded queue and the
 * owner loop drains it, 256 tasks per turn, in offer order. A full queue is an expected outcome:
 * {@code offer} returns {@code false} and the caller answers {@code 503} with {@code Retry-After}.
 *
 * <p>A task never runs nested inside another shard task on the same loop (it is queued instead), so
 * per-loop scratch objects a task borrows are never reused under it.
 */
public final class ShardWriter implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardWriter.class);
    private static final int DRAIN_BATCH = 256;

    private final int index;
    private final EventExecutor loop;
    private final LoopLane lane;
    private final MpscArrayQueue<ShardTask> queue;
    private final MessagePassingQueue.Consumer<ShardTask> runner = this::execute;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicLong executed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean running = true;

    ShardWriter(final int index, final int queueCapacity, final EventExecutor loop, final LoopLane lane)
    {
        this.index = index;
        this.loop = loop;
        this.lane = lane;
        this.queue = new MpscArrayQueue<>(queueCapacity);
    }

    /** @return the shard number, {@code 0 .. count-1}. */
    public int index()
    {
        return index;
    }

    /** @return the event loop that owns this shard. */
    public EventExecutor loop()
    {
        return loop;
    }

    /**
     * Runs a task on this shard: at once when the caller is the owner loop and free, else queued.
     *
     * @return {@code false} when the queue is full or the shard is stopping; the task was not taken.
     */
    public boolean offer(final ShardTask task)
    {
        if (!running)
        {
            rejected.incrementAndGet();
            return false;
        }
        if (loop.inEventLoop() && !lane.busy && queue.isEmpty()) // lane is read only by its own loop
        {
            lane.busy = true;
            try
            {
                execute(task);
            }
            finally
            {
                lane.busy = false;
            }
            return true;
        }
        if (!queue.offer(task))
        {
            rejected.incrementAndGet();
            return false;
        }
        scheduleDrain();
        return true;
    }

    private void scheduleDrain()
    {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true))
        {
            try
            {
                loop.execute(this);
            }
            catch (final RejectedExecutionException e)
            {
                // The loop is gone (shutdown): whoever closes the shards runs what is left.
                drainScheduled.set(false);
            }
        }
    }

    /** Drains queued tasks; runs on the owner loop only. */
    @Override
    public void run()
    {
        drainScheduled.set(false);
        lane.busy = true;
        try
        {
            queue.drain(runner, DRAIN_BATCH);
        }
        finally
        {
            lane.busy = false;
        }
        if (!queue.isEmpty())
        {
            scheduleDrain(); // the rest after the loop's I/O had a turn
        }
    }

    /** @return true when the caller is the loop that owns this shard. */
    public boolean inWriterThread()
    {
        return loop.inEventLoop();
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

    private void execute(final ShardTask task)
    {
        try
        {
            task.execute();
        }
        catch (final Throwable t)
        {
            // A bug in one task must not stop the shard: log it and keep serving the others.
            LOG.error("shard {} task failed", index, t);
        }
        executed.lazySet(executed.get() + 1);
    }

    /** Stops taking tasks; queued ones still run. */
    void stop()
    {
        running = false;
    }

    boolean idle()
    {
        return queue.isEmpty() && !drainScheduled.get();
    }

    /** Runs what is left on the calling thread; only once the owner loop can no longer run anything. */
    void drainHere()
    {
        queue.drain(runner);
    }

    /** Whether a shard task is running on one loop (shared by the shards that loop owns). */
    static final class LoopLane
    {
        boolean busy;
    }
}
