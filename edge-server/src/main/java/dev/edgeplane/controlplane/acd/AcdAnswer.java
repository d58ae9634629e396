package dev.edgeplane.controlplane.acd;

import java.util.Map;

/**
 * The outcome of an agent event or an answer hook: a JSON body for {@code 200}, or an expected
 * refusal (unknown agent → 404; invalid transition, stale or expired lease, lost claim → 409) with
 * its error code. Refusals are values, not exceptions, and change nothing.
 *
 * <p>Immutable once built; hand it to another thread only through a happens-before edge.
 *
 * @param kind    ok or the refusal's class.
 * @param code    the error code for a refusal (e.g. {@code invalid_transition}, {@code stale_lease}).
 * @param message a sentence for people.
 * @param body    the 200 body, or error details (may be null).
 */
public record AcdAnswer(Kind kind, String code, String message, Map<String, Object> body)
{
    /** The classes of outcome, mapped to HTTP statuses by the handler. */
    public enum Kind
    {
        OK,
        NOT_FOUND,
        CONFLICT
    }

    static AcdAnswer ok(final Map<String, Object> body)
    {
        return new AcdAnswer(Kind.OK, null, null, body);
    }

    static AcdAnswer notFound(final String message)
    {
        return new AcdAnswer(Kind.NOT_FOUND, "not_found", message, null);
    }

    static AcdAnswer conflict(final String code, final String message, final Map<String, Object> details)
    {
        return new AcdAnswer(Kind.CONFLICT, code, message, details);
    }
}
