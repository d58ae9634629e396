package dev.edgeplane.controlplane;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Field validation shared by the control-plane handlers: bounded, NUL-free strings, and the one
 * 400 answer listing every problem.
 *
 * <p>Stateless and thread-safe.
 */
final class Requests
{
    static final int MAX_TEXT = 512;

    private Requests()
    {
    }

    /** @return the field's text, or null (with a problem when required, too long, or containing NUL). */
    static String text(final Fields f, final String name, final boolean required, final Problems problems)
    {
        final String s = required ? f.requireString(name, problems) : f.optString(name, null, problems);
        if (s == null)
        {
            return null;
        }
        if (s.length() > MAX_TEXT)
        {
            problems.add(name, "must be at most " + MAX_TEXT + " characters");
            return null;
        }
        if (s.indexOf('\0') >= 0)
        {
            problems.add(name, "must not contain NUL");
            return null;
        }
        if (required && s.isEmpty())
        {
            problems.add(name, "must not be empty");
            return null;
        }
        return s;
    }

    /** Answers 400 {@code invalid_request} with every problem in {@code details}. */
    static void invalid(final HttpExchange ex, final Problems problems)
    {
        ex.respondError(HttpResponseStatus.BAD_REQUEST, "invalid_request",
            problems.size() == 1 ? problems.path(0) + " " + problems.message(0) : "the request has " + problems.size() + " problems",
            problems);
    }

    static void notFound(final HttpExchange ex, final String message)
    {
        ex.respondError(HttpResponseStatus.NOT_FOUND, "not_found", message, null);
    }
}
