package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Key decoding and validation (no '..', no absolute paths, strict characters) and content types by extension. */
class MediaKeyTest
{
    @Test
    void shouldAcceptOrdinaryKeys()
    {
        assertNull(MediaKey.problem("menu.wav"));
        assertNull(MediaKey.problem("prompts/en/female/menu.wav"));
        assertNull(MediaKey.problem("vm/acc_01/2026-01-01_rec-1.WAV"));
        assertNull(MediaKey.problem("a/..b/c..")); // dots inside a segment are fine
        assertNull(MediaKey.problem("x".repeat(255)));
        assertNull(MediaKey.problem("y".repeat(127) + "/" + "y".repeat(128))); // 256 characters
    }

    @Test
    void shouldRejectTraversalAbsoluteEmptyAndOddKeys()
    {
        for (final String bad : new String[] {"", "../x", "a/../x", "..", "/abs", "a//b", "a/", "./a", "a/./b", ".",
            "x".repeat(257), "x".repeat(256), "a b", "a\\b", "a~b", "a%b", "a+b", "é.wav", "a\0b", "a?b"})
        {
            assertNotNull(MediaKey.problem(bad), "should be refused: " + bad);
        }
    }

    @Test
    void shouldPercentDecodeTheKeyBeforeValidation()
    {
        assertEquals("../x", MediaKey.fromRequestTarget("/media/%2e%2e/x"));
        assertNotNull(MediaKey.problem(MediaKey.fromRequestTarget("/media/%2e%2e/x")));
        assertEquals("prompts/en/menu.wav", MediaKey.fromRequestTarget("/media/prompts%2Fen/menu.wav?x=1"));
        assertEquals("/abs", MediaKey.fromRequestTarget("/media/%2Fabs"));
        assertNull(MediaKey.fromRequestTarget("/media/bad%zz"));
        assertNull(MediaKey.fromRequestTarget("/media/bad%2"));
        assertEquals("", MediaKey.fromRequestTarget("/media/"));
    }

    @Test
    void shouldNameTheContentTypeByExtension()
    {
        assertEquals("audio/wav", MediaKey.contentType("prompts/en/male/menu.wav").toString());
        assertEquals("audio/wav", MediaKey.contentType("LOUD.WAV").toString());
        assertEquals("audio/mpeg", MediaKey.contentType("moh/track.mp3").toString());
        assertEquals("audio/ogg", MediaKey.contentType("a.ogg").toString());
        assertEquals("audio/opus", MediaKey.contentType("a.opus").toString());
        assertEquals("application/json", MediaKey.contentType("meta/a.json").toString());
        assertEquals("text/plain; charset=utf-8", MediaKey.contentType("notes.txt").toString());
        assertEquals("application/octet-stream", MediaKey.contentType("blob").toString());
        assertEquals("application/octet-stream", MediaKey.contentType("a.wav/blob").toString());
        assertEquals("application/octet-stream", MediaKey.contentType("dir/.wav").toString());
        assertEquals("application/octet-stream", MediaKey.contentType("a.bin").toString());
    }
}
