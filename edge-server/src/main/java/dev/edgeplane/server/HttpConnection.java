package dev.edgeplane.server;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.codec.RouteTable;
import dev.edgeplane.persistence.JournalUnavailableException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection, the only handler in its pipeline until a WebSocket upgrade: it parses the
 * inbound bytes itself ({@link RequestParser}), routes, aggregates or streams the body within bounds,
 * answers one request at a time (pipelined requests wait in the inbound buffer and are answered in
 * order), enforces the timeouts, and writes each answer as one encoded buffer ({@link ResponseHead})
 * with one flush per read batch.
 *
 * <p>Bounds: at most {@link #BUFFERED_INPUT_BYTES} of unparsed input (pipelined requests) is held
 * before the connection stops reading; no further request is started while the socket is not writable
 * (a client that sends and never reads stops being read at the channel's high-water mark).
 *
 * <p>Threading: confined to the channel's event loop, except {@link HttpExchange#respond} which hops
 * onto it. One periodic tick per connection enforces both the idle and the request timeout, so no
 * timer is scheduled per request.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);
    /** One line per answered request when {@code EDGEPLANE_ACCESS_LOG=true} (an asynchronous, dropping appender). */
    private static final Logger ACCESS = LoggerFactory.getLogger("edgeplane.access");
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    /** How long a connection we are closing keeps reading (and dropping) so the client sees our answer. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Unparsed input held while a request is in flight or the socket is not writable, before reading stops. */
    static final int BUFFERED_INPUT_BYTES = 64 * 1024;
    private static final ByteBuf CONTINUE = Unpooled.unreleasableBuffer(
        Unpooled.directBuffer(32).writeBytes("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

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
        /** Switched to WebSocket: bytes pass through to the frame decoder after this handler. */
        UPGRADED
    }

    private final Listener listener;
    private final EdgeRuntime runtime;
    private final RouteTable<Route> routes;
    private final HttpExchange exchange;
    private final RequestParser parser;
    private final boolean accessLog;

    private ChannelHandlerContext ctx;
    /** Input not parsed yet (the rest of a head, pipelined requests); null when there is none. */
    private ByteBuf input;
    private State state = State.IDLE;
    private boolean keepAlive;
    private boolean inRead;
    private boolean flushPending;
    private boolean parsing;
    private boolean readingPaused;
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
        this.parser = new RequestParser(listener.settings().maxInitialLineBytes(), listener.settings().maxHeaderBytes());
        this.accessLog = listener.settings().accessLog() && ACCESS.isInfoEnabled();
    }

    /** @return whether this connection's surface journals its writes ({@link SurfaceKind#journaled()}). */
    boolean journaled()
    {
        return listener.kind().journaled();
    }

    boolean inEventLoop()
    {
        return ctx.executor().inEventLoop();
    }

    void execute(final Runnable task)
    {
        ctx.executor().execute(task);
    }

    /** @return the client: the socket's peer, or the address a PROXY protocol header named. */
    SocketAddress remoteAddress()
    {
        return ProxyProtocol.clientAddress(ctx.channel());
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
        }
        if (state != State.UPGRADED)
        {
            state = State.CLOSING;
        }
        releaseInput();
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
        if (state == State.CLOSING || !(msg instanceof ByteBuf bytes))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastActivityNanos = System.nanoTime();
        inRead = true;
        input = input == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), input, bytes);
        parse();
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
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable() && state == State.IDLE)
        {
            parse(); // a request held back while the client was not reading its answers
        }
        ctx.fireChannelWritabilityChanged();
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

    /**
     * Parses and handles what the input holds, until it runs out, a request is in flight, or the
     * socket stops being writable. Never re-entered: an answer written from inside it lets the loop
     * go on to the next pipelined request.
     */
    private void parse()
    {
        if (parsing)
        {
            return;
        }
        parsing = true;
        try
        {
            while (state != State.IN_FLIGHT && state != State.CLOSING && state != State.UPGRADED)
            {
                if (state == State.IDLE && !parser.midRequest())
                {
                    if (input == null || !input.isReadable() || !ctx.channel().isWritable())
                    {
                        break;
                    }
                    if (!requestStarted)
                    {
                        requestStarted = true;
                        requestStartNanos = System.nanoTime();
                    }
                }
                final ByteBuf in = input != null ? input : Unpooled.EMPTY_BUFFER;
                final int result = parser.next(in);
                if (result == RequestParser.NEED_MORE)
                {
                    break;
                }
                switch (result)
                {
                    case RequestParser.HEAD -> onHead(parser.head());
                    case RequestParser.DATA -> onData(in, parser.dataIndex(), parser.dataLength());
                    case RequestParser.END -> onEnd();
                    default -> onMalformed();
                }
            }
        }
        finally
        {
            parsing = false;
        }
        if (input != null && !input.isReadable())
        {
            releaseInput();
        }
        final boolean hold = input != null && input.readableBytes() > BUFFERED_INPUT_BYTES && state != State.CLOSING;
        if (hold != readingPaused && state != State.UPGRADED)
        {
            readingPaused = hold;
            ctx.channel().config().setAutoRead(!hold);
        }
    }

    private void releaseInput()
    {
        if (input != null)
        {
            input.release();
            input = null;
        }
    }

    private void onHead(final RequestHead head)
    {
        exchange.begin(head, RequestIds.fromClient(head.header(X_REQUEST_ID)), requestStartNanos);
        keepAlive = head.keepAlive() && !runtime.draining();
        // HEAD is answered wherever GET is (RFC 9110 §9.3.2): the GET route runs, the body is not sent.
        exchange.head = "HEAD".equals(head.method);
        switch (routes.match(exchange.head ? "GET" : head.method, head.uri, exchange.match))
        {
            case FOUND:
                break;
            case NOT_FOUND:
                answerEarly(HttpResponseStatus.NOT_FOUND, "not_found", "no route for " + head.method + " " + path(head.uri));
                return;
            case METHOD_NOT_ALLOWED:
                exchange.responseHeaders().set(HttpHeaderNames.ALLOW, exchange.match.allow());
                answerEarly(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                    head.method + " is not allowed here; allowed: " + exchange.match.allow());
                return;
            default:
                answerEarly(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request path");
                return;
        }

        final Route route = exchange.match.handler();
        exchange.route = route;
        final long declared = head.chunked ? -1 : Math.max(0, head.contentLength);
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
        if (head.expectContinue && head.http11() && declared != 0)
        {
            ctx.writeAndFlush(CONTINUE.duplicate(), ctx.voidPromise());
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

    private static String path(final String uri)
    {
        final int q = uri.indexOf('?');
        final String path = q < 0 ? uri : uri.substring(0, q);
        return path.length() > 200 ? path.substring(0, 200) + "…" : path;
    }

    private void onData(final ByteBuf in, final int index, final int length)
    {
        if (state == State.READING_BODY)
        {
            if (exchange.bodyLength + length > exchange.route.maxBodyBytes())
            {
                fatal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                    "body exceeds the limit of " + exchange.route.maxBodyBytes() + " bytes for this route");
                return;
            }
            exchange.appendBody(in, index, length);
        }
        else if (state == State.STREAMING)
        {
            streamed += length;
            if (streamed > exchange.route.maxBodyBytes())
            {
                abortStream();
                fatal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                    "body exceeds the limit of " + exchange.route.maxBodyBytes() + " bytes for this route");
                return;
            }
            try
            {
                sink.onData(in.slice(index, length));
            }
            catch (final Exception e)
            {
                streamFailed(e);
            }
        }
    }

    private void onEnd()
    {
        requestStarted = false;
        switch (state)
        {
            case READING_BODY:
                state = State.IN_FLIGHT;
                dispatch();
                break;
            case STREAMING:
                state = State.IN_FLIGHT;
                final BodySink done = sink;
                sink = null;
                runtime.requestStarted();
                try
                {
                    done.onEnd(exchange);
                }
                catch (final Exception e)
                {
                    streamFailed(e);
                }
                break;
            case SKIPPING_BODY:
                state = State.IDLE;
                break;
            default:
                break;
        }
    }

    private void streamFailed(final Exception e)
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

    /** The input cannot be framed: answer (unless this request already has its answer) and close. */
    private void onMalformed()
    {
        abortStream();
        if (state == State.SKIPPING_BODY)
        {
            ctx.close(); // already answered; the rest cannot be framed
            state = State.CLOSING;
            return;
        }
        if (state == State.IDLE)
        {
            exchange.begin(null, RequestIds.next(), requestStartNanos); // the head never parsed
        }
        // A malformed chunk is not the end of the body: nothing of this request is acted on.
        fatal(parser.errorStatus(), parser.errorCode(), parser.errorMessage());
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
        final ByteBuf response = ResponseHead.encode(ctx.alloc(), status, contentType, content, ex.responseHeaders(),
            ex.requestId(), !keepAlive, ex.head);

        final Route route = ex.route;
        final long nanos = System.nanoTime() - ex.startNanos;
        if (route != null)
        {
            route.metrics().record(status.code(), nanos);
        }
        else
        {
            runtime.httpMetrics().unrouted(listener.kind().label(), status.code());
        }
        if (accessLog)
        {
            logAccess(ex, status, nanos, response.readableBytes());
        }

        if (state == State.CLOSING || !keepAlive)
        {
            ctx.writeAndFlush(response).addListener(f -> closeGently());
            if (wasInFlight)
            {
                runtime.requestFinished();
            }
            state = State.CLOSING;
            releaseInput();
            return;
        }
        if (inRead)
        {
            ctx.write(response, ctx.voidPromise());
            flushPending = true;
        }
        else
        {
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
        if (wasInFlight)
        {
            state = State.IDLE;
            runtime.requestFinished();
            parse(); // the next pipelined request, if any
        }
    }

    private void logAccess(final HttpExchange ex, final HttpResponseStatus status, final long nanos, final int bytes)
    {
        final RequestHead head = ex.request;
        final String method = head == null ? "-" : ex.head ? "HEAD" : head.method;
        String path = head == null ? "-" : head.uri;
        final int query = path.indexOf('?');
        if (query >= 0)
        {
            path = path.substring(0, query); // query strings may carry tokens: never logged
        }
        ACCESS.info("surface={} method={} path={} route={} status={} latency_us={} request_id={} client={} bytes={}",
            listener.kind().label(), method, path, ex.route == null ? "-" : ex.route.pattern(), status.code(),
            TimeUnit.NANOSECONDS.toMicros(nanos), ex.requestId(), clientText(ex.remoteAddress()), bytes);
    }

    private static String clientText(final SocketAddress address)
    {
        return address instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    /**
     * Switches the in-flight request's connection to WebSocket (RFC 6455 §4.2.2: a GET over HTTP/1.1
     * with {@code Upgrade: websocket}, {@code Connection: upgrade}, a {@code Sec-WebSocket-Key} and
     * version 13), then hands frames to a {@link WebSocketSession} placed after this handler. On the
     * event loop.
     */
    void upgrade(final HttpExchange ex, final WebSocketListener wsListener)
    {
        final RequestHead request = ex.request;
        final String key = request.header(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (!request.http11() || !request.connectionUpgrade || !request.headerEquals(HttpHeaderNames.UPGRADE, "websocket")
            || !request.headerEquals(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13") || key == null || key.isBlank())
        {
            ex.responseHeaders().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            ex.respondError(HttpResponseStatus.BAD_REQUEST, "websocket_required",
                "this endpoint speaks WebSocket (RFC 6455, version 13): send an Upgrade request with Sec-WebSocket-Key", null);
            return;
        }
        ex.upgraded();
        state = State.UPGRADED;
        requestStarted = false;
        runtime.requestFinished();
        ex.route.metrics().record(101, System.nanoTime() - ex.startNanos);
        if (tick != null)
        {
            tick.cancel(false); // request and idle timeouts do not apply to a long-lived stream
        }
        if (readingPaused)
        {
            readingPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
        final WebSocketSession session = new WebSocketSession(ctx.channel(), wsListener);
        ctx.pipeline()
            .addAfter(ctx.name(), "wsdecoder", new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(64 * 1024).allowExtensions(false).expectMaskedFrames(true).build()))
            .addAfter("wsdecoder", "wsencoder", new WebSocket13FrameEncoder(false))
            .addAfter("wsencoder", "websocket", session);
        final String answer = "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n"
            + "sec-websocket-accept: " + acceptKey(key.trim()) + "\r\nx-request-id: " + ex.requestId() + "\r\n\r\n";
        ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII)).addListener(f ->
        {
            if (f.isSuccess())
            {
                wsListener.onOpen(session);
            }
            else
            {
                ctx.close();
            }
        });
        if (input != null)
        {
            final ByteBuf early = input; // frames the client sent right behind its upgrade request
            input = null;
            ctx.fireChannelRead(early);
        }
    }

    private static String acceptKey(final String key)
    {
        try
        {
            final MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
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

    /**
     * The shutdown grace period is over: a request this connection is still receiving, or still
     * waiting for, is answered {@code 503} now, so its client learns to retry elsewhere instead of
     * seeing the connection cut. On the event loop, before the server closes every connection.
     */
    void stopNow()
    {
        if (state == State.UPGRADED || state == State.CLOSING || state == State.SKIPPING_BODY
            || (!requestStarted && state == State.IDLE))
        {
            return;
        }
        if (state == State.IN_FLIGHT)
        {
            keepAlive = false; // a late answer must never meet the next request on this exchange
            exchange.responseHeaders().set(HttpHeaderNames.RETRY_AFTER, runtime.settings().retryAfterSeconds());
            exchange.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting_down",
                "the server stopped before this request's answer was ready; it may have been applied", null);
            return;
        }
        if (state == State.IDLE)
        {
            exchange.begin(null, RequestIds.next(), requestStartNanos); // head not complete yet
        }
        abortStream();
        exchange.responseHeaders().set(HttpHeaderNames.RETRY_AFTER, runtime.settings().retryAfterSeconds());
        fatal(HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting_down",
            "the server stopped before this request arrived in full; nothing was applied");
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
}
