package dev.edgeplane.relay;

import java.time.Instant;

import dev.edgeplane.codec.BodyDecoder;
import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Request decoding and field validation shared by the relay handlers: bounded NUL-free strings, the one
 * 400 answer listing every problem, and body decoding whose failure is a value (so a rate-limited route can
 * answer it later, with its rate-limit headers, from the user's shard).
 *
 * <p>Stateless and thread-safe.
 */
final class RelayRequests
{
    static final int MAX_TEXT = 512;

    /** A decoded body, or why it could not be decoded. */
    record Body(Fields fields, Outcome failure)
    {
    }

    private RelayRequests()
    {
    }

    /** Decodes a JSON or form body without answering; a failure is returned as a 400/415 outcome. */
    static Body decode(final HttpExchange ex)
    {
        try
        {
            return new Body(BodyDecoder.decode(ex.header(HttpHeaderNames.CONTENT_TYPE), ex.body(), 0, ex.bodyLength()), null);
        }
        catch (final DecodeException e)
        {
            final HttpResponseStatus status = DecodeException.UNSUPPORTED_MEDIA_TYPE.equals(e.code())
                ? HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE
                : HttpResponseStatus.BAD_REQUEST;
            return new Body(Fields.empty(), Outcome.error(status, e.code(), e.getMessage()));
        }
    }

    /** @return the field's text, or null (with a problem when required, too long, empty or containing NUL). */
    static String text(final Fields f, final String name, final boolean required, final Problems problems)
    {
        return text(f, name, required, MAX_TEXT, problems);
    }

    static String text(final Fields f, final String name, final boolean required, final int max, final Problems problems)
    {
        final String s = required ? f.requireString(name, problems) : f.optString(name, null, problems);
        if (s == null)
        {
            return null;
        }
        if (s.length() > max)
        {
            problems.add(name, "must be at most " + max + " characters");
            return null;
        }
        if (s.indexOf('\0') >= 0)
        {
            problems.add(name, "must not contain NUL");
            return null;
        }
        if (s.isEmpty())
        {
            if (required)
            {
                problems.add(name, "must not be empty");
            }
            return null;
        }
        return s;
    }

    /** @return the 400 {@code invalid_request} outcome listing every problem. */
    static Outcome invalid(final Problems problems)
    {
        final java.util.List<Object> list = new java.util.ArrayList<>();
        for (int i = 0; i < problems.size(); i++)
        {
            list.add(Outcome.details("path", problems.path(i), "message", problems.message(i)));
        }
        return Outcome.error(HttpResponseStatus.BAD_REQUEST, "invalid_request",
            problems.size() == 1 ? problems.path(0) + " " + problems.message(0) : "the request has " + problems.size() + " problems",
            Outcome.details("problems", list));
    }

    /** Answers 400 {@code invalid_request} with every problem in {@code details} at once. */
    static void respondInvalid(final HttpExchange ex, final Problems problems)
    {
        ex.respondError(HttpResponseStatus.BAD_REQUEST, "invalid_request",
            problems.size() == 1 ? problems.path(0) + " " + problems.message(0) : "the request has " + problems.size() + " problems",
            problems);
    }

    static String iso(final long epochMillis)
    {
        return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
