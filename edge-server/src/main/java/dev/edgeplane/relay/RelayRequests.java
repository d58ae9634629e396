package dev.edgeplane.relay;

import java.time.Instant;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import dev.edgeplane.server.RequestFields;

/**
 * Request decoding and field validation shared by the relay handlers: bounded NUL-free strings, the one
 * 400 answer listing every problem, and body decoding whose failure is a value (so a rate-limited route can
 * answer it later, with its rate-limit headers, from the user's shard).
 *
 * <p>Stateless and thread-safe.
 */
final class RelayRequests
{
    static final int MAX_TEXT = RequestFields.MAX_TEXT;

    /** A decoded body, or why it could not be decoded. */
    record Body(Fields fields, Answer failure)
    {
    }

    private RelayRequests()
    {
    }

    /** Decodes a JSON or form body without answering; a failure is returned as a 400/415 outcome. */
    static Body decode(final HttpExchange ex)
    {
        final Fields f = ex.fields();
        return f != null ? new Body(f, null) : new Body(Fields.empty(), ex.bodyFailure());
    }

    /** @return the field's text, or null: the server's one rule ({@link RequestFields#text}). */
    static String text(final Fields f, final String name, final boolean required, final Problems problems)
    {
        return RequestFields.text(f, name, required, MAX_TEXT, problems);
    }

    static String text(final Fields f, final String name, final boolean required, final int max, final Problems problems)
    {
        return RequestFields.text(f, name, required, max, problems);
    }

    /** @return the 400 {@code invalid_request} answer listing every problem. */
    static Outcome invalid(final Problems problems)
    {
        return Outcome.invalid(problems);
    }

    /** Answers 400 {@code invalid_request} with every problem in {@code details} at once. */
    static void respondInvalid(final HttpExchange ex, final Problems problems)
    {
        ex.send(Answer.invalid(problems));
    }

    static String iso(final long epochMillis)
    {
        return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
