package dev.edgeplane.telapi;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TelAPI gateway's knobs as name + default pairs (seed 000's configuration table, plus the ARI
 * settings of docs/SPEC-telapi.md "Settings" and a few {@code TELAPI_} tuning knobs), read
 * once from the environment.
 *
 * <p>{@link #describe} renders every variable the gateway reads with its effective value and secrets
 * redacted; {@code edgeplane env} prints it. Immutable and thread-safe; secrets are never part of
 * {@link #toString()}.
 */
public final class TelapiSettings
{
    /** One documented variable: name, default (null = unset), whether its value is a secret, meaning. */
    public record Variable(String name, String dflt, boolean secret, String meaning)
    {
    }

    /** One variable's effective value for display: {@code value} is already redacted when secret. */
    public record Effective(String name, String value, String source, String meaning)
    {
    }

    public static final String TELAPI_PORT = "TELAPI_PORT";
    public static final String LOG_LEVEL = "LOG_LEVEL";
    public static final String DATABASE_URL = "DATABASE_URL";
    public static final String DATABASE_SSL_MODE = "DATABASE_SSL_MODE";
    public static final String REDIS_HOST = "REDIS_HOST";
    public static final String REDIS_PASSWORD = "REDIS_PASSWORD";
    public static final String REDIS_TLS_ENABLED = "REDIS_TLS_ENABLED";
    public static final String JWT_SECRET = "JWT_SECRET";
    public static final String DOMAIN_TELPRO = "DOMAIN_TELPRO";
    public static final String MEDIA_CACHE_BASE_URL = "TTS_MEDIA_CACHE_BASE_URL";
    public static final String MEDIA_CACHE_UPLOAD_TOKEN = "TTS_MEDIA_CACHE_UPLOAD_TOKEN";
    public static final String MEDIA_CACHE_CA_BUNDLE = "TTS_MEDIA_CACHE_CA_BUNDLE";
    public static final String OTEL_ENABLED = "OTEL_ENABLED";
    public static final String ARI_URL = "ARI_URL";
    public static final String ARI_USERNAME = "ARI_USERNAME";
    public static final String ARI_PASSWORD = "ARI_PASSWORD";
    public static final String ARI_APP = "ARI_APP";
    public static final String ARI_APP_DEFAULT = "telapi";
    /** Lifetime of a call token ({@code POST /tokens/call}). */
    public static final String CALL_TOKEN_TTL_S = "TELAPI_CALL_TOKEN_TTL_S";
    public static final long CALL_TOKEN_TTL_S_DEFAULT = 300;
    /** First ARI reconnect delay; each failure doubles it up to the maximum; each wait is jittered. */
    public static final String ARI_RECONNECT_MIN_MS = "TELAPI_ARI_RECONNECT_MIN_MS";
    public static final long ARI_RECONNECT_MIN_MS_DEFAULT = 250;
    public static final String ARI_RECONNECT_MAX_MS = "TELAPI_ARI_RECONNECT_MAX_MS";
    public static final long ARI_RECONNECT_MAX_MS_DEFAULT = 10_000;
    /** Timeout of one ARI REST call and of the events WebSocket handshake. */
    public static final String ARI_TIMEOUT_MS = "TELAPI_ARI_TIMEOUT_MS";
    public static final long ARI_TIMEOUT_MS_DEFAULT = 5_000;
    /** Timeout of one media cache request. */
    public static final String MEDIA_CACHE_TIMEOUT_MS = "TELAPI_MEDIA_CACHE_TIMEOUT_MS";
    public static final long MEDIA_CACHE_TIMEOUT_MS_DEFAULT = 10_000;

    /** Every variable the gateway reads, in the order {@code edgeplane env} prints them. */
    public static final List<Variable> VARIABLES = List.of(
        new Variable(TELAPI_PORT, "3001", false, "HTTP listen port"),
        new Variable(LOG_LEVEL, "info", false, "application log level"),
        new Variable(DATABASE_URL, null, true, "PostgreSQL connection string (unset: embedded PostgreSQL)"),
        new Variable(DATABASE_SSL_MODE, "disable", false, "disable | require | verify-ca | verify-full"),
        new Variable(REDIS_HOST, null, false, "not used: Edgeplane keeps this state off-heap"),
        new Variable(REDIS_PASSWORD, null, true, "not used: Edgeplane keeps this state off-heap"),
        new Variable(REDIS_TLS_ENABLED, "false", false, "not used: Edgeplane keeps this state off-heap"),
        new Variable(JWT_SECRET, null, true, "verifies web-user tokens (HS256 JWT, NextAuth JWE) and signs call tokens"),
        new Variable(DOMAIN_TELPRO, null, false, "TelPro domain: the WebRTC configuration of call tokens"),
        new Variable(MEDIA_CACHE_BASE_URL, null, false, "HTTPS base URL of the Media service cache"),
        new Variable(MEDIA_CACHE_UPLOAD_TOKEN, null, true, "bearer token for media cache writes / deletes"),
        new Variable(MEDIA_CACHE_CA_BUNDLE, null, true, "raw or base64 PEM CA bundle trusted for the media cache"),
        new Variable(OTEL_ENABLED, "true", false, "OpenTelemetry export of TelAPI traces and metrics over OTLP/HTTP"),
        new Variable(TelapiTelemetry.OTLP_ENDPOINT, TelapiTelemetry.OTLP_ENDPOINT_DEFAULT, false, "OTLP/HTTP collector base URL"),
        new Variable(TelapiTelemetry.SERVICE_NAME, TelapiTelemetry.SERVICE_NAME_DEFAULT, false, "service.name of exported telemetry"),
        new Variable(ARI_URL, null, false, "Asterisk ARI base URL, e.g. http://asterisk:8088"),
        new Variable(ARI_USERNAME, null, false, "ARI user"),
        new Variable(ARI_PASSWORD, null, true, "ARI password"),
        new Variable(ARI_APP, ARI_APP_DEFAULT, false, "Stasis application name of the events WebSocket"),
        new Variable(CALL_TOKEN_TTL_S, Long.toString(CALL_TOKEN_TTL_S_DEFAULT), false, "call token lifetime, seconds"),
        new Variable(ARI_RECONNECT_MIN_MS, Long.toString(ARI_RECONNECT_MIN_MS_DEFAULT), false, "first ARI reconnect delay"),
        new Variable(ARI_RECONNECT_MAX_MS, Long.toString(ARI_RECONNECT_MAX_MS_DEFAULT), false, "largest ARI reconnect delay"),
        new Variable(ARI_TIMEOUT_MS, Long.toString(ARI_TIMEOUT_MS_DEFAULT), false, "ARI REST / handshake timeout"),
        new Variable(MEDIA_CACHE_TIMEOUT_MS, Long.toString(MEDIA_CACHE_TIMEOUT_MS_DEFAULT), false, "media cache request timeout"));

    private final Map<String, String> env;
    private final String jwtSecret;
    private final String domainTelpro;
    private final URI ariUrl;
    private final String ariUsername;
    private final String ariPassword;
    private final String ariApp;
    private final Duration callTokenTtl;
    private final long reconnectMinMs;
    private final long reconnectMaxMs;
    private final Duration ariTimeout;
    private final String mediaCacheBaseUrl;
    private final String mediaCacheUploadToken;
    private final String mediaCacheCaBundle;
    private final Duration mediaCacheTimeout;
    private final boolean otelEnabled;

    private TelapiSettings(final Map<String, String> env)
    {
        this.env = env;
        this.jwtSecret = raw(JWT_SECRET);
        this.domainTelpro = value(DOMAIN_TELPRO, null);
        final String ari = value(ARI_URL, null);
        this.ariUrl = ari == null ? null : parseHttpUrl(ARI_URL, ari);
        this.ariUsername = value(ARI_USERNAME, "");
        this.ariPassword = raw(ARI_PASSWORD) == null ? "" : raw(ARI_PASSWORD);
        this.ariApp = value(ARI_APP, ARI_APP_DEFAULT);
        this.callTokenTtl = Duration.ofSeconds(positive(CALL_TOKEN_TTL_S, CALL_TOKEN_TTL_S_DEFAULT));
        this.reconnectMinMs = positive(ARI_RECONNECT_MIN_MS, ARI_RECONNECT_MIN_MS_DEFAULT);
        this.reconnectMaxMs = Math.max(reconnectMinMs, positive(ARI_RECONNECT_MAX_MS, ARI_RECONNECT_MAX_MS_DEFAULT));
        this.ariTimeout = Duration.ofMillis(positive(ARI_TIMEOUT_MS, ARI_TIMEOUT_MS_DEFAULT));
        this.mediaCacheBaseUrl = value(MEDIA_CACHE_BASE_URL, null);
        this.mediaCacheUploadToken = value(MEDIA_CACHE_UPLOAD_TOKEN, null);
        this.mediaCacheCaBundle = raw(MEDIA_CACHE_CA_BUNDLE);
        this.mediaCacheTimeout = Duration.ofMillis(positive(MEDIA_CACHE_TIMEOUT_MS, MEDIA_CACHE_TIMEOUT_MS_DEFAULT));
        this.otelEnabled = bool(OTEL_ENABLED, true);
        bool(REDIS_TLS_ENABLED, false); // validated so a typo is refused at start-up like every other knob
    }

    /** Reads the given variables (the server passes its environment, tests their own). */
    public static TelapiSettings from(final Map<String, String> env)
    {
        return new TelapiSettings(env);
    }

    private String raw(final String name)
    {
        final String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private String value(final String name, final String dflt)
    {
        final String v = env.get(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private long positive(final String name, final long dflt)
    {
        final String v = value(name, null);
        if (v == null)
        {
            return dflt;
        }
        try
        {
            final long parsed = Long.parseLong(v);
            if (parsed <= 0)
            {
                throw new NumberFormatException();
            }
            return parsed;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be a positive integer, not '" + v + "'");
        }
    }

    private boolean bool(final String name, final boolean dflt)
    {
        final String v = value(name, null);
        if (v == null)
        {
            return dflt;
        }
        switch (v.toLowerCase(Locale.ROOT))
        {
            case "true", "1", "yes", "on":
                return true;
            case "false", "0", "no", "off":
                return false;
            default:
                throw new IllegalArgumentException(name + " must be true or false, not '" + v + "'");
        }
    }

    private static URI parseHttpUrl(final String name, final String v)
    {
        try
        {
            final URI uri = new URI(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null)
            {
                throw new IllegalArgumentException(name + " must be an http(s) URL such as http://asterisk:8088, not '" + v + "'");
            }
            return uri;
        }
        catch (final java.net.URISyntaxException e)
        {
            throw new IllegalArgumentException(name + " is not a URL: " + e.getMessage());
        }
    }

    /** @return the variables these settings were read from (the telemetry exporter reads its standard OTEL_* knobs). */
    public Map<String, String> environment()
    {
        return env;
    }

    /** @return the shared HS256 / NextAuth secret, or null when unset (then every bearer is refused). */
    public String jwtSecret()
    {
        return jwtSecret;
    }

    public String domainTelpro()
    {
        return domainTelpro;
    }

    /** @return ARI's base URL without a trailing slash, or null when unset (no channel WebSocket then). */
    public URI ariUrl()
    {
        return ariUrl;
    }

    public String ariUsername()
    {
        return ariUsername;
    }

    public String ariPassword()
    {
        return ariPassword;
    }

    public String ariApp()
    {
        return ariApp;
    }

    public Duration callTokenTtl()
    {
        return callTokenTtl;
    }

    public long reconnectMinMs()
    {
        return reconnectMinMs;
    }

    public long reconnectMaxMs()
    {
        return reconnectMaxMs;
    }

    public Duration ariTimeout()
    {
        return ariTimeout;
    }

    public String mediaCacheBaseUrl()
    {
        return mediaCacheBaseUrl;
    }

    public String mediaCacheUploadToken()
    {
        return mediaCacheUploadToken;
    }

    /** @return the CA bundle as configured (raw PEM or base64 of it), or null. */
    public String mediaCacheCaBundle()
    {
        return mediaCacheCaBundle;
    }

    public Duration mediaCacheTimeout()
    {
        return mediaCacheTimeout;
    }

    public boolean otelEnabled()
    {
        return otelEnabled;
    }

    /** @return the {@code REDIS_*} variables that are set (they are not used; start-up says so). */
    public List<String> redisVariablesSet()
    {
        final List<String> set = new ArrayList<>();
        for (final String name : List.of(REDIS_HOST, REDIS_PASSWORD, REDIS_TLS_ENABLED))
        {
            if (value(name, null) != null)
            {
                set.add(name);
            }
        }
        return set;
    }

    /** @return every variable with its effective value, secrets redacted, for {@code edgeplane env}. */
    public List<Effective> describe()
    {
        final List<Effective> out = new ArrayList<>(VARIABLES.size());
        for (final Variable v : VARIABLES)
        {
            final String set = raw(v.name());
            final String source = set != null ? "env" : v.dflt() != null ? "default" : "unset";
            final String value = set != null ? set : v.dflt();
            out.add(new Effective(v.name(), v.secret() ? redact(v.name(), value) : value, source, v.meaning()));
        }
        return out;
    }

    /**
     * Redacts a secret for display: its presence and length, never a character of it; for
     * {@code DATABASE_URL} the URL with its password replaced, so the host can still be checked.
     */
    static String redact(final String name, final String value)
    {
        if (value == null)
        {
            return null;
        }
        if (DATABASE_URL.equals(name))
        {
            return value.replaceAll("(?<=://)([^:/@]*):[^@/]*@", "$1:****@").replaceAll("(?i)(password=)[^&]*", "$1****");
        }
        return "**** (set, " + value.length() + " characters)";
    }

    @Override
    public String toString()
    {
        return "TelapiSettings{ari=" + ariUrl + ", app=" + ariApp + ", domainTelpro=" + domainTelpro
            + ", mediaCache=" + mediaCacheBaseUrl + ", jwtSecret=" + (jwtSecret == null ? "unset" : "set") + "}";
    }
}
