package dev.edgeplane.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class JsonBufferTest
{
    @Test
    void shouldReuseGeneratorAcrossResetsWithoutSeparators() throws IOException
    {
        final JsonBuffer buffer = new JsonBuffer(1);
        final JsonGenerator g = buffer.generator();
        for (int i = 0; i < 1000; i++)
        {
            buffer.reset();
            assertSame(g, buffer.generator());
            g.writeStartObject();
            g.writeNumberField("i", i);
            g.writeEndObject();
            assertEquals("{\"i\":" + i + "}", new String(buffer.array(), 0, buffer.length(), StandardCharsets.UTF_8));
        }
        buffer.close();
    }

    @Test
    void shouldReplaceGeneratorAbandonedMidValue() throws IOException
    {
        final JsonBuffer buffer = new JsonBuffer();
        final JsonGenerator first = buffer.generator();
        first.writeStartObject();
        first.writeFieldName("half");
        buffer.reset();
        final JsonGenerator second = buffer.generator();
        assertNotSame(first, second);
        assertEquals(0, buffer.length());
        Json.writeValue(second, Map.of("ok", true));
        assertArrayEquals("{\"ok\":true}".getBytes(StandardCharsets.UTF_8), buffer.toByteArray());
    }

    @Test
    void shouldGrowAndCopyPlainBytes()
    {
        final JsonBuffer buffer = new JsonBuffer(0);
        final byte[] chunk = new byte[1000];
        Arrays.fill(chunk, (byte)'x');
        for (int i = 0; i < 100; i++)
        {
            buffer.write(chunk, 0, chunk.length);
        }
        buffer.write('y');
        assertEquals(100_001, buffer.length());
        assertEquals('y', buffer.toByteArray()[100_000]);
        buffer.reset();
        assertEquals(0, buffer.length());
        assertEquals(0, buffer.toByteArray().length);
    }
}
