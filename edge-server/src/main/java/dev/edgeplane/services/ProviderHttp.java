package dev.edgeplane.services;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provider's HTTP transport: JSON over {@link HttpClient} with a per-attempt timeout and bounded retries.
 *
 * <p>Retry rules: a 429 is always retried (the provider refused before acting), after the delay its
 * {@code Retry-After} (seconds or HTTP date) or rate-limit reset header ({@code X-RateLimit-Reset} /
 * {@code RateLimit-Reset}: delta seconds, epoch seconds or epoch milliseconds) asks for, or, when it names none,
 * exponential back-off with full jitter; a wait longer than {@code SERVICES_PROVIDER_MAX_WAIT_MS} gives up at once.
 * A connection refused is always retried (nothing was sent). A timeout or a 5xx is retried only for an
 * {@code idempotent} call: a create that timed out may have happened, and its caller looks it up before trying again.
 * Other 4xx fail at once.
 *
 * <p>Logs name the provider, method, path and status only: never headers (the bearer), query values or bodies.
 *
 * <p>Thread-safe. Blocking: call only from a worker thread, never an event loop.
 */
final class ProviderHttp
{
    private static final Logger LOG = LoggerFactory.getLogger(ProviderHttp.class);
    private static final long BACKOFF_CAP_MILLIS = 10_000;

    /** A successful answer: status, parsed JSON body ({@code Map.of()} when empty). */
    record Answer(int status, Object body, HttpHeaders headers)
    {
    }

    private final String provider;
    private final String baseUrl;
    private final String bearer;
    private final ServicesSettings settings;
    private final HttpClient client;

    ProviderHttp(final String provider, final String baseUrl, final String bearer, final ServicesSettings settings)
    {
        this.provider = provider;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.bearer = bearer;
        this.settings = settings;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    String provider()
    {
        return provider;
    }

    boolean hasCredentials()
    {
        return !bearer.isEmpty();
    }

    /**
     * Sends one call, retrying as the class documents.
     *
     * @param pathAndQuery appended to the base URL (already encoded).
     * @param body a JSON tree, or null for no body.
     * @throws ProviderException when the call did not succeed.
     */
    Answer call(final String method, final String pathAndQuery, final Object body, final boolean idempotent)
    {
        final byte[] bytes = body == null ? null : Json.write(body);
        final String path = pathOnly(pathAndQuery);
        for (int attempt = 0; ; attempt++)
        {
            final boolean last = attempt >= settings.retries();
            final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(settings.timeout())
                .header("Accept", "application/json")
                .method(method, bytes == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
            if (bytes != null)
            {
                b.header("Content-Type", "application/json");
            }
            if (!bearer.isEmpty())
            {
                b.header("Authorization", "Bearer " + bearer);
            }
            final HttpResponse<byte[]> response;
            try
            {
                response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            }
            catch (final IOException e)
            {
                final boolean nothingSent = e instanceof ConnectException;
                final String what = e instanceof HttpTimeoutException ? "timed out" : "connection failed (" + e.getClass().getSimpleName() + ")";
                if (!last && (nothingSent || idempotent))
                {
                    pause(provider + " " + method + " " + path + " " + what, attempt, backoff(attempt));
                    continue;
                }
                throw new ProviderException(provider, 0, method + " " + path + " " + what + " after " + (attempt + 1)
                    + " attempt(s)", false, !nothingSent);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new ProviderException(provider, 0, method + " " + path + " interrupted", false, true);
            }
            final int status = response.statusCode();
            if (status >= 200 && status < 300)
            {
                return new Answer(status, parse(response.body()), response.headers());
            }
            if (status == 429 && !last)
            {
                final long wait = rateLimitWait(response.headers()).orElse(backoff(attempt));
                if (wait <= settings.maxWaitMillis())
                {
                    pause(provider + " " + method + " " + path + " 429", attempt, wait);
                    continue;
                }
            }
            else if (status >= 500 && idempotent && !last)
            {
                final long wait = status == 503 ? rateLimitWait(response.headers()).orElse(backoff(attempt)) : backoff(attempt);
                if (wait <= settings.maxWaitMillis())
                {
                    pause(provider + " " + method + " " + path + " " + status, attempt, wait);
                    continue;
                }
            }
            throw new ProviderException(provider, status, method + " " + path + " answered " + status
                + redact(errorSummary(response.body())) + (status == 429 || status >= 500 ? " after " + (attempt + 1) + " attempt(s)" : ""),
                status == 404, status >= 500);
        }
    }

    private long backoff(final int attempt)
    {
        final long ceiling = Math.min(BACKOFF_CAP_MILLIS, settings.backoffMillis() << Math.min(attempt, 16));
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    }

    private void pause(final String what, final int attempt, final long millis)
    {
        LOG.warn("{}; retry {} of {} in {} ms", what, attempt + 1, settings.retries(), millis);
        if (millis <= 0)
        {
            return;
        }
        try
        {
            Thread.sleep(millis); // a worker thread, never an event loop
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ProviderException(provider, 0, what + ": interrupted while waiting to retry", false, true);
        }
    }

    /** @return the wait a 429/503 asks for, in milliseconds, from Retry-After or a rate-limit reset header. */
    static OptionalLong rateLimitWait(final HttpHeaders headers)
    {
        final long now = System.currentTimeMillis();
        final String retryAfter = headers.firstValue("Retry-After").orElse(null);
        if (retryAfter != null)
        {
            final String v = retryAfter.trim();
            try
            {
                return OptionalLong.of(Math.max(0, Math.round(Double.parseDouble(v) * 1000)));
            }
            catch (final NumberFormatException notSeconds)
            {
                try
                {
                    final long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                    return OptionalLong.of(Math.max(0, at - now));
                }
                catch (final DateTimeParseException ignored)
                {
                    // fall through to the reset headers
                }
            }
        }
        for (final String name : List.of("X-RateLimit-Reset", "RateLimit-Reset", "X-Ratelimit-Reset-Requests"))
        {
            final String v = headers.firstValue(name).orElse(null);
            if (v == null)
            {
                continue;
            }
            try
            {
                final double d = Double.parseDouble(v.trim().replaceAll("s$", ""));
                if (d > 1e12)
                {
                    return OptionalLong.of(Math.max(0, (long)d - now)); // epoch milliseconds (OpenRouter)
                }
                if (d > 1e9)
                {
                    return OptionalLong.of(Math.max(0, (long)(d * 1000) - now)); // epoch seconds
                }
                return OptionalLong.of(Math.max(0, Math.round(d * 1000))); // delta seconds
            }
            catch (final NumberFormatException ignored)
            {
                // not a number: ignore the header
            }
        }
        return OptionalLong.empty();
    }

    private Object parse(final byte[] body)
    {
        if (body.length == 0)
        {
            return Map.of();
        }
        try
        {
            return Json.parse(body, 0, body.length);
        }
        catch (final DecodeException e)
        {
            throw new ProviderException(provider, 200, "answered malformed JSON: " + e.getMessage(), false, true);
        }
    }

    /** A provider that echoes the credential in its error text must not put it into our logs or answers. */
    private String redact(final String text)
    {
        return bearer.length() >= 4 && text.contains(bearer) ? text.replace(bearer, "***") : text;
    }

    /** A provider's own error text (message/title/detail), shortened; bodies are never echoed whole. */
    private static String errorSummary(final byte[] body)
    {
        try
        {
            final Object tree = body.length == 0 ? null : Json.parse(body, 0, body.length);
            final String text = findMessage(tree, 0);
            return text == null ? "" : ": " + (text.length() > 160 ? text.substring(0, 160) + "…" : text);
        }
        catch (final DecodeException e)
        {
            return "";
        }
    }

    private static String findMessage(final Object tree, final int depth)
    {
        if (depth > 3)
        {
            return null;
        }
        if (tree instanceof Map<?, ?> m)
        {
            for (final String k : List.of("message", "detail", "title"))
            {
                if (m.get(k) instanceof String s)
                {
                    return s;
                }
            }
            for (final String k : List.of("error", "errors"))
            {
                final String s = findMessage(m.get(k), depth + 1);
                if (s != null)
                {
                    return s;
                }
            }
        }
        else if (tree instanceof List<?> l && !l.isEmpty())
        {
            return findMessage(l.get(0), depth + 1);
        }
        return null;
    }

    private static String pathOnly(final String pathAndQuery)
    {
        final int q = pathAndQuery.indexOf('?');
        final String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        return path.isEmpty() ? "/" : path;
    }
}
