package dev.edgeplane.relay;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

import dev.edgeplane.server.EdgeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay surface's knobs as name + default pairs (the variable names the seed gives are the contract,
 * the rest are {@code RELAY_} or {@code LEMONSQUEEZY_}), read once at start-up.
 *
 * <p>Immutable and thread-safe. Secrets ({@link #rootSecret()}, API keys, the webhook secret) are never logged
 * and never part of {@link #toString()}.
 */
final class RelaySettings
{
    private static final Logger LOG = LoggerFactory.getLogger(RelaySettings.class);

    /** Root secret for access tokens (HS256), refresh-token derivation and relay health secrets; at least 32 bytes. */
    static final String JWT_SECRET = "RELAY_JWT_SECRET";
    static final String ACCESS_TTL_S = "RELAY_ACCESS_TTL_S";
    static final long ACCESS_TTL_S_DEFAULT = 900;
    static final String JWT_LEEWAY_S = "RELAY_JWT_LEEWAY_S";
    static final long JWT_LEEWAY_S_DEFAULT = 30;
    /** A refresh token stops working this long after it was issued (each rotation issues a new one). */
    static final String REFRESH_TTL_S = "RELAY_REFRESH_TTL_S";
    static final long REFRESH_TTL_S_DEFAULT = 30L * 24 * 3600;
    /** A retired refresh token presented within this long of its rotation gets the same successor. */
    static final String REFRESH_GRACE_S = "RELAY_REFRESH_GRACE_S";
    static final long REFRESH_GRACE_S_DEFAULT = 10;
    static final String LOGIN_TTL_S = "RELAY_LOGIN_TTL_S";
    static final long LOGIN_TTL_S_DEFAULT = 600;
    static final String LOGIN_INTERVAL_S = "RELAY_LOGIN_INTERVAL_S";
    static final long LOGIN_INTERVAL_S_DEFAULT = 5;
    /** Base of {@code authorize_url}; unset: taken from the request's Host (and X-Forwarded-Proto). */
    static final String PUBLIC_URL = "RELAY_PUBLIC_URL";
    static final String PASSWORD_ITERATIONS = "RELAY_PASSWORD_ITERATIONS";
    static final int PASSWORD_ITERATIONS_MIN = 210_000;
    /** Password guesses on the authorize page per account (e-mail) per window. */
    static final String SIGNIN_ACCOUNT_LIMIT = "RELAY_SIGNIN_ACCOUNT_LIMIT";
    static final long SIGNIN_ACCOUNT_LIMIT_DEFAULT = 10;
    /** Password guesses on the authorize page per source address (IPv6: per /64) per window. */
    static final String SIGNIN_ADDRESS_LIMIT = "RELAY_SIGNIN_ADDRESS_LIMIT";
    static final long SIGNIN_ADDRESS_LIMIT_DEFAULT = 30;
    static final String SIGNIN_WINDOW_S = "RELAY_SIGNIN_WINDOW_S";
    static final long SIGNIN_WINDOW_S_DEFAULT = 900;

    static final String HEALTH_TIMEOUT_S = "RELAY_HEALTH_TIMEOUT_S";
    static final long HEALTH_TIMEOUT_S_DEFAULT = 60;
    static final String GRACE_S = "RELAY_GRACE_S";
    static final long GRACE_S_DEFAULT = 120;
    static final String PROVISION_TIMEOUT_S = "RELAY_PROVISION_TIMEOUT_S";
    static final long PROVISION_TIMEOUT_S_DEFAULT = 600;
    static final String IDEMPOTENCY_TTL_S = "RELAY_IDEMPOTENCY_TTL_S";
    static final long IDEMPOTENCY_TTL_S_DEFAULT = 3600;
    /** Stopped sessions stay readable (replays, {@code /auth/session}) this long before they are forgotten. */
    static final String SESSION_RETENTION_S = "RELAY_SESSION_RETENTION_S";
    static final long SESSION_RETENTION_S_DEFAULT = 24 * 3600;
    static final String SWEEP_MS = "RELAY_SWEEP_MS";
    static final long SWEEP_MS_DEFAULT = 1000;

    static final String MANIFEST_JSON = "RELAY_MANIFEST_JSON";
    static final String PLANS_JSON = "RELAY_PLANS_JSON";
    /** Seconds one add-on unit (each subscription quantity above 1) adds to a cycle. */
    static final String ADDON_SECONDS = "RELAY_ADDON_SECONDS";
    static final long ADDON_SECONDS_DEFAULT = 10 * 3600;
    /** Cycle length of a plan granted by an operator ({@code POST /api/v1/admin/users} with a plan). */
    static final String GRANT_CYCLE_DAYS = "RELAY_GRANT_CYCLE_DAYS";
    static final long GRANT_CYCLE_DAYS_DEFAULT = 30;

    /** {@code sim} or {@code ec2}; default ec2 when {@link #PROVISIONER_URL} is set, else sim. */
    static final String PROVISIONER = "RELAY_PROVISIONER";
    static final String PROVISIONER_URL = "RELAY_PROVISIONER_URL";
    static final String PROVISIONER_TOKEN = "RELAY_PROVISIONER_TOKEN";
    static final String PROVISIONER_TIMEOUT_MS = "RELAY_PROVISIONER_TIMEOUT_MS";
    static final long PROVISIONER_TIMEOUT_MS_DEFAULT = 5000;
    static final String PROVISIONER_RETRIES = "RELAY_PROVISIONER_RETRIES";
    static final long PROVISIONER_RETRIES_DEFAULT = 3;
    static final String SIM_LAUNCH_MS = "RELAY_SIM_LAUNCH_MS";
    static final long SIM_LAUNCH_MS_DEFAULT = 0;
    static final String SIM_BOOT_MS = "RELAY_SIM_BOOT_MS";
    static final long SIM_BOOT_MS_DEFAULT = 2000;
    static final String SIM_REPORT_HEALTH = "RELAY_SIM_REPORT_HEALTH";

    static final String LEMONSQUEEZY_API_BASE = "LEMONSQUEEZY_API_BASE";
    static final String LEMONSQUEEZY_API_BASE_DEFAULT = "https://api.lemonsqueezy.com";
    static final String LEMONSQUEEZY_API_KEY = "LEMONSQUEEZY_API_KEY";
    static final String LEMONSQUEEZY_STORE_ID = "LEMONSQUEEZY_STORE_ID";
    static final String LEMONSQUEEZY_VARIANT_ID = "LEMONSQUEEZY_VARIANT_ID";
    static final String LEMONSQUEEZY_WEBHOOK_SECRET = "LEMONSQUEEZY_WEBHOOK_SECRET";

    private final EdgeSettings edge;
    private final byte[] rootSecret;
    private final boolean ephemeralSecret;

    private RelaySettings(final EdgeSettings edge)
    {
        this.edge = edge;
        final String secret = edge.value(JWT_SECRET, null);
        if (secret == null)
        {
            final byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            this.rootSecret = random;
            this.ephemeralSecret = true;
        }
        else
        {
            final byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 32)
            {
                throw new IllegalArgumentException(JWT_SECRET + " must be at least 32 bytes (HS256 needs a 256-bit key)");
            }
            this.rootSecret = bytes;
            this.ephemeralSecret = false;
        }
        // Validate every number once, so a typo fails start-up rather than the first request.
        seconds(ACCESS_TTL_S, ACCESS_TTL_S_DEFAULT, 1);
        seconds(JWT_LEEWAY_S, JWT_LEEWAY_S_DEFAULT, 0);
        seconds(REFRESH_TTL_S, REFRESH_TTL_S_DEFAULT, 60);
        seconds(REFRESH_GRACE_S, REFRESH_GRACE_S_DEFAULT, 0);
        seconds(LOGIN_TTL_S, LOGIN_TTL_S_DEFAULT, 10);
        seconds(LOGIN_INTERVAL_S, LOGIN_INTERVAL_S_DEFAULT, 1);
        passwordIterations();
        signInAccountLimit();
        signInAddressLimit();
        signInWindow();
        seconds(HEALTH_TIMEOUT_S, HEALTH_TIMEOUT_S_DEFAULT, 1);
        seconds(GRACE_S, GRACE_S_DEFAULT, 0);
        seconds(PROVISION_TIMEOUT_S, PROVISION_TIMEOUT_S_DEFAULT, 1);
        seconds(IDEMPOTENCY_TTL_S, IDEMPOTENCY_TTL_S_DEFAULT, 1);
        seconds(SESSION_RETENTION_S, SESSION_RETENTION_S_DEFAULT, 0);
        number(SWEEP_MS, SWEEP_MS_DEFAULT, 10, 60_000);
        number(ADDON_SECONDS, ADDON_SECONDS_DEFAULT, 0, Long.MAX_VALUE / 1000);
        number(GRANT_CYCLE_DAYS, GRANT_CYCLE_DAYS_DEFAULT, 1, 3660);
        number(PROVISIONER_TIMEOUT_MS, PROVISIONER_TIMEOUT_MS_DEFAULT, 1, 600_000);
        number(PROVISIONER_RETRIES, PROVISIONER_RETRIES_DEFAULT, 0, 10);
        number(SIM_LAUNCH_MS, SIM_LAUNCH_MS_DEFAULT, 0, 600_000);
        number(SIM_BOOT_MS, SIM_BOOT_MS_DEFAULT, 0, 600_000);
        provisioner();
    }

    static RelaySettings from(final EdgeSettings edge)
    {
        final RelaySettings s = new RelaySettings(edge);
        if (s.ephemeralSecret)
        {
            LOG.warn("{} is not set: using a random per-process secret, so access tokens and relay health secrets "
                + "do not survive a restart; set it (>= 32 bytes) in production", JWT_SECRET);
        }
        return s;
    }

    String value(final String name, final String dflt)
    {
        return edge.value(name, dflt);
    }

    private long number(final String name, final long dflt, final long min, final long max)
    {
        final String v = edge.value(name, null);
        if (v == null)
        {
            return dflt;
        }
        try
        {
            final long parsed = Long.parseLong(v);
            if (parsed < min || parsed > max)
            {
                throw new NumberFormatException();
            }
            return parsed;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be an integer between " + min + " and " + max + ", not '" + v + "'");
        }
    }

    private long seconds(final String name, final long dflt, final long min)
    {
        return number(name, dflt, min, 10L * 365 * 24 * 3600);
    }

    private Duration duration(final String name, final long dflt, final long min)
    {
        return Duration.ofSeconds(seconds(name, dflt, min));
    }

    /** @return the root secret every relay key is derived from; never log it. */
    byte[] rootSecret()
    {
        return rootSecret;
    }

    Duration accessTtl()
    {
        return duration(ACCESS_TTL_S, ACCESS_TTL_S_DEFAULT, 1);
    }

    Duration jwtLeeway()
    {
        return duration(JWT_LEEWAY_S, JWT_LEEWAY_S_DEFAULT, 0);
    }

    Duration refreshTtl()
    {
        return duration(REFRESH_TTL_S, REFRESH_TTL_S_DEFAULT, 60);
    }

    Duration refreshGrace()
    {
        return duration(REFRESH_GRACE_S, REFRESH_GRACE_S_DEFAULT, 0);
    }

    Duration loginTtl()
    {
        return duration(LOGIN_TTL_S, LOGIN_TTL_S_DEFAULT, 10);
    }

    int loginIntervalSeconds()
    {
        return (int)seconds(LOGIN_INTERVAL_S, LOGIN_INTERVAL_S_DEFAULT, 1);
    }

    /** @return the configured public base URL without a trailing slash, or null. */
    String publicUrl()
    {
        final String url = edge.value(PUBLIC_URL, null);
        return url == null ? null : url.replaceAll("/+$", "");
    }

    /** @return PBKDF2 iterations for new hashes; never below {@value #PASSWORD_ITERATIONS_MIN}. */
    int passwordIterations()
    {
        return (int)number(PASSWORD_ITERATIONS, PASSWORD_ITERATIONS_MIN, PASSWORD_ITERATIONS_MIN, 10_000_000);
    }

    int signInAccountLimit()
    {
        return (int)number(SIGNIN_ACCOUNT_LIMIT, SIGNIN_ACCOUNT_LIMIT_DEFAULT, 1, 1_000_000);
    }

    int signInAddressLimit()
    {
        return (int)number(SIGNIN_ADDRESS_LIMIT, SIGNIN_ADDRESS_LIMIT_DEFAULT, 1, 1_000_000);
    }

    Duration signInWindow()
    {
        return duration(SIGNIN_WINDOW_S, SIGNIN_WINDOW_S_DEFAULT, 1);
    }

    Duration healthTimeout()
    {
        return duration(HEALTH_TIMEOUT_S, HEALTH_TIMEOUT_S_DEFAULT, 1);
    }

    Duration grace()
    {
        return duration(GRACE_S, GRACE_S_DEFAULT, 0);
    }

    Duration provisionTimeout()
    {
        return duration(PROVISION_TIMEOUT_S, PROVISION_TIMEOUT_S_DEFAULT, 1);
    }

    Duration idempotencyTtl()
    {
        return duration(IDEMPOTENCY_TTL_S, IDEMPOTENCY_TTL_S_DEFAULT, 1);
    }

    Duration sessionRetention()
    {
        return duration(SESSION_RETENTION_S, SESSION_RETENTION_S_DEFAULT, 0);
    }

    long sweepMillis()
    {
        return number(SWEEP_MS, SWEEP_MS_DEFAULT, 10, 60_000);
    }

    long addonSeconds()
    {
        return number(ADDON_SECONDS, ADDON_SECONDS_DEFAULT, 0, Long.MAX_VALUE / 1000);
    }

    Duration grantCycle()
    {
        return Duration.ofDays(number(GRANT_CYCLE_DAYS, GRANT_CYCLE_DAYS_DEFAULT, 1, 3660));
    }

    /** @return {@code sim} or {@code ec2}. */
    String provisioner()
    {
        final String dflt = edge.value(PROVISIONER_URL, null) == null ? "sim" : "ec2";
        final String p = edge.value(PROVISIONER, dflt);
        if (!p.equals("sim") && !p.equals("ec2"))
        {
            throw new IllegalArgumentException(PROVISIONER + " must be sim or ec2, not '" + p + "'");
        }
        if (p.equals("ec2") && edge.value(PROVISIONER_URL, null) == null)
        {
            throw new IllegalArgumentException(PROVISIONER + "=ec2 needs " + PROVISIONER_URL);
        }
        return p;
    }

    String provisionerUrl()
    {
        final String url = edge.value(PROVISIONER_URL, null);
        return url == null ? null : url.replaceAll("/+$", "");
    }

    /** @return a bearer token for the provisioner endpoint, empty for none; never log it. */
    String provisionerToken()
    {
        return edge.value(PROVISIONER_TOKEN, "");
    }

    Duration provisionerTimeout()
    {
        return Duration.ofMillis(number(PROVISIONER_TIMEOUT_MS, PROVISIONER_TIMEOUT_MS_DEFAULT, 1, 600_000));
    }

    int provisionerRetries()
    {
        return (int)number(PROVISIONER_RETRIES, PROVISIONER_RETRIES_DEFAULT, 0, 10);
    }

    long simLaunchMillis()
    {
        return number(SIM_LAUNCH_MS, SIM_LAUNCH_MS_DEFAULT, 0, 600_000);
    }

    long simBootMillis()
    {
        return number(SIM_BOOT_MS, SIM_BOOT_MS_DEFAULT, 0, 600_000);
    }

    boolean simReportsHealth()
    {
        return !"false".equalsIgnoreCase(edge.value(SIM_REPORT_HEALTH, "true"));
    }

    String lemonSqueezyApiBase()
    {
        return edge.value(LEMONSQUEEZY_API_BASE, LEMONSQUEEZY_API_BASE_DEFAULT).replaceAll("/+$", "");
    }

    /** @return the LemonSqueezy API key, empty when unset; never log it. */
    String lemonSqueezyApiKey()
    {
        return edge.value(LEMONSQUEEZY_API_KEY, "");
    }

    String lemonSqueezyStoreId()
    {
        return edge.value(LEMONSQUEEZY_STORE_ID, "");
    }

    String lemonSqueezyVariantId()
    {
        return edge.value(LEMONSQUEEZY_VARIANT_ID, "");
    }

    /** @return the webhook signing secret as bytes, empty when unset; never log it. */
    byte[] webhookSecret()
    {
        return edge.value(LEMONSQUEEZY_WEBHOOK_SECRET, "").getBytes(StandardCharsets.UTF_8);
    }

    String manifestJson()
    {
        return edge.value(MANIFEST_JSON, null);
    }

    String plansJson()
    {
        return edge.value(PLANS_JSON, null);
    }

    @Override
    public String toString()
    {
        return "RelaySettings[provisioner=" + provisioner() + ", accessTtl=" + accessTtl() + ", grace=" + grace()
            + ", healthTimeout=" + healthTimeout() + "]";
    }
}
