package dev.edgeplane.telapi;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

/**
 * The TTS media cache client (seed 000, "TTS media cache"): HTTPS to {@code TTS_MEDIA_CACHE_BASE_URL}
 * trusting only {@link MediaCacheTls}, {@code GET {base}/{key}} to read, {@code PUT} / {@code DELETE}
 * with {@code Authorization: Bearer TTS_MEDIA_CACHE_UPLOAD_TOKEN} to write. Keys are media keys
 * ({@code [A-Za-z0-9._/-]}, the control plane's {@code /media/*} rule). A TLS failure comes back as a
 * {@link Result} whose {@code error} explains it (e.g. a self-signed or unknown CA) instead of an
 * exception.
 *
 * <p>Threading: the methods block (they are for the blocking pool and the CLI, never an event loop);
 * thread-safe. The JDK HTTP client runs on its own executor.
 */
public final class TtsMediaCache implements AutoCloseable
{
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    /** One answer: HTTP status (0 when there was none), body, and an explanation when it failed. */
    public record Result(int status, byte[] body, String error)
    {
        public boolean ok()
        {
            return status >= 200 && status < 300;
        }
    }

    private final URI base;
    private final String uploadToken;
    private final MediaCacheTls tls;
    private final Duration timeout;
    private final ExecutorService executor;
    private final HttpClient http;
    private final String configProblem;

    public TtsMediaCache(final String baseUrl, final String uploadToken, final MediaCacheTls tls, final Duration timeout)
    {
        this.uploadToken = uploadToken;
        this.tls = tls;
        this.timeout = timeout;
        URI parsed = null;
        String problem = null;
        try
        {
            parsed = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
            if (!"https".equals(parsed.getScheme()) || parsed.getHost() == null)
            {
                problem = "TTS_MEDIA_CACHE_BASE_URL must be an https:// URL with a host";
            }
        }
        catch (final IllegalArgumentException e)
        {
            problem = "TTS_MEDIA_CACHE_BASE_URL is not a URL: " + e.getMessage();
        }
        if (problem == null && tls.context() == null)
        {
            problem = tls.problem();
        }
        this.base = parsed;
        this.configProblem = problem;
        this.executor = Executors.newFixedThreadPool(1, r ->
        {
            final Thread t = new Thread(r, "telapi-media-cache");
            t.setDaemon(true);
            return t;
        });
        this.http = problem != null ? null : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
            .sslContext(tls.context()).connectTimeout(timeout).build();
    }

    /** Builds the client the settings describe, or null when {@code TTS_MEDIA_CACHE_BASE_URL} is unset. */
    public static TtsMediaCache from(final TelapiSettings settings)
    {
        if (settings.mediaCacheBaseUrl() == null)
        {
            return null;
        }
        return new TtsMediaCache(settings.mediaCacheBaseUrl(), settings.mediaCacheUploadToken(),
            MediaCacheTls.fromBundle(settings.mediaCacheCaBundle()), settings.mediaCacheTimeout());
    }

    public MediaCacheTls tls()
    {
        return tls;
    }

    public URI base()
    {
        return base;
    }

    /** @return why no request can be made (bad URL or unusable bundle), or null. */
    public String configProblem()
    {
        return configProblem;
    }

    /** @return the sanitized start-up {@code tlsDiag} (no URL path, no token, no bundle bytes). */
    public Map<String, Object> diag()
    {
        final Map<String, Object> d = tls.diag();
        d.put("mediaCacheHost", base == null ? null : base.getHost() + (base.getPort() > 0 ? ":" + base.getPort() : ""));
        d.put("uploadTokenSet", uploadToken != null);
        if (configProblem != null)
        {
            d.put("problem", configProblem);
        }
        return d;
    }

    public Result get(final String key)
    {
        return send("GET", key, null, null, false);
    }

    public Result put(final String key, final byte[] content, final String contentType)
    {
        return send("PUT", key, content, contentType, true);
    }

    public Result delete(final String key)
    {
        return send("DELETE", key, null, null, true);
    }

    /** A {@code HEAD} of the base URL: any HTTP answer means the TLS handshake with this trust worked. */
    public Result probe()
    {
        return send("HEAD", null, null, null, false);
    }

    private Result send(final String method, final String key, final byte[] content, final String contentType, final boolean write)
    {
        if (configProblem != null)
        {
            return new Result(0, new byte[0], configProblem);
        }
        if (key != null && (key.length() > 256 || !KEY.matcher(key).matches()))
        {
            return new Result(0, new byte[0], "media key must be 1-256 of [A-Za-z0-9._/-] without empty segments");
        }
        if (write && uploadToken == null)
        {
            return new Result(0, new byte[0], "TTS_MEDIA_CACHE_UPLOAD_TOKEN is not set: writes and deletes need it");
        }
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + (key == null ? "/" : "/" + key))).timeout(timeout);
        if (write)
        {
            b.header("Authorization", "Bearer " + uploadToken);
        }
        if (content != null)
        {
            b.header("Content-Type", contentType == null ? "application/octet-stream" : contentType);
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(content));
        }
        else
        {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try
        {
            final HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            final boolean ok = r.statusCode() >= 200 && r.statusCode() < 300;
            return new Result(r.statusCode(), r.body(), ok ? null : method + " " + (key == null ? "/" : key) + " answered " + r.statusCode()
                + (r.statusCode() == 401 || r.statusCode() == 403 ? " (check TTS_MEDIA_CACHE_UPLOAD_TOKEN)" : ""));
        }
        catch (final SSLException e)
        {
            return new Result(0, new byte[0], explain(e));
        }
        catch (final IOException e)
        {
            final SSLException ssl = find(e);
            return new Result(0, new byte[0], ssl != null ? explain(ssl) : "media cache unreachable: " + AriClient.rootMessage(e));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new Result(0, new byte[0], "interrupted");
        }
    }

    private static SSLException find(final Throwable e)
    {
        for (Throwable t = e; t != null; t = t.getCause())
        {
            if (t instanceof SSLException s)
            {
                return s;
            }
        }
        return null;
    }

    /** Turns a handshake failure into the operator's next step (the seed's DEPTH_ZERO_SELF_SIGNED_CERT row). */
    String explain(final SSLException e)
    {
        final String root = AriClient.rootMessage(e);
        final String trust = tls.certificates().isEmpty()
            ? "TTS_MEDIA_CACHE_CA_BUNDLE is empty, so only the JDK's default CAs are trusted"
            : "TTS_MEDIA_CACHE_CA_BUNDLE holds " + tls.certificates().size() + " CA certificate(s) (" + String.join("; ",
                tls.certificates().stream().map(c -> c.getSubjectX500Principal().getName()).toList()) + ")";
        if (root.contains("PKIX") || root.contains("certification path") || root.contains("unable to find valid"))
        {
            return "TLS handshake failed: the media host's certificate does not chain to a trusted CA (self-signed or unknown "
                + "CA, what Node reports as DEPTH_ZERO_SELF_SIGNED_CERT / SELF_SIGNED_CERT_IN_CHAIN); " + trust
                + ". Fix: put the media host's CA in TTS_MEDIA_CACHE_CA_BUNDLE (raw or base64 PEM). Detail: " + root;
        }
        if (root.contains("subject alternative") || root.contains("No name matching") || root.contains("hostname"))
        {
            return "TLS handshake failed: the media host's certificate is not issued for " + base.getHost()
                + " (check TTS_MEDIA_CACHE_BASE_URL's host against the certificate's names). Detail: " + root;
        }
        return "TLS handshake failed (" + trust + "): " + root;
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
