package dev.edgeplane.server;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.codec.RouteTable;
import dev.edgeplane.persistence.JournalUnavailableException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one HTTP/1.1 connection: routing, bounded body aggregation, one request in flight
 * at a time (pipelined requests queue behind it and are answered in order), timeouts, and response
 * writing with one flush per read batch.
 *
 * <p>Two handlers share this state: {@link #rawWatcher()} sits before {@code HttpServerCodec} and
 * sees raw bytes (to time a request from its first byte, and to discard input after a fatal error);
 * this handler sits after the codec.
 *
 * <p>Threading: confined to the channel's event loop, except {@link HttpExchange#respond} which hops
 * onto it. One periodic tick per connection enforces both the idle and the request timeout, so no
 * timer is scheduled per request.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    /** How long a connection we are closing keeps reading (and dropping) so the client sees our answer. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private enum State
    {
        /** Waiting for a request head. */
        IDLE,
        /** Head routed; aggregating the body. */
        READING_BODY,
        /** Answered early (404, 405…); dropping the rest of this request's body. */
        SKIPPING_BODY,
        /** Head routed to a streaming route; body chunks go to the sink. */
        STREAMING,
        /** Body complete, handler running, no answer yet. */
        IN_FLIGHT,
        /** Fatal: answer written, output shut, input dropped until the peer closes or the linger ends. */
        CLOSING,
        /** Switched to WebSocket: frames pass through to the session handler after this one. */
        UPGRADED
    }

    private final Listener listener;
    private final EdgeRuntime runtime;
    private final RouteTable<Route> routes;
    private final HttpExchange exchange;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>(4);
    private final RawWatcher rawWatcher = new RawWatcher();
    private final RequestDecoder requestDecoder;

    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private boolean keepAlive;
    private boolean inRead;
    private boolean flushPending;
    private boolean drainingPipelined;
    private long requestStartNanos;
    private boolean requestStarted;
    private long lastActivityNanos;
    private long closingSinceNanos;
    private ScheduledFuture<?> tick;
    private BodySink sink;
    private long streamed;

    HttpConnection(final Listener listener)
    {
        this.listener = listener;
        this.runtime = listener.runtime();
        this.routes = listener.routes();
        this.exchange = new HttpExchange(this, runtime);
        final EdgeSettings settings = listener.settings();
        this.requestDecoder = new RequestDecoder(new HttpDecoderConfig()
            .setMaxInitialLineLength(settings.maxInitialLineBytes())
            .setMaxHeaderSize(settings.maxHeaderBytes())
            .setMaxChunkSize(64 * 1024));
    }

    /** @return the request decoder to place after {@link #rawWatcher()}. */
    RequestDecoder requestDecoder()
    {
        return requestDecoder;
    }

    /** @return whether this connection's surface journals its writes ({@link SurfaceKind#journaled()}). */
    boolean journaled()
    {
        return listener.kind().journaled();
    }

    /** @return the handler to place first, before the request decoder. */
    RawWatcher rawWatcher()
    {
        return rawWatcher;
    }

    boolean inEventLoop()
    {
        return ctx.executor().inEventLoop();
    }

    void execute(final Runnable task)
    {
        ctx.executor().execute(task);
    }

    SocketAddress remoteAddress()
    {
        return ctx.channel().remoteAddress();
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        runtime.httpMetrics().connectionOpened();
        lastActivityNanos = System.nanoTime();
        final long period = Math.max(50, Math.min(listener.settings().idleTimeoutMs(), listener.settings().requestTimeoutMs()) / 4);
        tick = ctx.executor().scheduleAtFixedRate(this::onTick, period, period, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        runtime.httpMetrics().connectionClosed();
        if (tick != null)
        {
            tick.cancel(false);
        }
        abortStream();
        if (state == State.IN_FLIGHT)
        {
            runtime.requestFinished();
            state = State.CLOSING;
        }
        Object msg;
        while ((msg = pipelined.poll()) != null)
        {
            ReferenceCountUtil.release(msg);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (state == State.UPGRADED)
        {
            ctx.fireChannelRead(msg);
            return;
        }
        inRead = true;
        if (state == State.IN_FLIGHT || !pipelined.isEmpty())
        {
            pipelined.add(msg);
            // Bound the backlog: stop reading until the request in flight is answered.
            ctx.channel().config().setAutoRead(false);
            return;
        }
        process(msg);
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
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // I/O errors (connection reset) are routine for a server; anything else is worth a line.
        if (cause instanceof java.io.IOException)
        {
            LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        else
        {
            LOG.warn("unexpected pipeline error from {}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    private void process(final Object msg)
    {
        try
        {
            if (msg instanceof HttpRequest request)
            {
                onRequestHead(request);
            }
            if (msg instanceof HttpContent content)
            {
                onContent(content);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequestHead(final HttpRequest request)
    {
        if (state == State.CLOSING)
        {
            return;
        }
        if (!requestStarted)
        {
            requestStarted = true;
            requestStartNanos = System.nanoTime();
        }
        exchange.begin(request, RequestIds.fromClient(request.headers().get(X_REQUEST_ID)), requestStartNanos);

        if (request.decoderResult().isFailure())
        {
            final Throwable cause = request.decoderResult().cause();
            if (cause instanceof RequestDecoder.LengthAndChunked)
            {
                fatal(HttpResponseStatus.BAD_REQUEST, "bad_request",
                    "a request with both Content-Length and Transfer-Encoding is refused (RFC 9112 section 6.1)");
            }
            else if (cause instanceof TooLongHttpHeaderException)
            {
                fatal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header_too_large",
                    "request headers exceed " + listener.settings().maxHeaderBytes() + " bytes");
            }
            else if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException)
            {
                fatal(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long",
                    "request line exceeds " + listener.settings().maxInitialLineBytes() + " bytes");
            }
            else
            {
                fatal(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP request");
            }
            return;
        }

        final HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1)
        {
            fatal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http_version_not_supported",
                "this server speaks HTTP/1.1 and HTTP/1.0, not " + version.text());
            return;
        }
        originForm(request);
        keepAlive = HttpUtil.isKeepAlive(request) && !runtime.draining();
        // HEAD is answered wherever GET is (RFC 9110 §9.3.2): the GET route runs, the body is not sent.
        exchange.head = request.method() == HttpMethod.HEAD;
        switch (routes.match(exchange.head ? "GET" : request.method().name(), request.uri(), exchange.match))
        {
            case FOUND:
                break;
            case NOT_FOUND:
                answerEarly(HttpResponseStatus.NOT_FOUND, "not_found", "no route for " + request.method() + " " + path(request));
                return;
            case METHOD_NOT_ALLOWED:
                exchange.responseHeaders().set(HttpHeaderNames.ALLOW, exchange.match.allow());
                answerEarly(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                    request.method() + " is not allowed here; allowed: " + exchange.match.allow());
                return;
            default:
                answerEarly(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request path");
                return;
        }

        final Route route = exchange.match.handler();
        exchange.route = route;
        final long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > route.maxBodyBytes())
        {
            fatal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                "body of " + declared + " bytes exceeds the limit of " + route.maxBodyBytes() + " bytes for this route");
            return;
        }
        if (route.streaming() != null)
        {
            openStream(route, declared);
            if (state != State.STREAMING)
            {
                return;
            }
        }
        else
        {
            state = State.READING_BODY;
        }
        if (HttpUtil.is100ContinueExpected(request))
        {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), ctx.voidPromise());
        }
    }

    private void openStream(final Route route, final long declared)
    {
        // A refusal from open() means the body will not be read, so that answer must close the
        // connection (unless there is no body at all).
        final boolean bodyComing = declared != 0;
        final boolean keepAliveIfAccepted = keepAlive;
        if (bodyComing)
        {
            keepAlive = false;
        }
        try
        {
            sink = route.streaming().open(exchange);
        }
        catch (final Exception e)
        {
            LOG.error("streaming handler for {} {} failed to open (request {})", route.method(), route.pattern(),
                exchange.requestId(), e);
            sink = null;
        }
        if (sink == null)
        {
            if (!exchange.responded())
            {
                fatal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", "the server failed to handle this request");
            }
            else if (state != State.CLOSING)
            {
                state = State.SKIPPING_BODY;
            }
            return;
        }
        keepAlive = keepAliveIfAccepted;
        streamed = 0;
        state = State.STREAMING;
    }

    private void abortStream()
    {
        if (sink != null)
        {
            final BodySink s = sink;
            sink = null;
            s.onAbort();
        }
    }

    /**
     * Rewrites an absolute-form target ({@code http://host/path?q}, RFC 9112 §3.2.2, which a server must
     * accept) to origin form, so routing sees the path.
     */
    private static void originForm(final HttpRequest request)
    {
        final String uri = request.uri();
        final int scheme = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
            : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (scheme < 0)
        {
            return;
        }
        int end = scheme;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?')
        {
            end++;
        }
        request.setUri(end == uri.length() ? "/" : uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end));
    }

    private static String path(final HttpRequest request)
    {
        final String uri = request.uri();
        final int q = uri.indexOf('?');
        final String path = q < 0 ? uri : uri.substring(0, q);
        return path.length() > 200 ? path.substring(0, 200) + "…" : path;
    }

    private void onContent(final HttpContent content)
    {
        if (content.decoderResult().isFailure())
        {
            // A malformed chunk (bad size, missing CRLF) is not the end of the body: nothing of this
            // request is acted on, and the rest of the stream cannot be framed.
            if (state == State.READING_BODY || state == State.STREAMING)
            {
                abortStream();
                fatal(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed chunked body");
                return;
            }
            if (state == State.SKIPPING_BODY)
            {
                ctx.close(); // already answered; the rest cannot be framed
                return;
            }
        }
        if (state == State.STREAMING)
        {
            onStreamedContent(content);
            return;
        }
        if (state == State.READING_BODY)
        {
            final ByteBuf data = content.content();
            if (exchange.bodyLength + data.readableBytes() > exchange.route.maxBodyBytes())
            {
                fatal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                    "body exceeds the limit of " + exchange.route.maxBodyBytes() + " bytes for this route");
                return;
            }
            if (data.isReadable())
            {
                exchange.appendBody(data);
            }
        }
        if (content instanceof LastHttpContent)
        {
            requestStarted = false;
            if (state == State.READING_BODY)
            {
                state = State.IN_FLIGHT;
                dispatch();
            }
            else if (state == State.SKIPPING_BODY)
            {
                state = State.IDLE;
            }
        }
    }

    private void onStreamedContent(final HttpContent content)
    {
        final ByteBuf data = content.content();
        streamed += data.readableBytes();
        if (streamed > exchange.route.maxBodyBytes())
        {
            abortStream();
            fatal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                "body exceeds the limit of " + exchange.route.maxBodyBytes() + " bytes for this route");
            return;
        }
        try
        {
            if (data.isReadable())
            {
                sink.onData(data);
            }
            if (content instanceof LastHttpContent)
            {
                requestStarted = false;
                state = State.IN_FLIGHT;
                final BodySink done = sink;
                sink = null;
                runtime.requestStarted();
                done.onEnd(exchange);
            }
        }
        catch (final Exception e)
        {
            LOG.error("streaming handler for {} {} failed (request {})", exchange.route.method(), exchange.route.pattern(),
                exchange.requestId(), e);
            abortStream();
            if (state == State.IN_FLIGHT)
            {
                exchange.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error",
                    "the server failed to handle this request", null);
            }
            else
            {
                fatal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", "the server failed to handle this request");
            }
        }
    }

    private void dispatch()
    {
        runtime.requestStarted();
        if (exchange.refusedForJournal())
        {
            return;
        }
        try
        {
            exchange.route.handler().handle(exchange);
        }
        catch (final JournalUnavailableException e)
        {
            exchange.journalUnavailable(e);
        }
        catch (final Throwable t)
        {
            LOG.error("handler for {} {} failed (request {})", exchange.route.method(), exchange.route.pattern(),
                exchange.requestId(), t);
            exchange.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "the server failed to handle this request", null);
        }
    }

    /** Answers before the body is read; the body (if any) is skipped, the connection stays usable. */
    private void answerEarly(final HttpResponseStatus status, final String code, final String message)
    {
        state = State.SKIPPING_BODY;
        exchange.respondError(status, code, message, null);
    }

    /** Answers and closes: the rest of the input is not trustworthy or not wanted. */
    private void fatal(final HttpResponseStatus status, final String code, final String message)
    {
        keepAlive = false;
        state = State.CLOSING;
        exchange.respondError(status, code, message, null);
    }

    /** Writes the answer for the current request; on the event loop. */
    void writeResponse(
        final HttpExchange ex, final HttpResponseStatus status, final AsciiString contentType, final byte[] content)
    {
        final boolean wasInFlight = state == State.IN_FLIGHT;
        if (runtime.draining())
        {
            keepAlive = false; // shutting down: tell the client to go elsewhere for its next request
        }
        // The answer is encoded here in one buffer and written from the first handler's context, past
        // the response encoder (which only the 100-continue and WebSocket handshake answers use).
        final ByteBuf response = ResponseHead.encode(ctx.alloc(), status, contentType, content, ex.responseHeaders(),
            ex.requestId(), !keepAlive, ex.head);

        final Route route = ex.route;
        if (route != null)
        {
            route.metrics().record(status.code(), System.nanoTime() - ex.startNanos);
        }
        else
        {
            runtime.httpMetrics().unrouted(listener.kind().label(), status.code());
        }

        if (state == State.CLOSING || !keepAlive)
        {
            rawWatcher.ctx.writeAndFlush(response).addListener(f -> closeGently());
            if (wasInFlight)
            {
                runtime.requestFinished();
            }
            state = State.CLOSING;
            return;
        }
        if (inRead)
        {
            rawWatcher.ctx.write(response, rawWatcher.ctx.voidPromise());
            flushPending = true;
        }
        else
        {
            rawWatcher.ctx.writeAndFlush(response, rawWatcher.ctx.voidPromise());
        }
        if (wasInFlight)
        {
            state = State.IDLE;
            runtime.requestFinished();
            drainPipelined();
        }
    }

    private void drainPipelined()
    {
        if (drainingPipelined)
        {
            return; // the loop below is already running further up the stack
        }
        drainingPipelined = true;
        try
        {
            Object next;
            while (state != State.IN_FLIGHT && state != State.CLOSING && (next = pipelined.poll()) != null)
            {
                process(next);
            }
        }
        finally
        {
            drainingPipelined = false;
        }
        if (pipelined.isEmpty() && state != State.CLOSING && !ctx.channel().config().isAutoRead())
        {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * Switches the in-flight request's connection to WebSocket (RFC 6455 handshake), then hands frames
     * to a {@link WebSocketSession} placed after this handler. On the event loop.
     */
    void upgrade(final HttpExchange ex, final WebSocketListener listener)
    {
        final HttpRequest request = ex.request;
        final String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
        final WebSocketServerHandshaker handshaker =
            new WebSocketServerHandshakerFactory("ws://" + host + request.uri(), null, false, 64 * 1024).newHandshaker(request);
        final String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (handshaker == null || !"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))
            || key == null || key.isBlank())
        {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, "websocket_required",
                "this endpoint speaks WebSocket (RFC 6455, version 13): send an Upgrade request with Sec-WebSocket-Key", null);
            return;
        }
        final FullHttpRequest full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
            Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
        ex.upgraded();
        state = State.UPGRADED;
        runtime.requestFinished();
        ex.route.metrics().record(101, System.nanoTime() - ex.startNanos);
        if (tick != null)
        {
            tick.cancel(false); // request and idle timeouts do not apply to a long-lived stream
        }
        final WebSocketSession session = new WebSocketSession(ctx.channel(), listener);
        ctx.pipeline().addAfter(ctx.name(), "websocket", session);
        handshaker.handshake(ctx.channel(), full).addListener(f ->
        {
            if (f.isSuccess())
            {
                listener.onOpen(session);
            }
            else
            {
                ctx.close();
            }
        });
    }

    /** Half-closes: our answer reaches the client even if it is still sending (no RST on unread data). */
    private void closeGently()
    {
        closingSinceNanos = System.nanoTime();
        if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive())
        {
            duplex.shutdownOutput();
            ctx.channel().config().setAutoRead(true);
        }
        else
        {
            ctx.close();
        }
    }

    private void onTick()
    {
        final long now = System.nanoTime();
        final EdgeSettings settings = listener.settings();
        switch (state)
        {
            case CLOSING:
                if (closingSinceNanos != 0 && now - closingSinceNanos > LINGER_NANOS)
                {
                    ctx.close();
                }
                break;
            case IN_FLIGHT:
                // A shard command that never answers (a bug, a lost hand-off) must not hang the client.
                if (exchange.shardOfferNanos != 0
                    && now - exchange.shardOfferNanos > TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs()))
                {
                    LOG.error("request {} handed to a shard got no answer within {} ms: answering 503 and closing",
                        exchange.requestId(), settings.requestTimeoutMs());
                    keepAlive = false; // a late answer must never meet the next request on this exchange
                    exchange.responseHeaders().set(HttpHeaderNames.RETRY_AFTER, runtime.settings().retryAfterSeconds());
                    exchange.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "deadline_exceeded",
                        "the request was not answered within " + settings.requestTimeoutMs() + " ms", null);
                }
                break;
            case UPGRADED:
                break; // the WebSocket session owns the clock now
            default:
                if (requestStarted && now - requestStartNanos > TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs()))
                {
                    if (state == State.SKIPPING_BODY)
                    {
                        ctx.close();
                    }
                    else
                    {
                        if (state == State.IDLE)
                        {
                            exchange.begin(null, RequestIds.next(), requestStartNanos); // head never completed
                        }
                        abortStream();
                        fatal(HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout",
                            "the request did not arrive within " + settings.requestTimeoutMs() + " ms");
                    }
                }
                else if (!requestStarted && now - lastActivityNanos > TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMs()))
                {
                    ctx.close();
                }
                else if (!requestStarted && runtime.draining() && state == State.IDLE)
                {
                    ctx.close(); // shutting down: idle keep-alive connections go now
                }
                break;
        }
    }

    /**
     * Sees raw bytes before the HTTP decoder: marks when a request's first byte arrives and drops
     * input once the connection is closing. Answers are written from its context, so they go
     * straight to the socket.
     */
    final class RawWatcher extends ChannelInboundHandlerAdapter
    {
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (state == State.CLOSING)
            {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (state == State.UPGRADED)
            {
                ctx.fireChannelRead(msg);
                return;
            }
            lastActivityNanos = System.nanoTime();
            if (!requestStarted && state == State.IDLE)
            {
                requestStarted = true;
                requestStartNanos = lastActivityNanos;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
