package dev.edgeplane.server;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

import dev.edgeplane.codec.BodyDecoder;
import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.ErrorBody;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.QueryParams;
import dev.edgeplane.codec.RouteMatch;
import dev.edgeplane.persistence.JournalUnavailableException;
import dev.edgeplane.state.ShardTask;
import dev.edgeplane.state.ShardWriter;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its answer. There is one exchange per connection, reused for each request on it
 * (a connection has at most one request in flight; pipelined requests wait their turn), so a request
 * costs no exchange allocation.
 *
 * <p>Threading: request accessors are for the handler on the event loop, or for a shard task the
 * handler handed the exchange to (the hand-off publishes the fields). The {@code respond*} methods are
 * safe from any thread: off the event loop they park the answer in this object and schedule this
 * exchange on the event loop, without allocating a task. Exactly one answer per request is sent;
 * later calls are ignored.
 */
public final class HttpExchange implements Runnable, ShardTask
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpExchange.class);
    public static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    public static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
    private static final byte[] EMPTY = new byte[0];
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    /** Largest body buffer a connection keeps between requests. */
    private static final int RETAINED_BODY_BYTES = 64 * 1024;

    private final HttpConnection connection;
    private final EdgeRuntime runtime;
    final RouteMatch<Route> match = new RouteMatch<>();
    private final HttpHeaders responseHeaders = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();

    /** The current request's head; null when the head never completed (a timeout, a malformed head). */
    RequestHead request;
    Route route;
    String requestId;
    long startNanos;
    byte[] body = new byte[512];
    int bodyLength;
    private Fields query;
    private volatile boolean responded;
    /** The shard command handed over by {@link #offer}; this exchange is what the shard runs. */
    private ShardTask shardTask;
    /** The request is a HEAD: answered like the GET, without the body. */
    boolean head;
    /** When the current request was handed to a shard (0: it was not); see the connection's deadline. */
    long shardOfferNanos;

    /** A shard command handed over with its request object (the non-capturing shape). */
    private ShardCommand<Object> command;
    private Object commandRequest;
    private ShardWriter commandShard;
    /** Per-route request objects reused for every request on this connection; see {@link RequestSlot}. */
    private Object[] requestObjects = new Object[16];
    /** The body decoded once: fields, or why not ({@link #bodyFailure}). */
    private boolean bodyDecoded;
    private Fields fields;
    private Answer bodyFailure;
    /** The answer {@link #sendJson} and {@link #sendEmpty} fill (no allocation on the hot path). */
    private final Answer own = new Answer();
    /** An answer sent but not yet written: waiting for the journal, or for the hop to the event loop. */
    private volatile Answer pendingAnswer;
    /** Where a {@link Answer.BodyWriter} encodes (grown as needed, kept per connection). */
    private io.netty.buffer.ByteBuf scratch;

    // An answer produced off the event loop, written by run().
    private HttpResponseStatus pendingStatus;
    private AsciiString pendingContentType;
    private byte[] pendingBody;

    HttpExchange(final HttpConnection connection, final EdgeRuntime runtime)
    {
        this.connection = connection;
        this.runtime = runtime;
    }

    void begin(final RequestHead request, final String requestId, final long startNanos)
    {
        this.request = request;
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.route = null;
        this.bodyLength = 0;
        if (body.length > RETAINED_BODY_BYTES)
        {
            body = new byte[512]; // one large upload must not pin a large array to an idle connection
        }
        this.query = null;
        this.responseHeaders.clear();
        this.responded = false;
        this.shardOfferNanos = 0;
        this.head = false;
        this.pendingAnswer = null;
        this.bodyDecoded = false;
        this.fields = null;
        this.bodyFailure = null;
        this.own.clear();
    }

    void appendBody(final io.netty.buffer.ByteBuf content, final int index, final int n)
    {
        if (bodyLength + n > body.length)
        {
            body = java.util.Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + n));
        }
        content.getBytes(index, body, bodyLength, n);
        bodyLength += n;
    }

    /** @return the shared server runtime (state, journal, settings). */
    public EdgeRuntime runtime()
    {
        return runtime;
    }

    /** @return the request id echoed in {@code X-Request-Id} and every error body. */
    public String requestId()
    {
        return requestId;
    }

    public String method()
    {
        return request.method();
    }

    /** @return the request-target as received, query included. */
    public String uri()
    {
        return request.uri();
    }

    /** @return every request header as Netty headers, built on first use; prefer {@link #header}. */
    public HttpHeaders requestHeaders()
    {
        return request.headers();
    }

    /** @return a request header's value, or null. */
    public String header(final CharSequence name)
    {
        return request == null ? null : request.header(name);
    }

    /** @return a percent-decoded path parameter of the route pattern, or null. */
    public String pathParam(final String name)
    {
        return match.param(name);
    }

    /** @return the decoded query string (empty when there is none). */
    public Fields query()
    {
        if (query == null)
        {
            try
            {
                query = QueryParams.parse(match.rawQuery());
            }
            catch (final DecodeException e)
            {
                query = Fields.empty();
            }
        }
        return query;
    }

    /** @return the body bytes; valid up to {@link #bodyLength()}, do not keep a reference. */
    public byte[] body()
    {
        return body;
    }

    public int bodyLength()
    {
        return bodyLength;
    }

    /** @return the body as UTF-8 text (low-volume routes only). */
    public String bodyText()
    {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    /**
     * @return the client: the connection's peer (or the address its PROXY header named); when that peer
     *         is a trusted proxy ({@code EDGEPLANE_TRUSTED_PROXIES}) and the request carries
     *         {@code X-Forwarded-For}, the nearest address in it that is not a trusted proxy.
     */
    public SocketAddress remoteAddress()
    {
        final SocketAddress peer = connection.remoteAddress();
        final CidrAllowList trusted = runtime.settings().trustedProxies();
        if (trusted.isEmpty() || !trusted.contains(peer))
        {
            return peer;
        }
        final String forwarded = header(X_FORWARDED_FOR);
        return forwarded == null ? peer : ForwardedFor.client(forwarded, trusted, peer);
    }

    /**
     * Decodes a JSON or form body. On bad input the 400/415 error has already been sent and the
     * result is null: {@code Fields f = ex.decodeBody(); if (f == null) return;}. Handlers that return
     * an {@link Answer} use {@link #fields()} and {@link #bodyFailure()} instead.
     */
    public Fields decodeBody()
    {
        final Fields f = fields();
        if (f == null)
        {
            send(bodyFailure);
        }
        return f;
    }

    /**
     * Decodes a JSON or form body (once per request).
     *
     * @return the fields, or null when the body cannot be decoded: {@link #bodyFailure()} says why.
     */
    public Fields fields()
    {
        if (!bodyDecoded)
        {
            bodyDecoded = true;
            try
            {
                fields = BodyDecoder.decode(request.headers().get(HttpHeaderNames.CONTENT_TYPE), body, 0, bodyLength);
            }
            catch (final DecodeException e)
            {
                final HttpResponseStatus status = DecodeException.UNSUPPORTED_MEDIA_TYPE.equals(e.code())
                    ? HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE
                    : HttpResponseStatus.BAD_REQUEST;
                bodyFailure = Answer.error(status, e.code(), e.getMessage());
            }
        }
        return fields;
    }

    /** @return the 400/415 answer for a body {@link #fields()} could not decode, or null. */
    public Answer bodyFailure()
    {
        fields();
        return bodyFailure;
    }

    /** @return this connection's instance of a route's request object (see {@link RequestSlot}). */
    @SuppressWarnings("unchecked")
    public <R> R request(final RequestSlot<R> slot)
    {
        if (slot.index >= requestObjects.length)
        {
            requestObjects = java.util.Arrays.copyOf(requestObjects, Math.max(slot.index + 1, requestObjects.length * 2));
        }
        Object r = requestObjects[slot.index];
        if (r == null)
        {
            r = slot.factory.get();
            requestObjects[slot.index] = r;
        }
        return (R)r;
    }

    /** @return headers added to this request's answer (set them before responding). */
    public HttpHeaders responseHeaders()
    {
        return responseHeaders;
    }

    /** @return true once an answer has been produced for the current request. */
    public boolean responded()
    {
        return responded;
    }

    /**
     * Hands a task to a shard writer: it runs at once on this connection's loop when the shard is free,
     * else once the loop holding it (or the shard's home loop) takes it from its queue. When the shard's queue is full this answers {@code 503} with
     * {@code Retry-After} and returns false. If the task throws, the request is answered {@code 500};
     * if it is not answered within the request timeout, {@code 503} (and the connection closes).
     */
    public boolean offer(final ShardWriter writer, final ShardTask task)
    {
        shardTask = task;
        if (shardOfferNanos == 0)
        {
            shardOfferNanos = System.nanoTime();
        }
        if (writer.offer(this))
        {
            return true;
        }
        shardTask = null;
        return overloaded();
    }

    /**
     * Hands a command and its request object to a shard writer (the non-capturing shape; see
     * {@link ShardCommand}): the answer the command returns is sent once its journal position is durable.
     * Otherwise as {@link #offer(ShardWriter, ShardTask)}.
     */
    @SuppressWarnings("unchecked")
    public <R> boolean offer(final ShardWriter writer, final ShardCommand<R> command, final R request)
    {
        this.command = (ShardCommand<Object>)command;
        this.commandRequest = request;
        this.commandShard = writer;
        if (shardOfferNanos == 0)
        {
            shardOfferNanos = System.nanoTime();
        }
        if (writer.offer(this))
        {
            return true;
        }
        this.command = null;
        this.commandRequest = null;
        this.commandShard = null;
        return overloaded();
    }

    /** Runs the handed-over command on the shard; a failure becomes the request's {@code 500}. */
    @Override
    public void execute()
    {
        final ShardTask task = shardTask;
        final ShardCommand<Object> cmd = command;
        shardTask = null;
        command = null;
        if (task == null && cmd == null)
        {
            return; // nothing handed over: the command already ran from an earlier hand-off of this exchange
        }
        if (refusedForJournal())
        {
            return; // asked again here: the journal may have filled while the command waited in the shard's queue
        }
        try
        {
            if (cmd != null)
            {
                final Object req = commandRequest;
                final ShardWriter shard = commandShard;
                commandRequest = null;
                commandShard = null;
                final Answer answer = cmd.execute(shard, this, req);
                if (answer != null)
                {
                    send(answer);
                }
            }
            else
            {
                task.execute();
            }
        }
        catch (final JournalUnavailableException e)
        {
            journalUnavailable(e);
        }
        catch (final Throwable t)
        {
            LOG.error("shard command for {} failed (request {})", route == null ? "?" : route.method() + " " + route.pattern(),
                requestId, t);
            respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", "the server failed to handle this request", null);
        }
    }

    /**
     * Runs blocking work (administrative JDBC) on the bounded blocking pool. When the pool is full
     * this answers {@code 503} with {@code Retry-After} and returns false.
     */
    public boolean offerBlocking(final Runnable task)
    {
        return runtime.blocking().offer(task) || overloaded();
    }

    /** Answers 503 with {@code Retry-After}; returns false so callers can {@code return offer(...) || overloaded()}. */
    private boolean overloaded()
    {
        responseHeaders.set(HttpHeaderNames.RETRY_AFTER, runtime.settings().retryAfterSeconds());
        respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded",
            "the server is busy; retry after the indicated delay", null);
        return false;
    }

    /**
     * Before a write on a journaled surface changes anything: if the journal cannot take writes (its filesystem is
     * full), answers {@code 503 journal_unavailable} with {@code Retry-After} and returns true.
     */
    boolean refusedForJournal()
    {
        return connection.journaled() && writes() && !runtime.journal().acceptingWrites() && journalUnavailable(null);
    }

    /** @return whether the request asks to change something (any method but GET, HEAD and OPTIONS). */
    private boolean writes()
    {
        final String method = request.method();
        return !"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method);
    }

    /**
     * Answers {@code 503 journal_unavailable} with {@code Retry-After}: the write cannot be journaled. {@code refused}
     * is the append that found no room (a write admitted just before the journal filled), or null when the check
     * came first and nothing was applied.
     */
    boolean journalUnavailable(final JournalUnavailableException refused)
    {
        if (refused != null)
        {
            LOG.warn("journal refused the write of {} (request {}): {}", route == null ? "?" : route.method() + " " +
                route.pattern(), requestId, refused.getMessage());
        }
        responseHeaders.set(HttpHeaderNames.RETRY_AFTER, runtime.settings().retryAfterSeconds());
        respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "journal_unavailable", refused == null
            ? "the server cannot record writes right now (journal disk full); nothing was changed, retry after the delay"
            : "the server could not record this write (journal disk full); retry after the delay", null);
        return true;
    }

    public void respondJson(final HttpResponseStatus status, final byte[] json)
    {
        respond(status, APPLICATION_JSON, json);
    }

    public void respondEmpty(final HttpResponseStatus status)
    {
        respond(status, null, EMPTY);
    }

    /** Sends the one error body: {@code {"error":{"code","message","request_id","details"}}}. */
    public void respondError(final HttpResponseStatus status, final String code, final String message, final Object details)
    {
        respond(status, APPLICATION_JSON, ErrorBody.encode(code, message, requestId, details));
    }

    /**
     * Answers by switching this connection to WebSocket (the route must be a GET); on the event loop
     * only (call it from the handler). A request that is not a valid upgrade gets 400.
     */
    public void upgradeToWebSocket(final WebSocketListener listener)
    {
        if (!responded)
        {
            connection.upgrade(this, listener);
        }
    }

    /** The connection switched protocols: this request has its answer (the 101). */
    void upgraded()
    {
        responded = true;
    }

    /**
     * Sends an answer once its journal position ({@link Answer#after}) is durable, from the connection's
     * event loop. Safe from any thread; the first answer per request wins. The request stays unanswered
     * (and under the request deadline) until the answer is written.
     */
    public void send(final Answer answer)
    {
        if (responded || pendingAnswer != null)
        {
            return;
        }
        pendingAnswer = answer;
        if (answer.seq > 0)
        {
            runtime.journal().whenDurable(answer.seq, this); // now, or from the journal's sync thread
        }
        else
        {
            run();
        }
    }

    /**
     * @return this request's own answer set to JSON sent once {@code afterSeq} is durable: no allocation
     *         (hot path). Valid for the current request only; return it or {@link #send} it.
     */
    public Answer json(final HttpResponseStatus status, final byte[] json, final long afterSeq)
    {
        if (responded || pendingAnswer != null)
        {
            return own; // already answered: sending it again is ignored
        }
        own.clear();
        own.status = status;
        own.contentType = APPLICATION_JSON;
        own.bytes = json;
        own.seq = afterSeq;
        return own;
    }

    /** @return this request's own answer set to no body ({@code 204}) once {@code afterSeq} is durable; see {@link #json}. */
    public Answer empty(final HttpResponseStatus status, final long afterSeq)
    {
        if (responded || pendingAnswer != null)
        {
            return own;
        }
        own.clear();
        own.status = status;
        own.bytes = EMPTY;
        own.seq = afterSeq;
        return own;
    }

    /** Writes a sent answer; on the event loop. A body that fails to encode becomes {@code 500}. */
    private void write(final Answer answer)
    {
        if (responded)
        {
            return; // answered meanwhile (the request deadline)
        }
        byte[] content;
        try
        {
            if (answer.writer != null && scratch == null)
            {
                scratch = io.netty.buffer.Unpooled.buffer(512);
            }
            content = answer.encode(requestId, scratch);
        }
        catch (final RuntimeException e)
        {
            LOG.error("answer {} for request {} failed to encode", answer, requestId, e);
            respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", "the server failed to handle this request", null);
            return;
        }
        finally
        {
            if (scratch != null && scratch.capacity() > RETAINED_BODY_BYTES)
            {
                scratch = null; // one large body must not pin a large buffer to an idle connection
            }
        }
        final java.util.List<CharSequence> headers = answer.headers;
        if (headers != null)
        {
            for (int i = 0; i < headers.size(); i += 2)
            {
                responseHeaders.set(headers.get(i), headers.get(i + 1));
            }
        }
        responded = true;
        connection.writeResponse(this, answer.status, answer.contentType, content);
    }

    /** Sends the answer; safe from any thread, the first call per request wins. */
    public void respond(final HttpResponseStatus status, final AsciiString contentType, final byte[] content)
    {
        if (responded)
        {
            return;
        }
        responded = true;
        if (connection.inEventLoop())
        {
            connection.writeResponse(this, status, contentType, content);
        }
        else
        {
            pendingStatus = status;
            pendingContentType = contentType;
            pendingBody = content;
            connection.execute(this);
        }
    }

    /**
     * Writes an answer parked by another thread or by the durability wait; hops to the event loop first
     * when called elsewhere (the journal's sync thread, a shard on another loop).
     */
    @Override
    public void run()
    {
        if (!connection.inEventLoop())
        {
            connection.execute(this);
            return;
        }
        final HttpResponseStatus status = pendingStatus;
        if (status != null)
        {
            // respond() from another thread: it already claimed the request's one answer.
            final AsciiString type = pendingContentType;
            final byte[] content = pendingBody;
            pendingStatus = null;
            pendingContentType = null;
            pendingBody = null;
            connection.writeResponse(this, status, type, content);
        }
        final Answer answer = pendingAnswer;
        if (answer != null)
        {
            pendingAnswer = null;
            write(answer); // ignored when the request was answered meanwhile
        }
    }
}
