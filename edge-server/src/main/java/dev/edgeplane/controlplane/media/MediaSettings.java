package dev.edgeplane.controlplane.media;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import dev.edgeplane.server.EdgeSettings;

/**
 * The media and TTS knobs as name + default pairs, read once at start-up.
 *
 * @param maxUploadBytes   largest {@code PUT /media/{key}} body; a larger declared length is refused
 *                         with 413 before anything is read.
 * @param maxResponseBytes most bytes one {@code GET /media/{key}} answer carries: answers are built in
 *                         memory, so a larger object is served in ranges ({@code Range} requests are
 *                         shortened to this size, a plain GET of a larger object is refused with
 *                         {@code range_required}).
 * @param ttsEngine        {@code espeak}, {@code http}, {@code none}, or {@code auto} (the default:
 *                         espeak when {@code espeak-ng} is on the PATH, else http when a URL is set,
 *                         else none).
 * @param ttsUrl           the HTTP provider's endpoint, or null.
 * @param ttsToken         the HTTP provider's bearer token ("" for none); never logged.
 * @param ttsTimeoutMillis limit for one synthesis (one espeak-ng run, one HTTP attempt).
 * @param ttsRetries       extra HTTP attempts after a 429, a 5xx or a transport error.
 */
public record MediaSettings(
    long maxUploadBytes,
    int maxResponseBytes,
    String ttsEngine,
    URI ttsUrl,
    String ttsToken,
    long ttsTimeoutMillis,
    int ttsRetries)
{
    public static final String MEDIA_MAX_BYTES = "EDGEPLANE_MEDIA_MAX_BYTES";
    public static final long MEDIA_MAX_BYTES_DEFAULT = 50L << 20;
    public static final String MEDIA_MAX_RESPONSE_BYTES = "EDGEPLANE_MEDIA_MAX_RESPONSE_BYTES";
    public static final int MEDIA_MAX_RESPONSE_BYTES_DEFAULT = 16 << 20;
    public static final String TTS_ENGINE = "EDGEPLANE_TTS_ENGINE";
    public static final String TTS_URL = "EDGEPLANE_TTS_URL";
    public static final String TTS_TOKEN = "EDGEPLANE_TTS_TOKEN";
    public static final String TTS_TIMEOUT_MS = "EDGEPLANE_TTS_TIMEOUT_MS";
    public static final long TTS_TIMEOUT_MS_DEFAULT = 30_000;
    public static final String TTS_RETRIES = "EDGEPLANE_TTS_RETRIES";
    public static final int TTS_RETRIES_DEFAULT = 2;

    /** @throws IllegalArgumentException on a malformed value (start-up fails with the variable's name). */
    public static MediaSettings from(final EdgeSettings s)
    {
        final String engine = s.value(TTS_ENGINE, "auto").toLowerCase(Locale.ROOT);
        if (!engine.equals("auto") && !engine.equals("espeak") && !engine.equals("http") && !engine.equals("none"))
        {
            throw new IllegalArgumentException(TTS_ENGINE + " must be espeak, http, none or auto, not '" + engine + "'");
        }
        final String url = s.value(TTS_URL, null);
        URI uri = null;
        if (url != null)
        {
            try
            {
                uri = new URI(url);
            }
            catch (final URISyntaxException e)
            {
                throw new IllegalArgumentException(TTS_URL + " is not a URL: " + e.getMessage());
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null)
            {
                throw new IllegalArgumentException(TTS_URL + " must be an http:// or https:// URL with a host");
            }
        }
        if (engine.equals("http") && uri == null)
        {
            throw new IllegalArgumentException(TTS_ENGINE + "=http needs " + TTS_URL);
        }
        return new MediaSettings(
            number(s, MEDIA_MAX_BYTES, MEDIA_MAX_BYTES_DEFAULT, 1, Integer.MAX_VALUE),
            (int)number(s, MEDIA_MAX_RESPONSE_BYTES, MEDIA_MAX_RESPONSE_BYTES_DEFAULT, 1, 1 << 30),
            engine,
            uri,
            s.value(TTS_TOKEN, ""),
            number(s, TTS_TIMEOUT_MS, TTS_TIMEOUT_MS_DEFAULT, 1, 600_000),
            (int)number(s, TTS_RETRIES, TTS_RETRIES_DEFAULT, 0, 10));
    }

    private static long number(final EdgeSettings s, final String name, final long dflt, final long min, final long max)
    {
        final String v = s.value(name, null);
        if (v == null)
        {
            return dflt;
        }
        try
        {
            final long n = Long.parseLong(v);
            if (n < min || n > max)
            {
                throw new NumberFormatException();
            }
            return n;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be an integer between " + min + " and " + max + ", not '" + v + "'");
        }
    }

    /** Keeps the token out of logs and exception messages that print the settings. */
    @Override
    public String toString()
    {
        return "MediaSettings[maxUploadBytes=" + maxUploadBytes + ", maxResponseBytes=" + maxResponseBytes
            + ", ttsEngine=" + ttsEngine + ", ttsUrl=" + ttsUrl + ", ttsToken=" + (ttsToken.isEmpty() ? "" : "***")
            + ", ttsTimeoutMillis=" + ttsTimeoutMillis + ", ttsRetries=" + ttsRetries + "]";
    }
}
