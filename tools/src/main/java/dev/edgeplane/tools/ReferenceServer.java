package dev.edgeplane.tools;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * A bare Netty HTTP/1.1 server that answers every request with the same small JSON body: the
 * ceiling Edgeplane's endpoints are measured against. Same transport choice, same codec, no routing,
 * no state, one flush per read batch.
 *
 * <p>Threading: {@link #start} and {@link #close} from one controlling thread.
 */
public final class ReferenceServer implements AutoCloseable
{
    private static final byte[] BODY = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final AsciiString JSON = AsciiString.cached("application/json");
    private static final AsciiString LENGTH = AsciiString.cached(Integer.toString(BODY.length));

    private final EventLoopGroup group;
    private final Channel channel;
    private final Transport transport;
    private final CountDownLatch closed = new CountDownLatch(1);

    private ReferenceServer(final EventLoopGroup group, final Channel channel, final Transport transport)
    {
        this.group = group;
        this.channel = channel;
        this.transport = transport;
    }

    public static ReferenceServer start(final int port, final int ioThreads, final String transportChoice)
        throws InterruptedException
    {
        final Transport transport = Transport.select(transportChoice);
        final EventLoopGroup group = transport.newGroup(
            ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads, "reference-io");
        final ChannelHandler handler = new ConstantResponder();
        final Channel channel = new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new HttpServerCodec()).addLast(handler);
                }
            })
            .bind(port).sync().channel();
        return new ReferenceServer(group, channel, transport);
    }

    public int port()
    {
        return ((InetSocketAddress)channel.localAddress()).getPort();
    }

    public String transportName()
    {
        return transport.name();
    }

    public void awaitClosed() throws InterruptedException
    {
        closed.await();
    }

    @Override
    public void close()
    {
        if (closed.getCount() == 0)
        {
            return;
        }
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        closed.countDown();
    }

    /** Answers each complete request with the constant body; stateless, so shared by all channels. */
    @ChannelHandler.Sharable
    private static final class ConstantResponder extends ChannelInboundHandlerAdapter
    {
        private static final ByteBuf SHARED_BODY = Unpooled.unreleasableBuffer(Unpooled.directBuffer(BODY.length).writeBytes(BODY));

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof HttpRequest request && !HttpUtil.isKeepAlive(request))
                {
                    ctx.channel().attr(CLOSE).set(Boolean.TRUE);
                }
                if (msg instanceof LastHttpContent)
                {
                    final FullHttpResponse response = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, SHARED_BODY.duplicate(), false);
                    response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON).set(HttpHeaderNames.CONTENT_LENGTH, LENGTH);
                    if (Boolean.TRUE.equals(ctx.channel().attr(CLOSE).get()))
                    {
                        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                        ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                    }
                    else
                    {
                        ctx.write(response, ctx.voidPromise());
                    }
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        private static final io.netty.util.AttributeKey<Boolean> CLOSE = io.netty.util.AttributeKey.valueOf("reference.close");
    }
}
