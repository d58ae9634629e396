package dev.edgeplane.controlplane.media;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.edgeplane.codec.Json;

/**
 * The system-prompt catalog shipped with the server ({@code tts/prompts.json} on the classpath):
 * prompt ids and their text in every catalog language. Prompt {@code id} in language {@code lang}
 * spoken by a {@code gender} voice is stored under {@code prompts/<lang>/<gender>/<id>.wav}.
 *
 * <p>Immutable and thread-safe once loaded. A catalog that breaks its own rules (a prompt missing a
 * language, a bad id) fails loading, so it is caught at start-up and by the tests.
 */
public final class PromptCatalog
{
    public static final String RESOURCE = "/tts/prompts.json";
    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern LANG = Pattern.compile("[a-z]{2,3}(-[a-z0-9]{2,8})?");

    /** One prompt: its id and its text per language. */
    public record Prompt(String id, Map<String, String> text)
    {
    }

    private final List<String> languages;
    private final List<Prompt> prompts;

    private PromptCatalog(final List<String> languages, final List<Prompt> prompts)
    {
        this.languages = languages;
        this.prompts = prompts;
    }

    /** Loads the catalog shipped on the classpath. */
    public static PromptCatalog load()
    {
        try (InputStream in = PromptCatalog.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("the prompt catalog " + RESOURCE + " is missing from the classpath");
            }
            return parse(in.readAllBytes());
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("the prompt catalog " + RESOURCE + " could not be read", e);
        }
    }

    /** @throws IllegalStateException when the document is not a valid catalog. */
    @SuppressWarnings("unchecked")
    public static PromptCatalog parse(final byte[] json)
    {
        final Object tree;
        try
        {
            tree = Json.parse(json, 0, json.length);
        }
        catch (final RuntimeException e)
        {
            throw new IllegalStateException("the prompt catalog is not valid JSON: " + e.getMessage(), e);
        }
        if (!(tree instanceof Map<?, ?> root) || !(root.get("languages") instanceof List<?> langs)
            || !(root.get("prompts") instanceof List<?> list))
        {
            throw new IllegalStateException("the prompt catalog needs \"languages\" and \"prompts\" lists");
        }
        final List<String> languages = new ArrayList<>();
        for (final Object l : langs)
        {
            if (!(l instanceof String s) || !LANG.matcher(s).matches() || languages.contains(s))
            {
                throw new IllegalStateException("the prompt catalog lists a bad or repeated language: " + l);
            }
            languages.add(s);
        }
        if (languages.isEmpty() || list.isEmpty())
        {
            throw new IllegalStateException("the prompt catalog has no languages or no prompts");
        }
        final List<Prompt> prompts = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        for (final Object p : list)
        {
            if (!(p instanceof Map<?, ?> m) || !(m.get("id") instanceof String id) || !ID.matcher(id).matches()
                || ids.contains(id) || !(m.get("text") instanceof Map<?, ?> text))
            {
                throw new IllegalStateException("the prompt catalog has a prompt without a valid, unique id and a text map: " + p);
            }
            final Map<String, String> byLang = new LinkedHashMap<>();
            for (final String lang : languages)
            {
                if (!(text.get(lang) instanceof String t) || t.isBlank())
                {
                    throw new IllegalStateException("prompt " + id + " has no text for language " + lang);
                }
                byLang.put(lang, t);
            }
            if (!languages.containsAll(((Map<String, Object>)text).keySet()))
            {
                throw new IllegalStateException("prompt " + id + " has text for a language the catalog does not list");
            }
            ids.add(id);
            prompts.add(new Prompt(id, Collections.unmodifiableMap(byLang)));
        }
        return new PromptCatalog(List.copyOf(languages), List.copyOf(prompts));
    }

    /** @return the catalog's languages, in catalog order. */
    public List<String> languages()
    {
        return languages;
    }

    public List<Prompt> prompts()
    {
        return prompts;
    }

    /** @return the media key of a prompt in one language and voice. */
    public static String key(final String lang, final VoiceGender gender, final String id)
    {
        return "prompts/" + lang + "/" + gender.wireName() + "/" + id + ".wav";
    }
}
