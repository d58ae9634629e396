package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The shipped prompt catalog is complete and well formed; broken catalogs are refused; voices map as documented. */
class TtsCatalogTest
{
    @Test
    void shouldShipTheSystemPromptsInEnglishAndSpanish()
    {
        final PromptCatalog catalog = PromptCatalog.load();
        assertEquals(List.of("en", "es"), catalog.languages());
        assertEquals(List.of("menu", "closed", "voicemail-greeting", "queue-wait", "goodbye", "invalid-option", "transfer",
            "recording-beep-intro"), catalog.prompts().stream().map(PromptCatalog.Prompt::id).toList());
        for (final PromptCatalog.Prompt p : catalog.prompts())
        {
            assertTrue(p.text().get("en").length() > 10 && p.text().get("es").length() > 10, p.id());
        }
        assertEquals("prompts/es/female/queue-wait.wav", PromptCatalog.key("es", VoiceGender.FEMALE, "queue-wait"));
        assertEquals(null, MediaKey.problem(PromptCatalog.key("en", VoiceGender.MALE, "recording-beep-intro")));
    }

    @Test
    void shouldRefuseABrokenCatalog()
    {
        for (final String bad : new String[] {
            "{}",
            "not json",
            "{\"languages\":[\"en\",\"es\"],\"prompts\":[{\"id\":\"menu\",\"text\":{\"en\":\"Hello\"}}]}",
            "{\"languages\":[\"en\"],\"prompts\":[{\"id\":\"menu\",\"text\":{\"en\":\"Hello\",\"fr\":\"Bonjour\"}}]}",
            "{\"languages\":[\"en\"],\"prompts\":[{\"id\":\"../menu\",\"text\":{\"en\":\"Hello\"}}]}",
            "{\"languages\":[\"en\"],\"prompts\":[{\"id\":\"a\",\"text\":{\"en\":\"x\"}},{\"id\":\"a\",\"text\":{\"en\":\"y\"}}]}",
            "{\"languages\":[\"EN/x\"],\"prompts\":[{\"id\":\"a\",\"text\":{\"EN/x\":\"x\"}}]}",
            "{\"languages\":[],\"prompts\":[]}"})
        {
            assertThrows(IllegalStateException.class, () -> PromptCatalog.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    @Test
    void shouldMapLanguageAndGenderToEspeakVoices()
    {
        assertEquals("en-us", EspeakEngine.voice("en", VoiceGender.MALE));
        assertEquals("en-us+f3", EspeakEngine.voice("en", VoiceGender.FEMALE));
        assertEquals("es", EspeakEngine.voice("es", VoiceGender.MALE));
        assertEquals("es+f3", EspeakEngine.voice("es", VoiceGender.FEMALE));
    }
}
