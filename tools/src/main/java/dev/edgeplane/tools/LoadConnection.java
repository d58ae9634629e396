package dev.edgeplane.tools;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * One keep-alive connection of the load generator, with at most one request in flight (no pipelining). It runs the
 * chains its {@link LoadWorker} hands it: writes a chain's requests one after the other, reads each answer's status
 * (and, when the scenario asks, the first body bytes), records the latency — from the chain's <em>intended</em> start
 * for the primary request, from the actual send for the later steps — and tells the worker when it is free again.
 *
 * <p>The same instance serves the connection's successive channels when the worker reconnects, hence
 * {@link ChannelHandler.Sharable}; it is only ever in one pipeline at a time. Not thread-safe: every method runs on the
 * worker's event loop.
 */
@ChannelHandler.Sharable
final class LoadConnection extends ChannelInboundHandlerAdapter
{
    private final LoadWorker worker;
    private final LoadScenario scenario;
    private final LoadRecorder recorder;
    private final ResponseBody body = new ResponseBody();
    private final boolean readsBody;
    private final boolean trackLag;

    private Channel channel;
    private boolean busy;
    private boolean inRead;
    private boolean flushPending;

    private long chain;
    private int step;
    private boolean measured;
    private long chainStartNanos;
    private long sentNanos;
    private int status;
    private boolean keepAlive;

    /**
     * @param worker   the worker that owns this connection.
     * @param scenario the worker's scenario instance.
     * @param recorder where results go.
     * @param openLoop true when chains have intended start times (their send lag is recorded).
     */
    LoadConnection(final LoadWorker worker, final LoadScenario scenario, final LoadRecorder recorder,
        final boolean openLoop)
    {
        this.trackLag = openLoop;
        this.worker = worker;
        this.scenario = scenario;
        this.recorder = recorder;
        this.readsBody = scenario.readsBody();
    }

    /**
     * @param channel the connected channel this instance now serves.
     */
    void attach(final Channel channel)
    {
        this.channel = channel;
    }

    /**
     * @return the channel this instance serves now, or null before the first connect.
     */
    Channel channel()
    {
        return channel;
    }

    /**
     * @return true while a chain runs on this connection.
     */
    boolean busy()
    {
        return busy;
    }

    /**
     * @return when the request in flight was written ({@link System#nanoTime()}).
     */
    long sentNanos()
    {
        return sentNanos;
    }

    /**
     * Start a chain.
     *
     * @param chainNumber  the chain's number on this worker (its Call-ID).
     * @param intendedNanos when the chain was meant to start; the primary latency counts from here.
     * @param inWindow     false during the warm-up (not measured).
     */
    void begin(final long chainNumber, final long intendedNanos, final boolean inWindow)
    {
        busy = true;
        chain = chainNumber;
        chainStartNanos = intendedNanos;
        measured = inWindow;
        send(0);
    }

    private void send(final int nextStep)
    {
        step = nextStep;
        status = 0;
        keepAlive = true;
        body.clear();
        final ByteBuf request = scenario.encode(chain, nextStep, channel.alloc());
        sentNanos = System.nanoTime();
        recorder.sent();
        if (nextStep == 0 && measured && trackLag)
        {
            recorder.sendLag((sentNanos - chainStartNanos) / 1000);
        }
        if (inRead)
        {
            // Answered in this read batch: flush once in channelReadComplete.
            channel.write(request, channel.voidPromise());
            flushPending = true;
        }
        else
        {
            channel.writeAndFlush(request, channel.voidPromise());
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        inRead = true;
        try
        {
            if (msg instanceof HttpObject object && object.decoderResult().isFailure())
            {
                fail("bad response");
                return;
            }
            if (msg instanceof HttpResponse response)
            {
                status = response.status().code();
                keepAlive = HttpUtil.isKeepAlive(response);
            }
            if (msg instanceof HttpContent content && readsBody)
            {
                body.append(content.content());
            }
            if (msg instanceof LastHttpContent && busy)
            {
                complete();
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void complete()
    {
        final long now = System.nanoTime();
        final long micros = (now - (step == 0 ? chainStartNanos : sentNanos)) / 1000;
        recorder.record(scenario.endpoint(step), measured, micros, scenario.check(step, status, body, measured, recorder));
        if (step == 0 && measured)
        {
            worker.measuredPrimaryAnswered(now);
        }
        final int next = scenario.next(step, status, body);
        if (!keepAlive)
        {
            // The server closes after this answer: the rest of the chain is dropped, the worker reconnects.
            busy = false;
            worker.chainEnded(this, false);
            channel.close();
            return;
        }
        if (next >= 0)
        {
            send(next);
            return;
        }
        busy = false;
        worker.chainEnded(this, true);
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        inRead = false;
        if (flushPending)
        {
            flushPending = false;
            ctx.flush();
        }
    }

    /**
     * The request in flight got no answer in time: count it and drop the connection.
     */
    void timeout()
    {
        fail("timeout");
    }

    private void fail(final String kind)
    {
        if (busy)
        {
            busy = false;
            recorder.recordUnanswered(scenario.endpoint(step), measured, kind, 1);
            worker.chainEnded(this, false);
        }
        channel.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        inRead = false;
        flushPending = false;
        if (busy)
        {
            busy = false;
            recorder.recordUnanswered(scenario.endpoint(step), measured, "connection closed", 1);
            worker.chainEnded(this, false);
        }
        worker.connectionClosed(this);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // I/O failures (reset, refused write) end the connection; channelInactive counts what was in flight.
        ctx.close();
    }
}
