package dev.edgeplane.controlplane.media;

/**
 * Turns prompt text into speech (docs/SPEC-control-plane.md, "Media and TTS": the engine is pluggable, a
 * local engine such as espeak-ng where installed, an HTTP provider otherwise).
 *
 * <p>Threading: implementations are thread-safe. {@link #synthesize} blocks (a child process, a
 * network round trip): call it on the blocking pool, never on an event loop or a shard writer.
 */
public interface TtsEngine
{
    /** @return a short name for answers and logs ({@code espeak-ng}, {@code http}). */
    String name();

    /** @return null when the engine can run now, else why not (an operator-facing reason). */
    String unavailableReason();

    /**
     * @param lang a catalog language tag ({@code en}, {@code es}).
     * @return the audio as a complete WAV file (RIFF/WAVE).
     * @throws TtsException when this prompt could not be synthesized.
     */
    byte[] synthesize(String text, String lang, VoiceGender gender) throws TtsException;
}
