package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Routes for {@link AnswerTest}, mounted by {@link TestSurface}: handlers that return {@link Answer}s and
 * hand work to a shard as {@link ShardCommand}s with a {@link RequestSlot} request object.
 */
final class AnswerRoutes
{
    private static final RequestSlot<Named> NAMED = RequestSlot.of(Named::new);

    /** The request object: reused per connection. */
    static final class Named
    {
        String name;
        String note;
        long seq;
    }

    private AnswerRoutes()
    {
    }

    static void register(final Routes routes, final EdgeRuntime runtime)
    {
        // Journals, then answers with a body written at write time that reports how far the journal
        // was durable at that moment, and which request object carried the request.
        final ShardCommand<Named> journaled = (shard, ex, r) ->
        {
            r.seq = runtime.journal().append("test.event", ("{\"name\":\"" + r.name + "\"}").getBytes(StandardCharsets.UTF_8));
            final long seq = r.seq;
            final String name = r.name;
            final String note = r.note;
            final int object = System.identityHashCode(r);
            return Answer.body(HttpResponseStatus.OK, HttpExchange.APPLICATION_JSON, out -> out.writeCharSequence(
                    "{\"name\":\"" + name + "\",\"note\":" + (note == null ? "null" : "\"" + note + "\"") + ",\"seq\":" + seq
                        + ",\"durable_at_write\":" + runtime.journal().durableSeq() + ",\"object\":" + object + "}",
                    StandardCharsets.UTF_8))
                .header("X-Answer", "journaled")
                .after(seq);
        };
        final ShardCommand<Named> failing = (shard, ex, r) ->
        {
            throw new IllegalStateException("deliberate command failure");
        };
        routes
            .post("/test/answer/journaled", AnswerHandler.http(ex -> offer(ex, runtime, journaled)))
            .post("/test/answer/throws", AnswerHandler.http(ex -> offer(ex, runtime, failing)))
            .post("/test/answer/twice", AnswerHandler.http(ex ->
            {
                ex.send(Answer.error(HttpResponseStatus.CONFLICT, "first", "the first answer wins"));
                return Answer.ok(java.util.Map.of("second", true));
            }));
    }

    /** Decodes and validates on the loop; every refusal is a returned value. */
    private static Answer offer(final HttpExchange ex, final EdgeRuntime runtime, final ShardCommand<Named> command)
    {
        final Fields f = ex.fields();
        if (f == null)
        {
            return ex.bodyFailure();
        }
        final Problems p = new Problems();
        final String name = RequestFields.text(f, "name", true, 64, p);
        final String note = RequestFields.text(f, "note", false, p);
        if (!p.isEmpty())
        {
            return Answer.invalid(p);
        }
        final Named r = ex.request(NAMED);
        r.name = name;
        r.note = note;
        r.seq = 0;
        ex.offer(runtime.shards().forKey(name), command, r);
        return null;
    }
}
