package dev.edgeplane.controlplane.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synthesizes the prompt catalog into the media store: for every prompt, language and voice asked
 * for, the WAV is generated and stored under {@link PromptCatalog#key}, unless an object already
 * exists there and {@code force} is off. One prompt failing does not stop the others; each outcome is
 * reported.
 *
 * <p>Threading: {@link #synthesize} blocks (engine runs, file writes with fsync); call it on the
 * blocking pool. Thread-safe, but callers run one synthesis at a time to bound the load.
 */
public final class PromptSynthesizer
{
    private static final Logger LOG = LoggerFactory.getLogger(PromptSynthesizer.class);
    /** Smallest WAV worth storing: a 44-byte header and some samples. */
    static final int MIN_WAV_BYTES = 64;

    /**
     * What one run did.
     *
     * @param generated keys written (new or regenerated).
     * @param skipped   keys left alone because an object was already there.
     * @param failed    keys that could not be produced, each with an operator-facing reason.
     */
    public record Report(List<String> generated, List<String> skipped, List<Failure> failed)
    {
        /** @return the JSON tree of the answer: {@code {generated:[…], skipped:[…], failed:[{key, error}]}}. */
        public Map<String, Object> toJson(final String engine)
        {
            final List<Object> failures = new ArrayList<>(failed.size());
            for (final Failure f : failed)
            {
                final Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("key", f.key());
                entry.put("error", f.error());
                failures.add(entry);
            }
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("generated", generated);
            body.put("skipped", skipped);
            body.put("failed", failures);
            body.put("engine", engine);
            return body;
        }
    }

    public record Failure(String key, String error)
    {
    }

    private final PromptCatalog catalog;
    private final MediaStore store;
    private final MediaPublisher publisher;

    public PromptSynthesizer(final PromptCatalog catalog, final MediaStore store)
    {
        this(catalog, store, null);
    }

    /** @param publisher also receives every prompt stored (the TTS media cache), or null. */
    public PromptSynthesizer(final PromptCatalog catalog, final MediaStore store, final MediaPublisher publisher)
    {
        this.catalog = catalog;
        this.store = store;
        this.publisher = publisher;
    }

    public PromptCatalog catalog()
    {
        return catalog;
    }

    /**
     * @param languages catalog languages to produce.
     * @param genders   voices to produce.
     * @param force     regenerate keys that already hold an object.
     */
    public Report synthesize(final TtsEngine engine, final List<String> languages, final List<VoiceGender> genders,
        final boolean force)
    {
        final List<String> generated = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        final List<Failure> failed = new ArrayList<>();
        for (final String lang : languages)
        {
            for (final VoiceGender gender : genders)
            {
                for (final PromptCatalog.Prompt prompt : catalog.prompts())
                {
                    final String key = PromptCatalog.key(lang, gender, prompt.id());
                    try
                    {
                        if (!force && store.exists(key))
                        {
                            skipped.add(key);
                            continue;
                        }
                        final byte[] audio = engine.synthesize(prompt.text().get(lang), lang, gender);
                        final String notWav = wavProblem(audio);
                        if (notWav != null)
                        {
                            failed.add(new Failure(key, engine.name() + " " + notWav));
                            continue;
                        }
                        final String problem = store(key, audio);
                        if (problem != null)
                        {
                            failed.add(new Failure(key, problem));
                            continue;
                        }
                        final String unpublished = publisher == null ? null : publisher.publish(key, audio);
                        if (unpublished != null)
                        {
                            failed.add(new Failure(key, "stored on this node but not published to the TTS media cache "
                                + "(regenerate with force=1): " + unpublished));
                            continue;
                        }
                        generated.add(key);
                    }
                    catch (final TtsException e)
                    {
                        failed.add(new Failure(key, e.getMessage()));
                    }
                    catch (final IOException e)
                    {
                        LOG.warn("storing prompt {} failed: {}", key, e.toString());
                        failed.add(new Failure(key, "the media store could not write it: " + e.getMessage()));
                    }
                }
            }
        }
        return new Report(List.copyOf(generated), List.copyOf(skipped), List.copyOf(failed));
    }

    /** @return null when stored, else why not. */
    private String store(final String key, final byte[] audio) throws IOException
    {
        final MediaStore.Upload upload = store.begin(key);
        if (upload == null)
        {
            return "the key collides with stored objects (a prefix of it, or something under it, exists)";
        }
        try
        {
            upload.write(ByteBuffer.wrap(audio));
            upload.commit();
            return null;
        }
        finally
        {
            upload.abort(); // a no-op after the commit
        }
    }

    /** @return null for a RIFF/WAVE file of plausible size, else what is wrong with it. */
    static String wavProblem(final byte[] audio)
    {
        if (audio.length < MIN_WAV_BYTES)
        {
            return "returned " + audio.length + " bytes, too few for a WAV file";
        }
        final boolean riff = audio[0] == 'R' && audio[1] == 'I' && audio[2] == 'F' && audio[3] == 'F';
        final boolean wave = audio[8] == 'W' && audio[9] == 'A' && audio[10] == 'V' && audio[11] == 'E';
        return riff && wave ? null : "returned audio that is not a RIFF/WAVE file";
    }
}
