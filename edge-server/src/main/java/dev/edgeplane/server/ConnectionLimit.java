package dev.edgeplane.server;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeplane.codec.ErrorBody;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The most connections one listener holds open. Each listener has its own cap, and the caps of all
 * listeners together stay under the process's file-descriptor limit with a reserve for files, the
 * journal and PostgreSQL: a flood of idle connections on one surface cannot take the control plane's
 * or the health check's sockets. A connection over the cap is answered {@code 503} with
 * {@code Retry-After} and closed at once.
 *
 * <p>Thread-safe.
 */
final class ConnectionLimit
{
    /** Descriptors kept for everything that is not a client connection. */
    static final int DESCRIPTOR_RESERVE = 1024;

    private final AtomicInteger open = new AtomicInteger();
    private final int max;
    private final ChannelHandler refusal;

    ConnectionLimit(final int max, final int retryAfterSeconds)
    {
        this.max = max;
        this.refusal = new Refusal(retryAfterSeconds);
    }

    /**
     * @param configured the configured cap per listener, 0 for automatic.
     * @param listeners  listeners sharing the process's descriptors.
     * @return the cap per listener: the configured one, else an equal share of the descriptor limit
     *         less {@link #DESCRIPTOR_RESERVE}.
     */
    static int perListener(final int configured, final int listeners)
    {
        if (configured > 0)
        {
            return configured;
        }
        long descriptors = 65_536;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix)
        {
            descriptors = unix.getMaxFileDescriptorCount();
        }
        return (int)Math.max(64, Math.min(Integer.MAX_VALUE, (descriptors - DESCRIPTOR_RESERVE) / Math.max(1, listeners)));
    }

    int max()
    {
        return max;
    }

    /**
     * Admits a new connection, or makes it the refused kind.
     *
     * @param plainHttp whether the listener speaks plain HTTP (a refusal is then answered, else just closed).
     * @return true when admitted (its slot is given back when it closes); false when the channel was
     *         given the refusal handler instead.
     */
    boolean admit(final Channel channel, final boolean plainHttp)
    {
        if (open.incrementAndGet() > max)
        {
            open.decrementAndGet();
            if (plainHttp)
            {
                channel.pipeline().addLast("refuse", refusal);
            }
            else
            {
                channel.close(); // a TLS client would read our plain answer as garbage
            }
            return false;
        }
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    /** Answers a connection over the cap with 503 and closes it, without reading anything. */
    @ChannelHandler.Sharable
    private static final class Refusal extends ChannelInboundHandlerAdapter
    {
        private final int retryAfterSeconds;

        Refusal(final int retryAfterSeconds)
        {
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            final String requestId = RequestIds.next();
            final byte[] body = ErrorBody.encode("too_many_connections",
                "this listener has as many connections open as it allows; retry after the indicated delay", requestId, null);
            final String head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length + "\r\nretry-after: " + retryAfterSeconds + "\r\nx-request-id: " + requestId
                + "\r\nconnection: close\r\n\r\n";
            ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
                .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
