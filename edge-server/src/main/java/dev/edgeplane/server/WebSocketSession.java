package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.jctools.queues.MpscArrayQueue;

/**
 * One server-side WebSocket connection with a bounded outbound queue, for fan-out streams (live
 * monitors): producers {@link #offer} messages from any thread; the connection's event loop writes
 * them while the socket is writable. A client that cannot keep up is dropped (close 1008), so a slow
 * reader never slows the producers or grows memory.
 *
 * <p>Threading: {@link #offer}, {@link #close} and {@link #isOpen} from any thread; the rest on the
 * event loop.
 */
public final class WebSocketSession extends ChannelInboundHandlerAdapter
{
    /** Messages that may wait for a slow client before it is dropped. */
    public static final int QUEUE_CAPACITY = 4096;

    private final Channel channel;
    private final WebSocketListener listener;
    private final MpscArrayQueue<byte[]> outbound = new MpscArrayQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private volatile Object attachment;

    WebSocketSession(final Channel channel, final WebSocketListener listener)
    {
        this.channel = channel;
        this.listener = listener;
    }

    /** @return caller state attached to this session (e.g. its filters). */
    public Object attachment()
    {
        return attachment;
    }

    public void attach(final Object value)
    {
        this.attachment = value;
    }

    public boolean isOpen()
    {
        return !closed.get() && channel.isActive();
    }

    /**
     * Queues a UTF-8 text message. The array must not be changed afterwards.
     *
     * @return false when the session is closed or its queue is full (the session is then dropped).
     */
    public boolean offer(final byte[] utf8Text)
    {
        if (closed.get())
        {
            return false;
        }
        if (!outbound.offer(utf8Text))
        {
            close(WebSocketCloseStatus.POLICY_VIOLATION, "client too slow: messages were dropped");
            return false;
        }
        if (drainScheduled.compareAndSet(false, true))
        {
            channel.eventLoop().execute(drain);
        }
        return true;
    }

    /** Convenience for text. */
    public boolean offer(final String text)
    {
        return offer(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Closes with a status; safe from any thread, once. */
    public void close(final WebSocketCloseStatus status, final String reason)
    {
        if (closed.compareAndSet(false, true))
        {
            channel.eventLoop().execute(() ->
            {
                if (channel.isActive())
                {
                    channel.writeAndFlush(new CloseWebSocketFrame(status, reason))
                        .addListener(f -> channel.close());
                }
            });
        }
    }

    private void drain()
    {
        drainScheduled.set(false);
        boolean wrote = false;
        while (channel.isWritable() && !closed.get())
        {
            final byte[] next = outbound.poll();
            if (next == null)
            {
                break;
            }
            final ByteBuf buf = channel.alloc().buffer(next.length).writeBytes(next);
            channel.write(new TextWebSocketFrame(buf), channel.voidPromise());
            wrote = true;
        }
        if (wrote)
        {
            channel.flush();
        }
        // Anything left waits for channelWritabilityChanged (or the next offer).
        if (!outbound.isEmpty() && channel.isWritable() && drainScheduled.compareAndSet(false, true))
        {
            channel.eventLoop().execute(drain);
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable())
        {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof TextWebSocketFrame text)
            {
                listener.onText(this, text.text());
            }
            else if (msg instanceof PingWebSocketFrame ping)
            {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            }
            else if (msg instanceof CloseWebSocketFrame)
            {
                close(WebSocketCloseStatus.NORMAL_CLOSURE, "bye");
            }
            else if (!(msg instanceof WebSocketFrame))
            {
                ctx.close(); // nothing but frames is expected after the upgrade
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        closed.set(true);
        outbound.clear();
        listener.onClose(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }
}
