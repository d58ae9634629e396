package dev.edgeplane.codec;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The one error body of every Edgeplane surface (docs/ARCHITECTURE.md, "Request path"):
 * <pre>{@code {"error":{"code":"…","message":"…","request_id":"…","details":{…}}}}</pre>
 *
 * <p>{@code details} is always an object: {@code null} becomes {@code {}}, a {@code Map} is
 * written as itself, {@link Fields} as its members and {@link Problems} as
 * {@code {"problems":[{"path":"…","message":"…"}, …]}}. All strings are JSON-escaped by Jackson.
 * A null {@code request_id} is written as JSON null.
 *
 * <p>Stateless and thread-safe.
 */
public final class ErrorBody
{
    private ErrorBody()
    {
    }

    /**
     * Encode an error body.
     *
     * @param code      machine-readable code, e.g. "malformed_body".
     * @param message   human-readable message, safe for clients.
     * @param requestId the request's {@code X-Request-Id}, or null.
     * @param details   null, a {@code Map}, {@link Fields} or {@link Problems}.
     * @return UTF-8 JSON.
     * @throws IllegalArgumentException if {@code details} is of another type.
     */
    public static byte[] encode(final String code, final String message, final String requestId, final Object details)
    {
        try (JsonBuffer out = new JsonBuffer(192))
        {
            write(out.generator(), code, message, requestId, details);
            return out.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Write an error body as one root value with the caller's generator (e.g. a per-connection
     * {@link JsonBuffer#generator()}). Does not flush.
     *
     * @param g         generator positioned where a root value may go.
     * @param code      machine-readable code.
     * @param message   human-readable message, safe for clients.
     * @param requestId the request's {@code X-Request-Id}, or null.
     * @param details   null, a {@code Map}, {@link Fields} or {@link Problems}.
     * @throws IOException              if the generator's target fails.
     * @throws IllegalArgumentException if {@code details} is of another type.
     */
    public static void write(
        final JsonGenerator g, final String code, final String message, final String requestId, final Object details)
        throws IOException
    {
        if (code == null || message == null)
        {
            throw new NullPointerException(code == null ? "code" : "message");
        }
        if (details != null &&
            !(details instanceof Map) && !(details instanceof Problems) && !(details instanceof Fields))
        {
            throw new IllegalArgumentException("details must be a Map, Fields or Problems, got "
                + details.getClass().getName());
        }
        g.writeStartObject();
        g.writeFieldName("error");
        g.writeStartObject();
        g.writeStringField("code", code);
        g.writeStringField("message", message);
        g.writeFieldName("request_id");
        if (requestId == null)
        {
            g.writeNull();
        }
        else
        {
            g.writeString(requestId);
        }
        g.writeFieldName("details");
        if (details == null)
        {
            g.writeStartObject();
            g.writeEndObject();
        }
        else if (details instanceof Problems)
        {
            g.writeStartObject();
            g.writeFieldName("problems");
            Json.writeProblems(g, (Problems)details);
            g.writeEndObject();
        }
        else
        {
            Json.writeValue(g, details);
        }
        g.writeEndObject();
        g.writeEndObject();
    }
}
