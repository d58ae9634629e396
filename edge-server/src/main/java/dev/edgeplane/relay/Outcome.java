package dev.edgeplane.relay;

import java.util.Map;

import dev.edgeplane.codec.Problems;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The relay's name for the server's {@link Answer}: the same value (status, JSON body or the one error
 * body, headers, the journal position to wait for), with factories that keep the relay's call sites
 * short. Sending it is the server's job ({@link HttpExchange#send}).
 *
 * <p>Not thread-safe while being built; hand it to one thread to send.
 */
final class Outcome extends Answer
{
    private Outcome(final HttpResponseStatus status, final Object body, final String code, final String message,
        final Object details)
    {
        super(status, body, code, message, details);
    }

    /** @param body a JSON tree for {@link dev.edgeplane.codec.Json#write}. */
    public static Outcome json(final HttpResponseStatus status, final Object body)
    {
        return new Outcome(status, body, null, null, null);
    }

    public static Outcome ok(final Object body)
    {
        return json(HttpResponseStatus.OK, body);
    }

    public static Outcome error(final HttpResponseStatus status, final String code, final String message)
    {
        return new Outcome(status, null, code, message, null);
    }

    public static Outcome error(final HttpResponseStatus status, final String code, final String message,
        final Map<String, Object> details)
    {
        return new Outcome(status, null, code, message, details);
    }

    /** @return the 400 {@code invalid_request} outcome listing every problem. */
    public static Outcome invalid(final Problems problems)
    {
        return new Outcome(HttpResponseStatus.BAD_REQUEST, null, "invalid_request",
            problems.size() == 1 ? problems.path(0) + " " + problems.message(0) : "the request has " + problems.size() + " problems",
            problems);
    }

    /** @return details as a map of alternating keys and values: {@code details("from", "active", "to", "grace")}. */
    public static Map<String, Object> details(final Object... pairs)
    {
        return Answer.details(pairs);
    }

    Outcome header(final String name, final String value)
    {
        super.header(name, value);
        return this;
    }

    /** The answer waits until journal entry {@code journalSeq} is durable (0: no wait). */
    @Override
    public Outcome after(final long journalSeq)
    {
        super.after(journalSeq);
        return this;
    }

    /**
     * Sends the answer once its journal entry is durable: {@link HttpExchange#send}. Safe from any thread.
     *
     * @param journal unused: the server waits on its own journal (kept for existing call sites).
     */
    void send(final HttpExchange ex, final Journal journal)
    {
        ex.send(this);
    }
}
