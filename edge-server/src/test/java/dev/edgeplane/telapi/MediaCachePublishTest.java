package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.sun.net.httpserver.HttpsServer;
import dev.edgeplane.controlplane.media.LocalMediaStore;
import dev.edgeplane.controlplane.media.MediaPublisher;
import dev.edgeplane.controlplane.media.PromptCatalog;
import dev.edgeplane.controlplane.media.PromptSynthesizer;
import dev.edgeplane.controlplane.media.TtsEngine;
import dev.edgeplane.controlplane.media.VoiceGender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's prompt generation publishing into the TTS media cache over private-CA HTTPS. */
class MediaCachePublishTest
{
    static HttpsServer media;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception
    {
        media = MediaCacheTlsTest.https("media-host.p12");
    }

    @AfterAll
    static void stop()
    {
        media.stop(0);
    }

    /** A deterministic engine: a valid WAV whose samples are the text's bytes. */
    static final TtsEngine ENGINE = new TtsEngine()
    {
        @Override
        public String name()
        {
            return "test-tone";
        }

        @Override
        public String unavailableReason()
        {
            return null;
        }

        @Override
        public byte[] synthesize(final String text, final String lang, final VoiceGender gender)
        {
            return wav(lang + gender + text);
        }
    };

    /** A valid 8 kHz 8-bit mono WAV whose samples are the seed's bytes. */
    static byte[] wav(final String seed)
    {
        final byte[] pcm = seed.repeat(40).getBytes(StandardCharsets.UTF_8);
        final ByteBuffer b = ByteBuffer.allocate(44 + pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm.length).put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII))
            .putInt(16).putShort((short)1).putShort((short)1).putInt(8000).putInt(8000).putShort((short)1).putShort((short)8)
            .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length).put(pcm);
        return b.array();
    }

    private static MediaPublisher publisher(final TtsMediaCache cache)
    {
        return (key, wav) ->
        {
            final TtsMediaCache.Result r = cache.put(key, wav, "audio/wav");
            return r.ok() ? null : r.error();
        };
    }

    @Test
    void shouldPublishEveryGeneratedPromptToTheMediaCache() throws Exception
    {
        MediaCacheTlsTest.stored.clear();
        try (TtsMediaCache cache = MediaCacheTlsTest.client(media, MediaCacheTlsTest.resource("media-ca.pem")))
        {
            final PromptSynthesizer synth = new PromptSynthesizer(PromptCatalog.load(), new LocalMediaStore(dir), publisher(cache));
            final String lang = synth.catalog().languages().get(0);
            final PromptSynthesizer.Report report = synth.synthesize(ENGINE, List.of(lang), List.of(VoiceGender.FEMALE), false);
            assertTrue(report.failed().isEmpty(), report.failed().toString());
            assertFalse(report.generated().isEmpty());
            for (final String key : report.generated())
            {
                assertTrue(MediaCacheTlsTest.stored.containsKey(key), key + " reached the media cache");
            }
            final String first = report.generated().get(0);
            assertArrayEquals(MediaCacheTlsTest.stored.get(first), cache.get(first).body());
        }
    }

    @Test
    void shouldReportPromptsThatCouldNotBePublished() throws Exception
    {
        MediaCacheTlsTest.stored.clear();
        try (TtsMediaCache cache = MediaCacheTlsTest.client(media, MediaCacheTlsTest.resource("other-ca.pem")))
        {
            final PromptSynthesizer synth = new PromptSynthesizer(PromptCatalog.load(), new LocalMediaStore(dir), publisher(cache));
            final PromptSynthesizer.Report report =
                synth.synthesize(ENGINE, List.of(synth.catalog().languages().get(0)), List.of(VoiceGender.MALE), false);
            assertTrue(report.generated().isEmpty());
            assertFalse(report.failed().isEmpty());
            assertTrue(report.failed().get(0).error().contains("not published to the TTS media cache"), report.failed().get(0).error());
            assertTrue(report.failed().get(0).error().contains("self-signed or unknown CA"));
            assertEquals(0, MediaCacheTlsTest.stored.size());
        }
    }
}
