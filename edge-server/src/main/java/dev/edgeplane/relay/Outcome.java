package dev.edgeplane.relay;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An answer as a value (docs/STYLE.md, "Errors are data"): a status with a JSON body, or the one error body
 * ({@code code}, {@code message}, {@code details}); extra headers; and the journal sequence that must be
 * durable before the answer may be sent (0 when nothing was journaled).
 *
 * <p>Not thread-safe while being built; hand it to one thread to {@link #send}.
 */
final class Outcome
{
    private final HttpResponseStatus status;
    private final Object body;
    private final String code;
    private final String message;
    private final Map<String, Object> details;
    private Map<String, String> headers;
    private long seq;

    private Outcome(final HttpResponseStatus status, final Object body, final String code, final String message,
        final Map<String, Object> details)
    {
        this.status = status;
        this.body = body;
        this.code = code;
        this.message = message;
        this.details = details;
    }

    /** @param body a JSON tree for {@link Json#write}. */
    static Outcome json(final HttpResponseStatus status, final Object body)
    {
        return new Outcome(status, body, null, null, null);
    }

    static Outcome ok(final Object body)
    {
        return json(HttpResponseStatus.OK, body);
    }

    static Outcome error(final HttpResponseStatus status, final String code, final String message)
    {
        return new Outcome(status, null, code, message, null);
    }

    static Outcome error(final HttpResponseStatus status, final String code, final String message,
        final Map<String, Object> details)
    {
        return new Outcome(status, null, code, message, details);
    }

    /** @return details as a map of alternating keys and values: {@code details("from", "active", "to", "grace")}. */
    static Map<String, Object> details(final Object... pairs)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            m.put((String)pairs[i], pairs[i + 1]);
        }
        return m;
    }

    Outcome header(final String name, final String value)
    {
        if (headers == null)
        {
            headers = new LinkedHashMap<>();
        }
        headers.put(name, value);
        return this;
    }

    /** The answer waits until journal entry {@code journalSeq} is durable (0: no wait). */
    Outcome after(final long journalSeq)
    {
        this.seq = Math.max(this.seq, journalSeq);
        return this;
    }

    HttpResponseStatus status()
    {
        return status;
    }

    boolean isError()
    {
        return code != null;
    }

    String code()
    {
        return code;
    }

    String message()
    {
        return message;
    }

    long seq()
    {
        return seq;
    }

    /** Sends the answer, once its journal entry is durable. Safe from any thread. */
    void send(final HttpExchange ex, final Journal journal)
    {
        if (headers != null)
        {
            headers.forEach((n, v) -> ex.responseHeaders().set(n, v));
        }
        if (seq > 0)
        {
            journal.whenDurable(seq, () -> emit(ex));
        }
        else
        {
            emit(ex);
        }
    }

    private void emit(final HttpExchange ex)
    {
        if (code != null)
        {
            ex.respondError(status, code, message, details);
        }
        else
        {
            ex.respondJson(status, Json.write(body));
        }
    }
}
