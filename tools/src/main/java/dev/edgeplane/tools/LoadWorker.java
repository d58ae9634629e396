package dev.edgeplane.tools;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * One event loop's share of a load run: its connections, and either its stripe of the open-loop schedule
 * ({@link ScheduleStripe}) or, for closed-loop saturation, the rule "start the next chain as soon as a connection is
 * free". Open loop: every scheduled request becomes due at its intended time (a timer on the loop wakes for the next
 * one); a due request takes a free connection at once or waits until one frees, and since its latency counts from the
 * intended time, that wait is part of it (coordinated omission corrected).
 *
 * <p>Bounded: nothing new starts after the run's end; {@link #finish()} counts what was never sent or never answered
 * and closes every connection. Lost connections are re-opened after {@value #RECONNECT_DELAY_MS} ms while the run lasts.
 *
 * <p>Threading: constructed by the controlling thread; {@link #connect()}, {@link #start} and {@link #finish()} hand
 * their work to the worker's event loop, where all its state lives. {@link #done()}, {@link #inFlight()} and
 * {@link #waiting()} may be read from any thread.
 */
final class LoadWorker
{
    /** Delay before a lost connection is re-opened. */
    static final long RECONNECT_DELAY_MS = 100;
    /** How often requests in flight are checked against the timeout. */
    private static final long TIMEOUT_CHECK_MS = 50;
    private static final int CONNECT_TIMEOUT_MS = 5000;

    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelClass;
    private final InetSocketAddress remote;
    private final LoadRecorder recorder;
    private final ScheduleStripe stripe;
    private final long timeoutNanos;
    private final LoadConnection[] connections;
    private final LoadConnection[] idle;
    private final Runnable tick = this::tick;

    private int idleCount;
    private boolean running;
    private long t0;
    private long warmupNanos;
    private long endNanos;
    private long due;
    private long next;
    private long chains;
    private int active;
    private long lastMeasuredAnswerNanos;
    private ScheduledFuture<?> timeoutCheck;

    private volatile boolean done;
    private volatile int activePublished;
    private volatile long waitingPublished;

    /**
     * @param loop         the event loop that owns this worker and its connections.
     * @param channelClass the transport's client socket channel.
     * @param remote       the server (the only address ever connected to).
     * @param scenario     this worker's scenario instance.
     * @param recorder     where results go.
     * @param stripe       this worker's share of the open-loop schedule, or null for closed loop.
     * @param connections  how many connections this worker keeps.
     * @param timeoutNanos how long a request may wait for its answer.
     */
    LoadWorker(final EventLoop loop, final Class<? extends SocketChannel> channelClass, final InetSocketAddress remote,
        final LoadScenario scenario, final LoadRecorder recorder, final ScheduleStripe stripe, final int connections,
        final long timeoutNanos)
    {
        this.loop = loop;
        this.channelClass = channelClass;
        this.remote = remote;
        this.recorder = recorder;
        this.stripe = stripe;
        this.timeoutNanos = timeoutNanos;
        this.connections = new LoadConnection[connections];
        this.idle = new LoadConnection[connections];
        for (int c = 0; c < connections; c++)
        {
            this.connections[c] = new LoadConnection(this, scenario, recorder, stripe != null);
        }
    }

    /**
     * Open every connection.
     *
     * @return one future per connection; a connection becomes usable when its future succeeds.
     */
    List<ChannelFuture> connect()
    {
        final List<ChannelFuture> futures = new ArrayList<>(connections.length);
        for (final LoadConnection connection : connections)
        {
            futures.add(open(connection));
        }
        return futures;
    }

    private ChannelFuture open(final LoadConnection connection)
    {
        final ChannelFuture future = new Bootstrap()
            .group(loop)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    // The decoding half of HttpClientCodec: requests are pre-encoded bytes, which the codec's
                    // encoder half would refuse.
                    ch.pipeline().addLast(new HttpResponseDecoder()).addLast(connection);
                }
            })
            .connect(remote);
        future.addListener(f ->
        {
            if (f.isSuccess())
            {
                connected(connection, future.channel());
            }
            else if (running)
            {
                loop.schedule(() -> open(connection), RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
            }
        });
        return future;
    }

    /**
     * Start sending (on the loop).
     *
     * @param startNanos  the run's start ({@link System#nanoTime()}): the schedule's time zero.
     * @param warmupNanos how long the warm-up lasts from the start.
     * @param runNanos    warm-up plus measured duration.
     */
    void start(final long startNanos, final long warmupNanos, final long runNanos)
    {
        loop.execute(() ->
        {
            t0 = startNanos;
            this.warmupNanos = warmupNanos;
            endNanos = startNanos + runNanos;
            running = true;
            timeoutCheck = loop.scheduleAtFixedRate(this::checkTimeouts, TIMEOUT_CHECK_MS, TIMEOUT_CHECK_MS,
                TimeUnit.MILLISECONDS);
            if (stripe != null)
            {
                loop.schedule(tick, Math.max(0, startNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            else
            {
                loop.schedule(this::startClosedLoop, Math.max(0, startNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ on the loop

    /** Open loop: make due what is due, hand it to free connections, sleep until the next intended time. */
    private void tick()
    {
        if (!running)
        {
            return;
        }
        final long elapsed = System.nanoTime() - t0;
        due = stripe.dueUpTo(due, elapsed);
        dispatch();
        if (due < stripe.size())
        {
            loop.schedule(tick, stripe.offsetNanos(due) - elapsed, TimeUnit.NANOSECONDS);
        }
        publish();
    }

    private void dispatch()
    {
        while (idleCount > 0 && next < due)
        {
            startScheduled(idle[--idleCount]);
        }
    }

    private void startScheduled(final LoadConnection connection)
    {
        final long offset = stripe.offsetNanos(next++);
        active++;
        connection.begin(chains++, t0 + offset, offset >= warmupNanos);
    }

    private void startClosedLoop()
    {
        while (running && idleCount > 0)
        {
            startNow(idle[--idleCount]);
        }
        publish();
    }

    private void startNow(final LoadConnection connection)
    {
        final long now = System.nanoTime();
        active++;
        connection.begin(chains++, now, now - t0 >= warmupNanos);
    }

    /**
     * A chain ended on {@code connection}.
     *
     * @param connection the connection.
     * @param reusable   true if the connection is open and free for the next chain.
     */
    void chainEnded(final LoadConnection connection, final boolean reusable)
    {
        active--;
        if (reusable)
        {
            useOrPark(connection);
        }
        publish();
    }

    private void useOrPark(final LoadConnection connection)
    {
        if (running && stripe != null && next < due)
        {
            startScheduled(connection);
        }
        else if (running && stripe == null && System.nanoTime() < endNanos)
        {
            startNow(connection);
        }
        else
        {
            idle[idleCount++] = connection;
        }
    }

    private void connected(final LoadConnection connection, final Channel channel)
    {
        // Connect listeners run on the channel's loop, which is this worker's.
        connection.attach(channel);
        if (channel.isActive())
        {
            useOrPark(connection);
            publish();
        }
    }

    /**
     * {@code connection}'s channel closed; re-open it while the run lasts.
     *
     * @param connection the connection.
     */
    void connectionClosed(final LoadConnection connection)
    {
        for (int i = 0; i < idleCount; i++)
        {
            if (idle[i] == connection)
            {
                idle[i] = idle[--idleCount];
                idle[idleCount] = null;
                break;
            }
        }
        if (running)
        {
            recorder.connectionLost();
            loop.schedule(() -> open(connection), RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
        }
        publish();
    }

    /**
     * @param nanos when a measured primary answer arrived.
     */
    void measuredPrimaryAnswered(final long nanos)
    {
        lastMeasuredAnswerNanos = nanos;
    }

    private void checkTimeouts()
    {
        final long now = System.nanoTime();
        for (final LoadConnection connection : connections)
        {
            if (connection.busy() && now - connection.sentNanos() > timeoutNanos)
            {
                connection.timeout();
            }
        }
        publish();
    }

    private void publish()
    {
        activePublished = active;
        waitingPublished = stripe == null ? 0 : due - next;
        done = running && active == 0 && (stripe != null ? next >= stripe.size() : System.nanoTime() >= endNanos);
    }

    /**
     * End the run on this worker (blocks until the loop did it): requests never sent count as {@code not sent},
     * requests still unanswered as {@code timeout}; every connection is closed.
     */
    void finish()
    {
        loop.submit(() ->
        {
            running = false;
            if (timeoutCheck != null)
            {
                timeoutCheck.cancel(false);
            }
            if (stripe != null)
            {
                long measured = 0;
                long warmup = 0;
                for (long j = next; j < stripe.size(); j++)
                {
                    if (stripe.offsetNanos(j) >= warmupNanos)
                    {
                        measured++;
                    }
                    else
                    {
                        warmup++;
                    }
                }
                recorder.recordUnanswered(0, true, "not sent", measured);
                recorder.recordUnanswered(0, false, "not sent", warmup);
                next = stripe.size();
            }
            for (final LoadConnection connection : connections)
            {
                if (connection.busy())
                {
                    connection.timeout();
                }
            }
            for (final LoadConnection connection : connections)
            {
                final Channel channel = connection.channel();
                if (channel != null)
                {
                    channel.close();
                }
            }
            publish();
        }).syncUninterruptibly();
    }

    /**
     * @return true once everything this worker had to send is sent and answered (or failed).
     */
    boolean done()
    {
        return done;
    }

    /**
     * @return chains running now.
     */
    int inFlight()
    {
        return activePublished;
    }

    /**
     * @return due requests waiting for a free connection.
     */
    long waiting()
    {
        return waitingPublished;
    }

    /**
     * @return when the last measured primary answer arrived ({@link System#nanoTime()}), 0 if none; read after
     *         {@link #finish()}.
     */
    long lastMeasuredAnswerNanos()
    {
        return lastMeasuredAnswerNanos;
    }
}
