package dev.edgeplane.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.ErrorBody;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * An answer as a value (STYLE.md, "Errors are data"): a status; a body (pre-encoded bytes, a JSON tree,
 * a {@link BodyWriter}, or the one error body {@code code, message, details}); extra headers; and the
 * journal position that must be durable before the answer may be sent ({@link #after}, 0 when nothing
 * was journaled). Handlers and shard commands return answers; {@link HttpExchange#send} owns the rest:
 * the durability wait, the hop to the connection's event loop, the encoding and the write.
 *
 * <p>Not thread-safe while being built; once handed to {@link HttpExchange#send} it must not be changed
 * (a JSON tree or body writer is encoded later, on the connection's event loop).
 */
public class Answer
{
    /**
     * Encodes a body into the buffer the answer is written from. Runs on the connection's event loop,
     * after the durability wait, so it must only read values that no longer change.
     */
    @FunctionalInterface
    public interface BodyWriter
    {
        void writeTo(ByteBuf out);
    }

    private static final byte[] EMPTY = new byte[0];

    HttpResponseStatus status;
    AsciiString contentType;
    byte[] bytes;
    Object tree;
    BodyWriter writer;
    String code;
    String message;
    Object details;
    /** Extra headers as name, value pairs (null when none). */
    List<CharSequence> headers;
    long seq;

    protected Answer()
    {
    }

    protected Answer(final HttpResponseStatus status, final Object tree, final String code, final String message,
        final Object details)
    {
        set(status, tree, code, message, details);
    }

    /** @param body UTF-8 JSON, not copied (do not change it afterwards). */
    public static Answer json(final HttpResponseStatus status, final byte[] body)
    {
        final Answer a = new Answer();
        a.status = status;
        a.contentType = HttpExchange.APPLICATION_JSON;
        a.bytes = body;
        return a;
    }

    /** @param tree a JSON tree for {@link Json#write}, encoded when the answer is written. */
    public static Answer json(final HttpResponseStatus status, final Object tree)
    {
        return new Answer(status, tree, null, null, null);
    }

    /** @return 200 with a JSON tree. */
    public static Answer ok(final Object tree)
    {
        return json(HttpResponseStatus.OK, tree);
    }

    /** @return an answer whose body is encoded by {@code writer} when it is written. */
    public static Answer body(final HttpResponseStatus status, final AsciiString contentType, final BodyWriter writer)
    {
        final Answer a = new Answer();
        a.status = status;
        a.contentType = contentType;
        a.writer = writer;
        return a;
    }

    /** @return an answer without a body ({@code 204}, for instance). */
    public static Answer empty(final HttpResponseStatus status)
    {
        final Answer a = new Answer();
        a.status = status;
        a.bytes = EMPTY;
        return a;
    }

    /** @return the one error body: {@code {"error":{"code","message","request_id","details":{}}}}. */
    public static Answer error(final HttpResponseStatus status, final String code, final String message)
    {
        return new Answer(status, null, code, message, null);
    }

    /** @param details null, a {@code Map}, {@code Fields} or {@link Problems}. */
    public static Answer error(final HttpResponseStatus status, final String code, final String message, final Object details)
    {
        return new Answer(status, null, code, message, details);
    }

    /** @return {@code 400 invalid_request} listing every problem in {@code details.problems}. */
    public static Answer invalid(final Problems problems)
    {
        return error(HttpResponseStatus.BAD_REQUEST, "invalid_request",
            problems.size() == 1 ? problems.path(0) + " " + problems.message(0) : "the request has " + problems.size() + " problems",
            problems);
    }

    /** @return {@code 404 not_found}. */
    public static Answer notFound(final String message)
    {
        return error(HttpResponseStatus.NOT_FOUND, "not_found", message);
    }

    /** @return details as a map of alternating keys and values: {@code details("from", "active", "to", "grace")}. */
    public static Map<String, Object> details(final Object... pairs)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            m.put((String)pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /** Adds a header to the answer (a later one with the same name replaces it). */
    public Answer header(final CharSequence name, final Object value)
    {
        if (headers == null)
        {
            headers = new ArrayList<>(4);
        }
        headers.add(name);
        headers.add(String.valueOf(value));
        return this;
    }

    /** The answer waits until journal entry {@code journalSeq} is durable (0: no wait); the latest position wins. */
    public Answer after(final long journalSeq)
    {
        this.seq = Math.max(this.seq, journalSeq);
        return this;
    }

    public HttpResponseStatus status()
    {
        return status;
    }

    public boolean isError()
    {
        return code != null;
    }

    /** @return the error code, or null. */
    public String code()
    {
        return code;
    }

    /** @return the error message, or null. */
    public String message()
    {
        return message;
    }

    /** @return the journal position this answer waits for (0: none). */
    public long seq()
    {
        return seq;
    }

    final void set(final HttpResponseStatus status, final Object tree, final String code, final String message,
        final Object details)
    {
        this.status = status;
        this.contentType = HttpExchange.APPLICATION_JSON;
        this.tree = tree;
        this.code = code;
        this.message = message;
        this.details = details;
    }

    /** Forgets everything (the exchange's own reusable answer, between requests). */
    final void clear()
    {
        status = null;
        contentType = null;
        bytes = null;
        tree = null;
        writer = null;
        code = null;
        message = null;
        details = null;
        headers = null;
        seq = 0;
    }

    /** @return the body bytes; on the event loop, with the exchange's scratch buffer for a body writer. */
    final byte[] encode(final String requestId, final ByteBuf scratch)
    {
        if (code != null)
        {
            return ErrorBody.encode(code, message, requestId, details);
        }
        if (bytes != null)
        {
            return bytes;
        }
        if (writer != null)
        {
            scratch.clear();
            writer.writeTo(scratch);
            final byte[] out = new byte[scratch.readableBytes()];
            scratch.readBytes(out);
            return out;
        }
        return Json.write(tree);
    }

    @Override
    public String toString()
    {
        return "Answer[" + status + (code != null ? " " + code : "") + (seq > 0 ? " after " + seq : "") + ']';
    }
}
