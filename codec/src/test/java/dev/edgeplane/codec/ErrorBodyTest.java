package dev.edgeplane.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorBodyTest
{
    @SuppressWarnings("unchecked")
    static Map<String, Object> error(final byte[] body)
    {
        final Map<String, Object> root = (Map<String, Object>)Json.parse(body, 0, body.length);
        assertEquals(List.of("error"), List.copyOf(root.keySet()));
        final Map<String, Object> error = (Map<String, Object>)root.get("error");
        assertEquals(List.of("code", "message", "request_id", "details"), List.copyOf(error.keySet()));
        return error;
    }

    @Test
    void shouldEncodeExactShapeWithEmptyDetails()
    {
        final byte[] body = ErrorBody.encode("not_found", "no such route", "req-1", null);
        assertEquals("{\"error\":{\"code\":\"not_found\",\"message\":\"no such route\",\"request_id\":\"req-1\",\"details\":{}}}",
            new String(body, StandardCharsets.UTF_8));
    }

    @Test
    void shouldEscapeEverythingClientControlled()
    {
        final String nasty = "\"quoted\" \\ back </script> \n\r\t \u0000\u001F \u2028 caf\u00e9 \uD83D\uDE00";
        final Map<String, Object> details = new LinkedHashMap<>();
        details.put(nasty, nasty);
        final Map<String, Object> error = error(ErrorBody.encode(nasty, nasty, nasty, details));
        assertEquals(nasty, error.get("code"));
        assertEquals(nasty, error.get("message"));
        assertEquals(nasty, error.get("request_id"));
        assertEquals(Map.of(nasty, nasty), error.get("details"));
    }

    @Test
    void shouldRenderProblemsUnderDetails()
    {
        final Problems p = new Problems().add("to", "is required").add("accounts[0].devices[1].username", "must be a string");
        final Map<String, Object> error = error(ErrorBody.encode("invalid_request", "2 problems", "r", p));
        assertEquals(Map.of("problems", List.of(
            Map.of("path", "to", "message", "is required"),
            Map.of("path", "accounts[0].devices[1].username", "message", "must be a string"))), error.get("details"));
    }

    @Test
    void shouldWriteNullRequestIdAsJsonNull()
    {
        final Map<String, Object> error = error(ErrorBody.encode("c", "m", null, Map.of("retry_after", 5)));
        assertTrue(error.containsKey("request_id"));
        assertEquals(null, error.get("request_id"));
        assertEquals(Map.of("retry_after", 5L), error.get("details"));
    }

    @Test
    void shouldRejectDetailsThatAreNotAnObject()
    {
        assertThrows(IllegalArgumentException.class, () -> ErrorBody.encode("c", "m", "r", List.of()));
        assertThrows(IllegalArgumentException.class, () -> ErrorBody.encode("c", "m", "r", "text"));
        assertThrows(NullPointerException.class, () -> ErrorBody.encode(null, "m", "r", null));
    }

    @Test
    void shouldWriteSameBytesThroughReusedGenerator() throws IOException
    {
        final Problems p = new Problems().add("a", "is required");
        final byte[] expected = ErrorBody.encode("c", "m", "r", p);
        try (JsonBuffer buffer = new JsonBuffer(8))
        {
            for (int i = 0; i < 3; i++)
            {
                buffer.reset();
                final JsonGenerator g = buffer.generator();
                ErrorBody.write(g, "c", "m", "r", p);
                assertArrayEquals(expected, buffer.toByteArray());
            }
        }
    }
}
