package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8Test
{
    private static byte[] bytes(final int... values)
    {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            b[i] = (byte)values[i];
        }
        return b;
    }

    private static boolean valid(final int... values)
    {
        final byte[] b = bytes(values);
        return Utf8.isValid(b, 0, b.length);
    }

    @Test
    void shouldAcceptWellFormedBoundaries()
    {
        assertTrue(valid());
        assertTrue(valid(0x00, 0x7F));
        assertTrue(valid(0xC2, 0x80));
        assertTrue(valid(0xDF, 0xBF));
        assertTrue(valid(0xE0, 0xA0, 0x80));
        assertTrue(valid(0xED, 0x9F, 0xBF));
        assertTrue(valid(0xEE, 0x80, 0x80));
        assertTrue(valid(0xF0, 0x90, 0x80, 0x80));
        assertTrue(valid(0xF4, 0x8F, 0xBF, 0xBF));
        final byte[] text = "a\u00e9\u20ac\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
        assertTrue(Utf8.isValid(text, 0, text.length));
    }

    @Test
    void shouldRejectIllFormedSequences()
    {
        assertFalse(valid(0xC3, 0x28), "bad continuation");
        assertFalse(valid(0xC0, 0xAF), "overlong /");
        assertFalse(valid(0xC1, 0xBF), "overlong");
        assertFalse(valid(0xE0, 0x80, 0xAF), "overlong 3-byte");
        assertFalse(valid(0xF0, 0x80, 0x80, 0xAF), "overlong 4-byte");
        assertFalse(valid(0xED, 0xA0, 0x80), "surrogate D800");
        assertFalse(valid(0xED, 0xBF, 0xBF), "surrogate DFFF");
        assertFalse(valid(0xE2, 0x82), "truncated");
        assertFalse(valid(0xF0, 0x9F, 0x98), "truncated 4-byte");
        assertFalse(valid(0x80), "lone continuation");
        assertFalse(valid(0xF4, 0x90, 0x80, 0x80), "above U+10FFFF");
        assertFalse(valid(0xF5, 0x80, 0x80, 0x80));
        assertFalse(valid(0xFF));
    }

    @Test
    void shouldReportIndexOfFirstBadByteWithinRange()
    {
        final byte[] b = bytes('x', 'a', 0xC3, 0xA9, 'b', 0xC0, 0xAF, 'x');
        assertEquals(5, Utf8.firstInvalid(b, 1, 6));
        assertEquals(-1, Utf8.firstInvalid(b, 1, 4));
        assertEquals(2, Utf8.firstInvalid(b, 1, 2), "sequence cut by the range end");
    }
}
