package dev.edgeplane.state;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.concurrent.EventExecutor;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a shard's state: at any moment at most one event loop runs the shard's tasks,
 * and which one travels. A free shard is taken (one CAS) by the loop that offers it a task, so a
 * request runs on its own connection's loop with no hand-off and no wake-up; a shard another loop is
 * running takes the task into its bounded queue, and whoever holds the shard runs the queue before
 * letting go. Taking and releasing the shard are a volatile CAS and write, so each holder sees all its
 * predecessors wrote: the shard's state needs no other synchronisation (docs/THREADING.md).
 *
 * <p>Threading: {@link #offer(ShardTask)} may be called from any thread. Called on one of the server's
 * loops, outside any other shard task, with nothing queued for this shard and the shard free, the task
 * runs at once on the caller's stack. Otherwise it is queued: drained by the holder before it lets go,
 * or, when nobody holds the shard (an offer from a timer or a blocking thread, or from inside another
 * shard task), by the shard's home loop, 256 tasks per turn, in offer order. A full queue is an
 * expected outcome: {@code offer} returns {@code false} and the caller answers {@code 503} with
 * {@code Retry-After}.
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
    private final Lanes lanes;
    private final MpscArrayQueue<ShardTask> queue;
    private final MessagePassingQueue.Consumer<ShardTask> runner = this::execute;
    private final AtomicBoolean held = new AtomicBoolean();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicLong executed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    /** The thread running this shard's tasks; written only by that thread, under {@link #held}. */
    private Thread holder;
    private volatile boolean running = true;

    ShardWriter(final int index, final int queueCapacity, final EventExecutor loop, final Lanes lanes)
    {
        this.index = index;
        this.loop = loop;
        this.lanes = lanes;
        this.queue = new MpscArrayQueue<>(queueCapacity);
    }

    /** @return the shard number, {@code 0 .. count-1}. */
    public int index()
    {
        return index;
    }

    /** @return the shard's home loop: it runs what is queued while no loop holds the shard. */
    public EventExecutor loop()
    {
        return loop;
    }

    /**
     * Runs a task on this shard: at once when the caller is a free loop and the shard is free, else queued.
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
        final LoopLane lane = lanes.current();
        final boolean free = lane != null && !lane.busy;
        if (free && queue.isEmpty() && held.compareAndSet(false, true))
        {
            runHeld(lane, task);
            return true;
        }
        if (!queue.offer(task))
        {
            rejected.incrementAndGet();
            return false;
        }
        if (free && held.compareAndSet(false, true))
        {
            runHeld(lane, null); // what was queued before this task, then this task
        }
        else if (!held.get())
        {
            scheduleDrain();
        }
        // else: the holder looks at the queue after it lets go (its release and this offer are both
        // volatile writes read by the other side afterwards, so one of the two sees the other).
        return true;
    }

    /** Runs {@code task} (if any) and then up to a batch of queued tasks; the caller took {@link #held}. */
    private void runHeld(final LoopLane lane, final ShardTask task)
    {
        lane.busy = true;
        holder = Thread.currentThread();
        try
        {
            if (task != null)
            {
                execute(task);
            }
            queue.drain(runner, DRAIN_BATCH);
        }
        finally
        {
            holder = null;
            lane.busy = false;
            held.set(false);
        }
        if (!queue.isEmpty())
        {
            scheduleDrain(); // the rest after the loops' I/O had a turn
        }
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

    /** Drains queued tasks on the home loop, unless another loop holds the shard (it drains them). */
    @Override
    public void run()
    {
        drainScheduled.set(false);
        final LoopLane lane = lanes.current(); // the home loop's: it runs this as a task of its own, never inside a shard task
        if (lane != null && !lane.busy && held.compareAndSet(false, true))
        {
            runHeld(lane, null);
        }
    }

    /** @return true when the caller is running this shard's task (it holds the shard). */
    public boolean inWriterThread()
    {
        return holder == Thread.currentThread();
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
        return queue.isEmpty() && !drainScheduled.get() && !held.get();
    }

    /** Runs what is left on the calling thread; only once the loops can no longer run anything. */
    void drainHere()
    {
        queue.drain(runner);
    }

    /** Whether a shard task is running on one loop (shared by every shard). */
    static final class LoopLane
    {
        boolean busy;
    }

    /** The server's loops and their lanes: which loop, if any, the calling thread is. */
    static final class Lanes
    {
        private final EventExecutor[] loops;
        private final LoopLane[] lanes;

        Lanes(final List<? extends EventExecutor> loops)
        {
            this.loops = loops.toArray(new EventExecutor[0]);
            this.lanes = new LoopLane[this.loops.length];
            for (int i = 0; i < lanes.length; i++)
            {
                lanes[i] = new LoopLane();
            }
        }

        /** @return the calling loop's lane, or null when the caller is not one of the loops. */
        LoopLane current()
        {
            for (int i = 0; i < loops.length; i++)
            {
                if (loops[i].inEventLoop())
                {
                    return lanes[i];
                }
            }
            return null;
        }
    }
}
