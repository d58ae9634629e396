package dev.edgeplane.tools;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

/**
 * A minimal Asterisk ARI for the channel benchmark: accepts the gateway's events WebSocket
 * ({@code /ari/events}) and answers REST calls {@code 204} (resync reads {@code 404}); the benchmark
 * writes events into the events sockets through {@link #emit}.
 *
 * <p>Threading: one Netty event loop; {@link #emit} from any thread (it hands the batch to the loop).
 */
final class AriEmulator implements AutoCloseable
{
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Set<Channel> events = ConcurrentHashMap.newKeySet();
    private final Channel server;

    AriEmulator(final String host, final int port) throws InterruptedException
    {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new Handler());
                }
            })
            .bind(host, port).sync().channel();
    }

    int eventSockets()
    {
        return events.size();
    }

    /** Writes a batch of events (UTF-8 JSON) to every events socket with one flush. */
    void emit(final byte[][] batch, final int count)
    {
        for (final Channel c : events)
        {
            c.eventLoop().execute(() ->
            {
                for (int i = 0; i < count; i++)
                {
                    c.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(batch[i])), c.voidPromise());
                }
                c.flush();
            });
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<Object>
    {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Object msg)
        {
            if (!(msg instanceof FullHttpRequest req))
            {
                return; // frames from the gateway on the events socket: ignored, as ARI does
            }
            if (req.uri().startsWith("/ari/events"))
            {
                final WebSocketServerHandshaker hs =
                    new WebSocketServerHandshakerFactory("ws://localhost" + req.uri(), null, false).newHandshaker(req);
                hs.handshake(ctx.channel(), req).addListener(f ->
                {
                    if (f.isSuccess())
                    {
                        events.add(ctx.channel());
                        ctx.channel().closeFuture().addListener(x -> events.remove(ctx.channel()));
                    }
                });
                return;
            }
            final boolean read = req.method().name().equals("GET");
            final ByteBuf body = read ? Unpooled.copiedBuffer("{\"message\":\"Channel not found\"}", StandardCharsets.UTF_8)
                : Unpooled.EMPTY_BUFFER;
            final DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                read ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.NO_CONTENT, body);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    @Override
    public void close()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
