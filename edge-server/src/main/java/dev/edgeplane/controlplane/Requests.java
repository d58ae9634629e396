package dev.edgeplane.controlplane;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.RequestFields;

/**
 * Field validation of the control-plane handlers: the server's one rule ({@link RequestFields}: bounded,
 * NUL-free, empty is absent) and the answers for bad input as values.
 *
 * <p>Stateless and thread-safe.
 */
final class Requests
{
    static final int MAX_TEXT = RequestFields.MAX_TEXT;

    private Requests()
    {
    }

    /** @return the field's text, or null (see {@link RequestFields#text}). */
    static String text(final Fields f, final String name, final boolean required, final Problems problems)
    {
        return RequestFields.text(f, name, required, MAX_TEXT, problems);
    }

    /** @return 400 {@code invalid_request} with every problem in {@code details}. */
    static Answer invalid(final Problems problems)
    {
        return Answer.invalid(problems);
    }

    /** @return 404 {@code not_found}. */
    static Answer notFound(final String message)
    {
        return Answer.notFound(message);
    }
}
