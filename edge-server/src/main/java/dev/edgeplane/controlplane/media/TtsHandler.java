package dev.edgeplane.controlplane.media;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.codec.QueryParams;
import dev.edgeplane.controlplane.CallTrace;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/tts/generate?lang=&gender=&force=1} (seed 001, "Media &amp; TTS"; the route adds
 * the admin-token gate): synthesizes the prompt catalog for one catalog language (default: all) and
 * one voice ({@code male|female}, default both) into the media store, skipping keys that already hold
 * an object unless {@code force=1}. Answers 200 {@code {generated:[keys], skipped:[keys],
 * failed:[{key, error}], engine}} (a prompt that failed does not fail the request); 400 for a bad or
 * unknown parameter (nothing is generated); 503 {@code tts_unavailable} when no engine can run; 409
 * {@code tts_in_progress} while another generation runs on this node. Each run is audited.
 *
 * <p>Engine choice ({@code EDGEPLANE_TTS_ENGINE}): {@code espeak}, {@code http}, {@code none}, or
 * {@code auto} (default): espeak-ng when it is on the PATH at start-up, else the HTTP provider when
 * {@code EDGEPLANE_TTS_URL} is set, else none.
 *
 * <p>Threading: {@link #generate} validates on the event loop and synthesizes on the blocking pool,
 * one generation at a time per node (it can take seconds and would otherwise tie up the pool).
 */
final class TtsHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(TtsHandler.class);
    private static final Set<String> PARAMETERS = Set.of("lang", "gender", "force");
    /** First HTTP retry delay; later ones double. */
    private static final long HTTP_BACKOFF_MILLIS = 200;

    private final PromptSynthesizer synthesizer;
    private final CallTrace audit;
    private final TtsEngine engine;
    private final String noEngineReason;
    private final AtomicBoolean running = new AtomicBoolean();

    TtsHandler(final MediaSettings settings, final PromptSynthesizer synthesizer, final CallTrace audit)
    {
        this.synthesizer = synthesizer;
        this.audit = audit;
        this.engine = choose(settings);
        this.noEngineReason = engine != null ? null : settings.ttsEngine().equals("none")
            ? "text-to-speech is switched off (" + MediaSettings.TTS_ENGINE + "=none)"
            : "no text-to-speech engine: install espeak-ng or set " + MediaSettings.TTS_URL;
        LOG.info("text-to-speech engine: {}", engine == null ? "none" : engine.name());
    }

    /** @return the engine the settings select, or null for none. */
    static TtsEngine choose(final MediaSettings settings)
    {
        final String choice = settings.ttsEngine();
        if (choice.equals("espeak") || choice.equals("auto") && EspeakEngine.findProgram() != null)
        {
            return new EspeakEngine(settings.ttsTimeoutMillis());
        }
        if (choice.equals("http") || choice.equals("auto") && settings.ttsUrl() != null)
        {
            return new HttpTtsEngine(settings.ttsUrl(), settings.ttsToken(), settings.ttsTimeoutMillis(), settings.ttsRetries(),
                HTTP_BACKOFF_MILLIS, (int)Math.min(Integer.MAX_VALUE, settings.maxUploadBytes()));
        }
        return null;
    }

    void generate(final HttpExchange ex)
    {
        final Fields query;
        try
        {
            query = QueryParams.parse(rawQuery(ex.uri()));
        }
        catch (final DecodeException e)
        {
            ex.send(Answer.error(HttpResponseStatus.BAD_REQUEST, "invalid_request", e.getMessage()));
            return;
        }
        final Problems problems = new Problems();
        for (final String name : query.names())
        {
            if (!PARAMETERS.contains(name))
            {
                problems.add(name, "is not a parameter of this endpoint (lang, gender, force)");
            }
        }
        final List<String> catalogLanguages = synthesizer.catalog().languages();
        final String lang = query.optString("lang", "", problems);
        final List<String> languages = lang.isEmpty() ? catalogLanguages : List.of(lang);
        if (!lang.isEmpty() && !catalogLanguages.contains(lang))
        {
            problems.add("lang", "must be one of the catalog languages " + String.join(", ", catalogLanguages));
        }
        final String gender = query.optString("gender", "", problems);
        final VoiceGender voice = VoiceGender.byWireName(gender);
        if (!gender.isEmpty() && voice == null)
        {
            problems.add("gender", "must be male or female");
        }
        final List<VoiceGender> genders = voice == null ? List.of(VoiceGender.values()) : List.of(voice);
        final String forceText = query.optString("force", "", problems);
        final boolean force = forceText.equals("1") || forceText.equals("true");
        if (!force && !forceText.isEmpty() && !forceText.equals("0") && !forceText.equals("false"))
        {
            problems.add("force", "must be 1 or 0");
        }
        if (!problems.isEmpty())
        {
            ex.send(Answer.invalid(problems));
            return;
        }

        final String unavailable = engine == null ? noEngineReason : engine.unavailableReason();
        if (unavailable != null)
        {
            ex.send(Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "tts_unavailable", unavailable));
            return;
        }
        if (!running.compareAndSet(false, true))
        {
            ex.send(Answer.error(HttpResponseStatus.CONFLICT, "tts_in_progress",
                "a prompt generation is already running on this node; retry when it has finished"));
            return;
        }
        if (!ex.offerBlocking(() -> run(ex, languages, genders, force)))
        {
            running.set(false);
        }
    }

    /** Runs on the blocking pool. */
    private void run(final HttpExchange ex, final List<String> languages, final List<VoiceGender> genders, final boolean force)
    {
        final PromptSynthesizer.Report report;
        try
        {
            report = synthesizer.synthesize(engine, languages, genders, force);
        }
        catch (final RuntimeException e)
        {
            running.set(false);
            LOG.error("prompt generation failed", e);
            ex.send(Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", "prompt generation failed"));
            return;
        }
        // Released before answering: a client that sends its next request on our answer must not get 409.
        running.set(false);
        final Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("engine", engine.name());
        detail.put("languages", languages);
        detail.put("genders", genderNames(genders));
        detail.put("force", force);
        detail.put("generated", (long)report.generated().size());
        detail.put("skipped", (long)report.skipped().size());
        detail.put("failed", (long)report.failed().size());
        try
        {
            audit.audit("admin-token", "tts.generate", detail);
        }
        catch (final RuntimeException e)
        {
            LOG.warn("could not journal the audit event of a prompt generation: {}", e.toString());
        }
        if (!report.failed().isEmpty())
        {
            LOG.warn("prompt generation with {}: {} failed, first: {}", engine.name(), report.failed().size(),
                report.failed().get(0));
        }
        ex.send(Answer.json(HttpResponseStatus.OK, Json.write(report.toJson(engine.name()))));
    }

    private static List<String> genderNames(final List<VoiceGender> genders)
    {
        final List<String> names = new ArrayList<>(genders.size());
        for (final VoiceGender g : genders)
        {
            names.add(g.wireName());
        }
        return names;
    }

    private static String rawQuery(final String uri)
    {
        final int q = uri.indexOf('?');
        return q < 0 ? null : uri.substring(q + 1);
    }
}
