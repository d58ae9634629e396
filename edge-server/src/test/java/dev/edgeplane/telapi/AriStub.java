package dev.edgeplane.telapi;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

/**
 * A loopback server that speaks enough Asterisk ARI for the gateway's tests: the events WebSocket
 * ({@code GET /ari/events?app=} with basic auth, 401 otherwise) and the channel REST calls, which it
 * records and answers like Asterisk ({@code 204} for an action on a known channel, {@code 404
 * {"message":"Channel not found"}} otherwise, {@code GET /ari/channels/{id}} with the channel's JSON).
 *
 * <p>Thread-safe: Netty runs it on its own loop; the test thread calls {@link #send} and friends.
 */
final class AriStub implements AutoCloseable
{
    final String user;
    final String password;
    final String app;
    /** Known channels: id → the JSON ARI returns for {@code GET /ari/channels/{id}}. */
    final Map<String, String> channels = new ConcurrentHashMap<>();
    /** REST calls received, as {@code "METHOD /ari/path?query"}. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** W3C {@code traceparent} headers of the REST calls that carried one. */
    final List<String> traceparents = new CopyOnWriteArrayList<>();
    final AtomicInteger eventConnects = new AtomicInteger();
    final AtomicInteger refusedAuth = new AtomicInteger();
    private final Set<Channel> eventSockets = ConcurrentHashMap.newKeySet();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    AriStub(final String user, final String password, final String app) throws InterruptedException
    {
        this(user, password, app, 0);
    }

    /** @param port a fixed port (0: ephemeral). */
    AriStub(final String user, final String password, final String app, final int port) throws InterruptedException
    {
        this.user = user;
        this.password = password;
        this.app = app;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new Handler());
                }
            })
            .bind("127.0.0.1", port).sync().channel();
    }

    int port()
    {
        return ((InetSocketAddress)server.localAddress()).getPort();
    }

    String url()
    {
        return "http://127.0.0.1:" + port();
    }

    /** @return open events WebSockets. */
    int eventSockets()
    {
        return eventSockets.size();
    }

    /** Sends one event to every connected events WebSocket. */
    void send(final String json)
    {
        for (final Channel c : eventSockets)
        {
            c.writeAndFlush(new TextWebSocketFrame(json));
        }
    }

    /** Sends many events without a flush per event. */
    void sendAll(final List<String> events)
    {
        for (final Channel c : eventSockets)
        {
            for (final String e : events)
            {
                c.write(new TextWebSocketFrame(e));
            }
            c.flush();
        }
    }

    /** Drops every events WebSocket like a restarting Asterisk (TCP close, no close frame). */
    void dropEventSockets()
    {
        for (final Channel c : eventSockets)
        {
            c.close();
        }
    }

    static String channelEvent(final String type, final String channelId, final String state)
    {
        return "{\"type\":\"" + type + "\",\"application\":\"telapi\",\"timestamp\":\"2030-01-01T00:00:00.000+0000\","
            + "\"channel\":{\"id\":\"" + channelId + "\",\"name\":\"PJSIP/1001-0001\",\"state\":\"" + state + "\"}}";
    }

    private final class Handler extends SimpleChannelInboundHandler<Object>
    {
        private WebSocketServerHandshaker handshaker;

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof FullHttpRequest req)
            {
                http(ctx, req);
            }
            else if (msg instanceof CloseWebSocketFrame close)
            {
                handshaker.close(ctx.channel(), close.retain());
            }
            else if (msg instanceof WebSocketFrame)
            {
                // ARI ignores what the client sends on the events socket
            }
        }

        private void http(final ChannelHandlerContext ctx, final FullHttpRequest req)
        {
            final String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(req.headers().get(HttpHeaderNames.AUTHORIZATION)))
            {
                refusedAuth.incrementAndGet();
                respond(ctx, HttpResponseStatus.UNAUTHORIZED, "{\"message\":\"Authentication required\"}");
                return;
            }
            final String uri = req.uri();
            if (uri.startsWith("/ari/events"))
            {
                if (!uri.contains("app=" + app))
                {
                    respond(ctx, HttpResponseStatus.BAD_REQUEST, "{\"message\":\"app parameter is required\"}");
                    return;
                }
                handshaker = new WebSocketServerHandshakerFactory("ws://127.0.0.1" + uri, null, false).newHandshaker(req);
                handshaker.handshake(ctx.channel(), req).addListener(f ->
                {
                    if (f.isSuccess())
                    {
                        eventSockets.add(ctx.channel());
                        eventConnects.incrementAndGet();
                        ctx.channel().closeFuture().addListener(c -> eventSockets.remove(ctx.channel()));
                    }
                });
                return;
            }
            requests.add(req.method().name() + " " + uri);
            if (req.headers().get("traceparent") != null)
            {
                traceparents.add(req.headers().get("traceparent"));
            }
            final String path = uri.indexOf('?') < 0 ? uri : uri.substring(0, uri.indexOf('?'));
            if (!path.startsWith("/ari/channels/"))
            {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "{\"message\":\"Resource not found\"}");
                return;
            }
            final String rest = path.substring("/ari/channels/".length());
            final String id = rest.indexOf('/') < 0 ? rest : rest.substring(0, rest.indexOf('/'));
            final String channel = channels.get(id);
            if (channel == null)
            {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "{\"message\":\"Channel not found\"}");
            }
            else if (req.method().name().equals("GET") && rest.equals(id))
            {
                respond(ctx, HttpResponseStatus.OK, channel);
            }
            else
            {
                respond(ctx, HttpResponseStatus.NO_CONTENT, null);
            }
        }

        private void respond(final ChannelHandlerContext ctx, final HttpResponseStatus status, final String json)
        {
            final FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                json == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            if (json != null)
            {
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            }
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            ctx.writeAndFlush(r).addListener(status.code() == 401 ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    @Override
    public void close()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
