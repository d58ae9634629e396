package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.ShardTask;
import dev.edgeplane.state.ShardWriter;
import dev.edgeplane.state.StoreSpec;
import io.netty.handler.codec.http.HttpResponseStatus;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * Routes that exercise the server plumbing from tests, mounted on the TelAPI listener under
 * {@code /test}. {@code POST /test/events} is a real journaled write: shard-owned off-heap state,
 * journal append, acknowledgement only once durable.
 */
public final class TestSurface implements Surface
{
    static final int SMALL_BODY_LIMIT = 1024;
    static final int UPLOAD_LIMIT = 8 << 20;
    static final java.util.concurrent.atomic.AtomicInteger UPLOADS_ABORTED = new java.util.concurrent.atomic.AtomicInteger();
    static final CountDownLatch RELEASE_SHARD = new CountDownLatch(1);

    private static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "test-later");
        t.setDaemon(true);
        return t;
    });

    /** Fixed-layout value: the journal sequence that recorded the event. */
    static final class EventMark implements BytesMarshallable
    {
        long seq;

        @Override
        public void readMarshallable(final BytesIn<?> bytes)
        {
            seq = bytes.readLong();
        }

        @Override
        public void writeMarshallable(final BytesOut<?> bytes)
        {
            bytes.writeLong(seq);
        }
    }

    static final StoreSpec<EventMark> EVENTS =
        new StoreSpec<>("test-events", EventMark.class, EventMark::new, 100_000, "evt-000000", new EventMark(), true);

    @Override
    public SurfaceKind kind()
    {
        return SurfaceKind.TELAPI;
    }

    @Override
    public void register(final Routes routes, final EdgeRuntime runtime)
    {
        final OffHeapStore<EventMark> events = runtime.openStore(EVENTS);
        AnswerRoutes.register(routes, runtime);
        routes
            .add("POST", "/test/echo", TestSurface::echo, SMALL_BODY_LIMIT)
            .get("/test/boom", ex ->
            {
                throw new IllegalStateException("deliberate failure");
            })
            .get("/test/slow", ex ->
            {
                final long ms = ex.query().optLong("ms", 200, 0, 60_000, new Problems());
                LATER.schedule(() -> ex.respondJson(HttpResponseStatus.OK, "{\"slow\":true}".getBytes(StandardCharsets.UTF_8)),
                    ms, TimeUnit.MILLISECONDS);
            })
            .get("/test/owned-shards", ex ->
            {
                // Which shards have this connection's loop as their home loop.
                final StringBuilder owned = new StringBuilder("[");
                for (int i = 0; i < runtime.shards().count(); i++)
                {
                    if (runtime.shards().get(i).loop().inEventLoop())
                    {
                        owned.append(owned.length() > 1 ? "," : "").append(i);
                    }
                }
                ex.respondJson(HttpResponseStatus.OK, owned.append(']').toString().getBytes(StandardCharsets.UTF_8));
            })
            .post("/test/block-shard/{index}", ex ->
            {
                // Holds the shard on its home loop (only ever another loop than this one), blocking that loop until
                // RELEASE_SHARD; answered once the shard is held, so what this connection offers it next is queued.
                final ShardWriter writer = runtime.shards().get(Integer.parseInt(ex.pathParam("index")));
                if (writer.loop().inEventLoop())
                {
                    ex.respondEmpty(HttpResponseStatus.CONFLICT);
                    return;
                }
                final ShardTask hold = () ->
                {
                    ex.respondEmpty(HttpResponseStatus.ACCEPTED);
                    try
                    {
                        RELEASE_SHARD.await(30, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException e)
                    {
                        Thread.currentThread().interrupt();
                    }
                };
                writer.loop().execute(() ->
                {
                    if (!writer.offer(hold))
                    {
                        ex.respondEmpty(HttpResponseStatus.CONFLICT);
                    }
                });
            })
            .post("/test/fill-shard/{index}", ex ->
            {
                final ShardWriter writer = runtime.shards().get(Integer.parseInt(ex.pathParam("index")));
                int queued = 0;
                while (queued <= writer.queueCapacity() && writer.offer(() -> { }))
                {
                    queued++;
                }
                ex.respondJson(HttpResponseStatus.ACCEPTED, ("{\"queued\":" + queued + "}").getBytes(StandardCharsets.UTF_8));
            })
            .post("/test/shard/{index}", ex -> ex.offer(runtime.shards().get(Integer.parseInt(ex.pathParam("index"))),
                () -> ex.respondEmpty(HttpResponseStatus.NO_CONTENT)))
            .post("/test/shard-throws", ex -> ex.offer(runtime.shards().get(0), () ->
            {
                throw new IllegalStateException("deliberate shard failure");
            }))
            .post("/test/shard-silent", ex -> ex.offer(runtime.shards().get(0), () -> { })) // never answers
            .post("/test/events", ex -> recordEvent(ex, runtime, events))
            .stream("PUT", "/test/upload/{name}", ex ->
            {
                if ("refuse".equals(ex.pathParam("name")))
                {
                    ex.respondError(HttpResponseStatus.FORBIDDEN, "forbidden", "refused before the body", null);
                    return null;
                }
                return new dev.edgeplane.server.BodySink()
                {
                    long bytes;
                    final java.util.zip.CRC32 crc = new java.util.zip.CRC32();

                    @Override
                    public void onData(final io.netty.buffer.ByteBuf data)
                    {
                        bytes += data.readableBytes();
                        crc.update(data.nioBuffer());
                    }

                    @Override
                    public void onEnd(final HttpExchange exchange)
                    {
                        exchange.respondJson(HttpResponseStatus.OK,
                            ("{\"bytes\":" + bytes + ",\"crc\":" + crc.getValue() + "}").getBytes(StandardCharsets.UTF_8));
                    }

                    @Override
                    public void onAbort()
                    {
                        UPLOADS_ABORTED.incrementAndGet();
                    }
                };
            }, UPLOAD_LIMIT)
            .get("/test/events/{id}", ex ->
            {
                final EventMark mark = events.get(ex.pathParam("id"), new EventMark());
                if (mark == null)
                {
                    ex.respondError(HttpResponseStatus.NOT_FOUND, "not_found", "no such event", null);
                }
                else
                {
                    ex.respondJson(HttpResponseStatus.OK, ("{\"seq\":" + mark.seq + "}").getBytes(StandardCharsets.UTF_8));
                }
            });
    }

    private static void echo(final HttpExchange ex)
    {
        final Fields fields = ex.decodeBody();
        if (fields == null)
        {
            return;
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        for (final String name : fields.names())
        {
            out.put(name, fields.raw(name));
        }
        ex.respondJson(HttpResponseStatus.OK, Json.write(out));
    }

    private static void recordEvent(final HttpExchange ex, final EdgeRuntime runtime, final OffHeapStore<EventMark> events)
    {
        final Fields fields = ex.decodeBody();
        if (fields == null)
        {
            return;
        }
        final Problems problems = new Problems();
        final String id = fields.requireString("id", problems);
        if (!problems.isEmpty())
        {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, "invalid_request", "invalid fields", problems);
            return;
        }
        final ShardWriter writer = runtime.shards().forKey(id);
        ex.offer(writer, () ->
        {
            final byte[] payload = ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
            final long seq = runtime.journal().append("test.event", payload);
            final EventMark mark = new EventMark();
            mark.seq = seq;
            events.put(id, mark);
            runtime.journal().whenDurable(seq,
                () -> ex.respondJson(HttpResponseStatus.OK, ("{\"id\":\"" + id + "\",\"seq\":" + seq + "}")
                    .getBytes(StandardCharsets.UTF_8)));
        });
    }
}
