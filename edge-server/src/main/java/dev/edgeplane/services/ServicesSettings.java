package dev.edgeplane.services;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the services API (seed 002, "Environment variables", and docs/SPEC-services.md, "Wire
 * details") as a name + default pair, read once from the server's environment. Secrets are held here and handed
 * to the provider clients; {@link #toString()} names which are set, never their values.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServicesSettings
{
    public static final String API_KEY = "SERVICES_API_KEY";
    public static final String SERVICE_DATABASE_URL = "SERVICE_DATABASE_URL";
    public static final String POOL_DATABASE_URL = "POOL_DATABASE_URL";

    public static final String RAILWAY_API_URL = "RAILWAY_API_URL";
    public static final String RAILWAY_API_URL_DEFAULT = "https://backboard.railway.com/graphql/v2";
    public static final String RAILWAY_API_TOKEN = "RAILWAY_API_TOKEN";
    public static final String RAILWAY_PROJECT_ID = "RAILWAY_PROJECT_ID";
    public static final String RAILWAY_ENVIRONMENT_ID = "RAILWAY_ENVIRONMENT_ID";
    public static final String RAILWAY_ENVIRONMENT_NAME = "RAILWAY_ENVIRONMENT_NAME";
    public static final String RAILWAY_RUNTIME_IMAGE = "RAILWAY_RUNTIME_IMAGE";
    public static final String RAILWAY_RUNTIME_IMAGE_DEFAULT = "ghcr.io/xmtplabs/convos-runtime:latest";
    /** Where the instance's volume is mounted (not in the seed). */
    public static final String RAILWAY_VOLUME_MOUNT = "RAILWAY_VOLUME_MOUNT_PATH";
    public static final String RAILWAY_VOLUME_MOUNT_DEFAULT = "/data";

    public static final String OPENROUTER_API_URL = "OPENROUTER_API_URL";
    public static final String OPENROUTER_API_URL_DEFAULT = "https://openrouter.ai/api/v1";
    public static final String OPENROUTER_MANAGEMENT_KEY = "OPENROUTER_MANAGEMENT_KEY";
    public static final String OPENROUTER_KEY_LIMIT = "OPENROUTER_KEY_LIMIT";
    public static final String OPENROUTER_KEY_LIMIT_DEFAULT = "20";
    public static final String OPENROUTER_KEY_LIMIT_RESET = "OPENROUTER_KEY_LIMIT_RESET";
    public static final String OPENROUTER_KEY_LIMIT_RESET_DEFAULT = "monthly";

    public static final String AGENTMAIL_API_URL = "AGENTMAIL_API_URL";
    public static final String AGENTMAIL_API_URL_DEFAULT = "https://api.agentmail.to/v0";
    public static final String AGENTMAIL_API_KEY = "AGENTMAIL_API_KEY";
    public static final String AGENTMAIL_DOMAIN = "AGENTMAIL_DOMAIN";

    public static final String TELNYX_API_URL = "TELNYX_API_URL";
    public static final String TELNYX_API_URL_DEFAULT = "https://api.telnyx.com/v2";
    public static final String TELNYX_API_KEY = "TELNYX_API_KEY";
    /** Country searched for a number (not in the seed). */
    public static final String TELNYX_COUNTRY = "TELNYX_COUNTRY_CODE";
    public static final String TELNYX_COUNTRY_DEFAULT = "US";

    /** Instance variables passed through to every runtime (seed, "Instance env vars"). */
    public static final List<String> PASS_THROUGH = List.of(
        "OPENCLAW_PRIMARY_MODEL", "XMTP_ENV", "POOL_API_KEY", "BANKR_API_KEY", "TELNYX_PHONE_NUMBER",
        "TELNYX_MESSAGING_PROFILE_ID");
    public static final String TELNYX_MESSAGING_PROFILE_ID = "TELNYX_MESSAGING_PROFILE_ID";

    /** Per-attempt timeout of a provider call. */
    public static final String PROVIDER_TIMEOUT_MS = "SERVICES_PROVIDER_TIMEOUT_MS";
    public static final long PROVIDER_TIMEOUT_MS_DEFAULT = 15_000;
    /** Retries of a provider call on 429, 5xx and connection failures (so attempts = retries + 1). */
    public static final String PROVIDER_RETRIES = "SERVICES_PROVIDER_RETRIES";
    public static final int PROVIDER_RETRIES_DEFAULT = 3;
    /** First back-off delay; doubles per retry, full jitter. */
    public static final String PROVIDER_BACKOFF_MS = "SERVICES_PROVIDER_BACKOFF_MS";
    public static final long PROVIDER_BACKOFF_MS_DEFAULT = 250;
    /** Longest wait a provider's Retry-After or rate-limit reset may impose before the call gives up. */
    public static final String PROVIDER_MAX_WAIT_MS = "SERVICES_PROVIDER_MAX_WAIT_MS";
    public static final long PROVIDER_MAX_WAIT_MS_DEFAULT = 30_000;
    /** Threads running provisioning work (provider calls and services JDBC), never an event loop. */
    public static final String WORKERS = "SERVICES_WORKERS";
    public static final int WORKERS_DEFAULT = 8;
    public static final String QUEUE = "SERVICES_QUEUE";
    public static final int QUEUE_DEFAULT = 256;

    private final Map<String, String> env;
    private final String apiKey;
    private final Duration timeout;
    private final int retries;
    private final long backoffMillis;
    private final long maxWaitMillis;

    private ServicesSettings(final Map<String, String> env)
    {
        this.env = Map.copyOf(env);
        this.apiKey = value(API_KEY, "");
        this.timeout = Duration.ofMillis(positive(PROVIDER_TIMEOUT_MS, PROVIDER_TIMEOUT_MS_DEFAULT));
        this.retries = (int)Math.min(10, nonNegative(PROVIDER_RETRIES, PROVIDER_RETRIES_DEFAULT));
        this.backoffMillis = nonNegative(PROVIDER_BACKOFF_MS, PROVIDER_BACKOFF_MS_DEFAULT);
        this.maxWaitMillis = nonNegative(PROVIDER_MAX_WAIT_MS, PROVIDER_MAX_WAIT_MS_DEFAULT);
        // Fail at start-up, not at the first create.
        keyLimit();
        final String reset = value(OPENROUTER_KEY_LIMIT_RESET, OPENROUTER_KEY_LIMIT_RESET_DEFAULT).toLowerCase(java.util.Locale.ROOT);
        if (!List.of("daily", "weekly", "monthly", "none").contains(reset))
        {
            throw new IllegalArgumentException(OPENROUTER_KEY_LIMIT_RESET + " must be daily, weekly, monthly or none, not '" + reset + "'");
        }
        for (final String[] url : new String[][] {{RAILWAY_API_URL, railwayUrl()}, {OPENROUTER_API_URL, openRouterUrl()},
            {AGENTMAIL_API_URL, agentMailUrl()}, {TELNYX_API_URL, telnyxUrl()}})
        {
            final java.net.URI uri;
            try
            {
                uri = new java.net.URI(url[1]);
            }
            catch (final java.net.URISyntaxException e)
            {
                throw new IllegalArgumentException(url[0] + " is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null)
            {
                throw new IllegalArgumentException(url[0] + " must be an http(s) URL with a host");
            }
        }
    }

    /** @param env the server's environment variables. */
    public static ServicesSettings from(final Map<String, String> env)
    {
        return new ServicesSettings(env);
    }

    /** @return a variable's trimmed value, or {@code dflt} when unset or blank. */
    public String value(final String name, final String dflt)
    {
        final String v = env.get(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private long nonNegative(final String name, final long dflt)
    {
        final String v = value(name, null);
        if (v == null)
        {
            return dflt;
        }
        try
        {
            final long n = Long.parseLong(v);
            if (n < 0)
            {
                throw new NumberFormatException();
            }
            return n;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be a non-negative integer, not '" + v + "'");
        }
    }

    private long positive(final String name, final long dflt)
    {
        final long n = nonNegative(name, dflt);
        if (n == 0)
        {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return n;
    }

    /** @return the bearer key callers must present; empty when none is configured (then every call is refused). */
    String apiKey()
    {
        return apiKey;
    }

    public String serviceDatabaseUrl()
    {
        return value(SERVICE_DATABASE_URL, null);
    }

    public String poolDatabaseUrl()
    {
        return value(POOL_DATABASE_URL, null);
    }

    String railwayUrl()
    {
        return value(RAILWAY_API_URL, RAILWAY_API_URL_DEFAULT);
    }

    String railwayToken()
    {
        return value(RAILWAY_API_TOKEN, "");
    }

    String railwayProjectId()
    {
        return value(RAILWAY_PROJECT_ID, "");
    }

    String railwayEnvironmentId()
    {
        return value(RAILWAY_ENVIRONMENT_ID, null);
    }

    String railwayEnvironmentName()
    {
        return value(RAILWAY_ENVIRONMENT_NAME, null);
    }

    String runtimeImage()
    {
        return value(RAILWAY_RUNTIME_IMAGE, RAILWAY_RUNTIME_IMAGE_DEFAULT);
    }

    String volumeMountPath()
    {
        return value(RAILWAY_VOLUME_MOUNT, RAILWAY_VOLUME_MOUNT_DEFAULT);
    }

    String openRouterUrl()
    {
        return value(OPENROUTER_API_URL, OPENROUTER_API_URL_DEFAULT);
    }

    String openRouterKey()
    {
        return value(OPENROUTER_MANAGEMENT_KEY, "");
    }

    /** @return the USD limit per key ({@code OPENROUTER_KEY_LIMIT}, default 20). */
    java.math.BigDecimal keyLimit()
    {
        final String v = value(OPENROUTER_KEY_LIMIT, OPENROUTER_KEY_LIMIT_DEFAULT);
        try
        {
            final java.math.BigDecimal d = new java.math.BigDecimal(v);
            if (d.signum() < 0)
            {
                throw new NumberFormatException();
            }
            return d;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(OPENROUTER_KEY_LIMIT + " must be a non-negative number of USD, not '" + v + "'");
        }
    }

    /** @return {@code daily}, {@code weekly} or {@code monthly} (OpenRouter's {@code limit_reset}); "none" → null. */
    String keyLimitReset()
    {
        final String v = value(OPENROUTER_KEY_LIMIT_RESET, OPENROUTER_KEY_LIMIT_RESET_DEFAULT).toLowerCase(java.util.Locale.ROOT);
        return "none".equals(v) ? null : v;
    }

    String agentMailUrl()
    {
        return value(AGENTMAIL_API_URL, AGENTMAIL_API_URL_DEFAULT);
    }

    String agentMailKey()
    {
        return value(AGENTMAIL_API_KEY, "");
    }

    String agentMailDomain()
    {
        return value(AGENTMAIL_DOMAIN, null);
    }

    String telnyxUrl()
    {
        return value(TELNYX_API_URL, TELNYX_API_URL_DEFAULT);
    }

    String telnyxKey()
    {
        return value(TELNYX_API_KEY, "");
    }

    String telnyxCountry()
    {
        return value(TELNYX_COUNTRY, TELNYX_COUNTRY_DEFAULT);
    }

    String telnyxMessagingProfileId()
    {
        return value(TELNYX_MESSAGING_PROFILE_ID, null);
    }

    /** @return the pass-through instance variables that are set, in the seed's order. */
    Map<String, String> passThrough()
    {
        final Map<String, String> m = new LinkedHashMap<>();
        for (final String name : PASS_THROUGH)
        {
            final String v = value(name, null);
            if (v != null)
            {
                m.put(name, v);
            }
        }
        return m;
    }

    Duration timeout()
    {
        return timeout;
    }

    int retries()
    {
        return retries;
    }

    long backoffMillis()
    {
        return backoffMillis;
    }

    long maxWaitMillis()
    {
        return maxWaitMillis;
    }

    int workers()
    {
        return (int)Math.max(1, Math.min(64, nonNegative(WORKERS, WORKERS_DEFAULT)));
    }

    int queue()
    {
        return (int)Math.max(1, Math.min(100_000, nonNegative(QUEUE, QUEUE_DEFAULT)));
    }

    @Override
    public String toString()
    {
        return "api key " + (apiKey.isEmpty() ? "NOT SET (every request refused)" : "set")
            + ", railway " + railwayUrl() + (railwayToken().isEmpty() ? " (no token)" : "")
            + ", openrouter " + openRouterUrl() + (openRouterKey().isEmpty() ? " (no key)" : "")
            + ", agentmail " + agentMailUrl() + (agentMailKey().isEmpty() ? " (no key)" : "")
            + ", telnyx " + telnyxUrl() + (telnyxKey().isEmpty() ? " (no key)" : "")
            + ", database " + (serviceDatabaseUrl() == null ? "the server's" : SERVICE_DATABASE_URL);
    }
}
