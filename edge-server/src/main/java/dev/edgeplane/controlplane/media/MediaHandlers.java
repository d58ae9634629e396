package dev.edgeplane.controlplane.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

import dev.edgeplane.codec.Json;
import dev.edgeplane.controlplane.CallTrace;
import dev.edgeplane.server.AccessGate;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.BodySink;
import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.HttpHandler;
import dev.edgeplane.server.StreamingHandler;
import dev.edgeplane.telapi.TelapiSettings;
import dev.edgeplane.telapi.TtsMediaCache;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /media/{key}} and {@code PUT /media/{key}} (seed 001, "Media &amp; TTS"), both open to
 * media-node addresses only ({@code MEDIA_NODE_CIDRS}, else 403), and the {@code POST
 * /admin/tts/generate} handler (the route adds the admin-token gate). A key may span several path
 * segments ({@code /media/prompts/en/female/menu.wav}), so the routes are mounted as {@code /media/*}.
 *
 * <p>GET answers 200 with the object, its content type by extension, {@code ETag},
 * {@code Last-Modified} and {@code Accept-Ranges: bytes}; one {@code Range} gives 206 with
 * {@code Content-Range} (honouring {@code If-Range}), an unsatisfiable one 416 with
 * {@code Content-Range: bytes *&#47;size}, several ranges the whole object with 200 (see
 * {@link ByteRange}). Answers are built in memory on the blocking pool, at most
 * {@link MediaSettings#maxResponseBytes()} per answer: a longer range is shortened (its
 * {@code Content-Range} says so), a plain GET of a larger object gets {@code 501 range_required}.
 *
 * <p>PUT streams the body into a {@link MediaStore.Upload} (no buffering), up to
 * {@link MediaSettings#maxUploadBytes()} (a larger declared length is refused with 413 before
 * anything is read), commits atomically on the blocking pool, and answers 201 (new) or 200
 * (replaced) with {@code {key, size, sha256}}. The request's {@code Content-Type} is ignored: the key's
 * extension decides what GET will say. A body that never completes leaves nothing behind.
 *
 * <p>Threading: handlers run on the event loop; upload chunks are written there (page cache only);
 * reads, commits (fsync) and synthesis run on the blocking pool. One instance per runtime, see
 * {@link #of}. It holds no reference to the runtime, so a closed server's instance can be collected.
 */
public final class MediaHandlers
{
    private static final Logger LOG = LoggerFactory.getLogger(MediaHandlers.class);
    private static final Map<EdgeRuntime, MediaHandlers> BY_RUNTIME = new WeakHashMap<>(); // guarded by itself
    private static final DateTimeFormatter HTTP_DATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final AsciiString BYTES = AsciiString.cached("bytes");

    private final AccessGate gate;
    private final MediaSettings settings;
    private final LocalMediaStore store;
    private final TtsHandler tts;

    private MediaHandlers(final EdgeRuntime runtime)
    {
        this.gate = runtime.gate();
        this.settings = MediaSettings.from(runtime.settings());
        try
        {
            this.store = new LocalMediaStore(runtime.settings().dataDir().resolve("media"));
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot open the media store under " + runtime.settings().dataDir(), e);
        }
        this.tts = new TtsHandler(settings, new PromptSynthesizer(PromptCatalog.load(), store, mediaCache(runtime)),
            new CallTrace(runtime.journal()));
    }

    /**
     * The TTS media cache (seed 000) as a publisher of generated prompts, when
     * {@code TTS_MEDIA_CACHE_BASE_URL} is set; its client is the TelAPI gateway's (same trust, same token).
     */
    private static MediaPublisher mediaCache(final EdgeRuntime runtime)
    {
        final TtsMediaCache cache = TtsMediaCache.from(TelapiSettings.from(runtime.settings().environment()));
        if (cache == null)
        {
            return null;
        }
        runtime.closeOnShutdown(cache);
        return (key, wav) ->
        {
            final TtsMediaCache.Result r = cache.put(key, wav, "audio/wav");
            return r.ok() ? null : r.error();
        };
    }

    /**
     * The media handlers of one runtime, made on first use: the three media routes are registered by
     * separate calls and must share one store (opening a {@link LocalMediaStore} sweeps unfinished
     * uploads, which is right only once per process start). Start-up only.
     */
    public static MediaHandlers of(final EdgeRuntime runtime)
    {
        synchronized (BY_RUNTIME)
        {
            MediaHandlers handlers = BY_RUNTIME.get(runtime);
            if (handlers == null)
            {
                handlers = new MediaHandlers(runtime);
                BY_RUNTIME.put(runtime, handlers);
                runtime.closeOnShutdown(() -> forget(runtime));
            }
            return handlers;
        }
    }

    private static void forget(final EdgeRuntime runtime)
    {
        synchronized (BY_RUNTIME)
        {
            BY_RUNTIME.remove(runtime);
        }
    }

    /** @return the {@code GET /media/*} handler. */
    public HttpHandler download()
    {
        return this::get;
    }

    /** @return the {@code PUT /media/*} streaming handler. */
    public StreamingHandler upload()
    {
        return this::openUpload;
    }

    /** @return the body limit for {@code PUT /media/*} ({@code EDGEPLANE_MEDIA_MAX_BYTES}). */
    public long maxUploadBytes()
    {
        return settings.maxUploadBytes();
    }

    /** @return the {@code POST /admin/tts/generate} handler (without the admin gate: the route adds it). */
    public HttpHandler ttsGenerate()
    {
        return tts::generate;
    }

    /** @return the store the handlers use. */
    public MediaStore store()
    {
        return store;
    }

    private void get(final HttpExchange ex)
    {
        if (!mediaNode(ex))
        {
            return;
        }
        final String key = key(ex);
        if (key == null)
        {
            return;
        }
        final String range = ex.header(HttpHeaderNames.RANGE);
        final String ifRange = ex.header(HttpHeaderNames.IF_RANGE);
        ex.offerBlocking(() -> serve(ex, key, range, ifRange));
    }

    /** Runs on the blocking pool. */
    private void serve(final HttpExchange ex, final String key, final String range, final String ifRange)
    {
        try (MediaStore.StoredObject object = store.open(key))
        {
            if (object == null)
            {
                ex.send(Answer.error(HttpResponseStatus.NOT_FOUND, "not_found", "no media object " + key));
                return;
            }
            final long size = object.size();
            ex.responseHeaders()
                .set(HttpHeaderNames.ETAG, object.etag())
                .set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(Instant.ofEpochMilli(object.lastModifiedMillis())))
                .set(HttpHeaderNames.ACCEPT_RANGES, BYTES);
            final ByteRange r = ByteRange.parse(ifRangeHolds(ifRange, object) ? range : null, size);
            switch (r.kind())
            {
                case UNSATISFIABLE:
                    ex.responseHeaders().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
                    ex.send(Answer.error(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "range_not_satisfiable",
                        "the range " + range + " does not overlap the object's " + size + " bytes"));
                    return;
                case PARTIAL:
                {
                    final ByteRange sent = r.limit(settings.maxResponseBytes());
                    ex.responseHeaders().set(HttpHeaderNames.CONTENT_RANGE,
                        "bytes " + sent.first() + "-" + sent.last() + "/" + size);
                    ex.respond(HttpResponseStatus.PARTIAL_CONTENT, object.contentType(),
                        object.read(sent.first(), (int)sent.length()));
                    return;
                }
                default:
                    if (size > settings.maxResponseBytes())
                    {
                        ex.send(Answer.error(HttpResponseStatus.NOT_IMPLEMENTED, "range_required",
                            "the object is " + size + " bytes and one answer carries at most " + settings.maxResponseBytes()
                                + " (" + MediaSettings.MEDIA_MAX_RESPONSE_BYTES + "); fetch it in parts with Range: bytes=first-last"));
                        return;
                    }
                    ex.respond(HttpResponseStatus.OK, object.contentType(), object.read(0, (int)size));
            }
        }
        catch (final IOException e)
        {
            LOG.warn("reading media object {} failed: {}", key, e.toString());
            ex.responseHeaders().clear();
            ex.send(Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "storage_error", "the media object could not be read"));
        }
    }

    /** RFC 9110 §13.1.5: the Range applies only if the validator matches this version (strong comparison). */
    private static boolean ifRangeHolds(final String ifRange, final MediaStore.StoredObject object)
    {
        if (ifRange == null)
        {
            return true;
        }
        final String v = ifRange.trim();
        if (v.startsWith("\""))
        {
            return v.equals(object.etag());
        }
        if (v.startsWith("W/"))
        {
            return false;
        }
        try
        {
            final long seconds = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            return seconds == object.lastModifiedMillis() / 1000;
        }
        catch (final DateTimeParseException e)
        {
            return false;
        }
    }

    private BodySink openUpload(final HttpExchange ex)
    {
        if (!mediaNode(ex))
        {
            return null;
        }
        final String key = key(ex);
        if (key == null)
        {
            return null;
        }
        final MediaStore.Upload upload;
        try
        {
            upload = store.begin(key);
        }
        catch (final IOException e)
        {
            LOG.warn("starting media upload {} failed: {}", key, e.toString());
            ex.send(Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "storage_error", "the media store could not start the upload"));
            return null;
        }
        if (upload == null)
        {
            ex.send(Answer.error(HttpResponseStatus.CONFLICT, "key_conflict",
                "the key " + key + " collides with stored objects (a prefix of it is an object, or objects live under it)"));
            return null;
        }
        return new UploadSink(key, upload);
    }

    /** Answers 403 unless the peer is a media node. */
    private boolean mediaNode(final HttpExchange ex)
    {
        if (gate.fromMediaNode(ex))
        {
            return true;
        }
        final String peer = ex.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "?";
        ex.send(Answer.error(HttpResponseStatus.FORBIDDEN, "forbidden",
            "media routes are restricted to media nodes (MEDIA_NODE_CIDRS) (peer " + peer + ")"));
        return false;
    }

    /** @return the validated key of the request, or null after answering 400. */
    private static String key(final HttpExchange ex)
    {
        final String key = MediaKey.fromRequestTarget(ex.uri());
        final String problem = key == null ? "the key has a malformed percent-escape" : MediaKey.problem(key);
        if (problem != null)
        {
            ex.send(Answer.error(HttpResponseStatus.BAD_REQUEST, "invalid_key", problem));
            return null;
        }
        return key;
    }

    /**
     * Writes one upload's body chunks into the store as they arrive.
     *
     * <p>Threading: {@code onData}/{@code onEnd}/{@code onAbort} on the event loop; the commit on the
     * blocking pool, which the executor hand-off publishes the upload to.
     */
    private static final class UploadSink implements BodySink
    {
        private final String key;
        private final MediaStore.Upload upload;

        UploadSink(final String key, final MediaStore.Upload upload)
        {
            this.key = key;
            this.upload = upload;
        }

        @Override
        public void onData(final ByteBuf data) throws IOException
        {
            if (data.nioBufferCount() == 1)
            {
                upload.write(data.nioBuffer());
                return;
            }
            for (final ByteBuffer b : data.nioBuffers())
            {
                upload.write(b);
            }
        }

        @Override
        public void onEnd(final HttpExchange ex)
        {
            if (!ex.offerBlocking(() -> commit(ex)))
            {
                upload.abort(); // pool full: 503 already answered
            }
        }

        /** Runs on the blocking pool. */
        private void commit(final HttpExchange ex)
        {
            final MediaStore.PutResult result;
            try
            {
                result = upload.commit();
            }
            catch (final IOException | RuntimeException e)
            {
                upload.abort();
                LOG.warn("media upload {} could not be stored: {}", key, e.toString());
                ex.send(Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "storage_error", "the media object could not be stored"));
                return;
            }
            if (result.etag() != null)
            {
                ex.responseHeaders().set(HttpHeaderNames.ETAG, result.etag());
            }
            if (!result.replaced())
            {
                ex.responseHeaders().set(HttpHeaderNames.LOCATION, MediaKey.ROUTE_PREFIX + key);
            }
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", result.key());
            body.put("size", result.size());
            body.put("sha256", result.sha256());
            ex.send(Answer.json(result.replaced() ? HttpResponseStatus.OK : HttpResponseStatus.CREATED, Json.write(body)));
        }

        @Override
        public void onAbort()
        {
            upload.abort();
        }
    }
}
