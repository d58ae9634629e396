package dev.edgeplane.controlplane.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Json;

/**
 * Synthesizes through an HTTP provider: {@code POST <EDGEPLANE_TTS_URL>} with the JSON body
 * {@code {"text","lang","gender"}}, {@code Authorization: Bearer <EDGEPLANE_TTS_TOKEN>} (when a token
 * is set) and {@code Accept: audio/wav}; a 2xx answer's body is the audio.
 *
 * <p>Each attempt is bounded by the timeout. A 429, a 5xx or a transport error (refused, reset,
 * timed out) is retried up to {@code retries} more times, waiting {@code Retry-After} (at most
 * {@value #MAX_WAIT_MILLIS} ms) or an exponential backoff; any other status fails at once (a 401 will
 * not get better). The token is sent only in the header: it is never logged, and it is scrubbed from
 * any provider text quoted in an error message.
 *
 * <p>Thread-safe: one shared {@link HttpClient}; {@link #synthesize} blocks the calling thread.
 */
public final class HttpTtsEngine implements TtsEngine
{
    static final long MAX_WAIT_MILLIS = 5_000;
    private static final int MAX_ERROR_TEXT = 200;

    private final URI url;
    private final String token;
    private final Duration timeout;
    private final int retries;
    private final long backoffMillis;
    private final int maxAudioBytes;
    private final HttpClient client;

    /**
     * @param token         bearer token, "" for none.
     * @param backoffMillis the first retry's delay, doubled for each further one.
     * @param maxAudioBytes a larger answer is refused (it would not fit the media store anyway).
     */
    public HttpTtsEngine(final URI url, final String token, final long timeoutMillis, final int retries,
        final long backoffMillis, final int maxAudioBytes)
    {
        this.url = url;
        this.token = token == null ? "" : token;
        this.timeout = Duration.ofMillis(timeoutMillis);
        this.retries = retries;
        this.backoffMillis = backoffMillis;
        this.maxAudioBytes = maxAudioBytes;
        this.client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    }

    @Override
    public String name()
    {
        return "http";
    }

    @Override
    public String unavailableReason()
    {
        return null;
    }

    @Override
    public byte[] synthesize(final String text, final String lang, final VoiceGender gender) throws TtsException
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text);
        body.put("lang", lang);
        body.put("gender", gender.wireName());
        final HttpRequest.Builder builder = HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "audio/wav")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        if (!token.isEmpty())
        {
            builder.header("Authorization", "Bearer " + token);
        }
        final HttpRequest request = builder.build();

        String lastFailure = null;
        for (int attempt = 0; attempt <= retries; attempt++)
        {
            long waitMillis = backoffMillis << Math.min(attempt, 16);
            try
            {
                final HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body())
                {
                    final int status = response.statusCode();
                    if (status >= 200 && status < 300)
                    {
                        final byte[] audio = in.readNBytes(maxAudioBytes + 1);
                        if (audio.length > maxAudioBytes)
                        {
                            throw new TtsException("the TTS provider answered more than " + maxAudioBytes + " bytes");
                        }
                        if (audio.length == 0)
                        {
                            throw new TtsException("the TTS provider answered " + status + " with no audio");
                        }
                        return audio;
                    }
                    lastFailure = "the TTS provider answered " + status + errorText(in);
                    if (status != 429 && status < 500)
                    {
                        throw new TtsException(lastFailure);
                    }
                    final Long retryAfter = retryAfterMillis(response);
                    if (retryAfter != null)
                    {
                        waitMillis = retryAfter;
                    }
                }
            }
            catch (final IOException e)
            {
                lastFailure = "the TTS provider could not be reached: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + scrub(e.getMessage()));
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new TtsException("the TTS request was interrupted", e);
            }
            if (attempt < retries)
            {
                try
                {
                    Thread.sleep(Math.min(waitMillis, MAX_WAIT_MILLIS));
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    throw new TtsException("the TTS request was interrupted", e);
                }
            }
        }
        throw new TtsException(lastFailure + " (after " + (retries + 1) + " attempts)");
    }

    private static Long retryAfterMillis(final HttpResponse<?> response)
    {
        final String value = response.headers().firstValue("Retry-After").orElse(null);
        if (value == null)
        {
            return null;
        }
        try
        {
            return Math.max(0, Long.parseLong(value.trim())) * 1000;
        }
        catch (final NumberFormatException e)
        {
            return null; // an HTTP-date: fall back to the backoff
        }
    }

    /** @return ": <the start of the provider's text>" with the token removed, or "". */
    private String errorText(final InputStream in) throws IOException
    {
        final String text = new String(in.readNBytes(MAX_ERROR_TEXT), StandardCharsets.UTF_8).strip();
        if (text.isEmpty())
        {
            return "";
        }
        final StringBuilder clean = new StringBuilder(text.length());
        for (final char c : scrub(text).toCharArray())
        {
            clean.append(c < ' ' ? ' ' : c);
        }
        return ": " + clean;
    }

    private String scrub(final String text)
    {
        return token.isEmpty() ? text : text.replace(token, "***");
    }

    @Override
    public String toString()
    {
        return "HttpTtsEngine[" + url + "]";
    }
}
