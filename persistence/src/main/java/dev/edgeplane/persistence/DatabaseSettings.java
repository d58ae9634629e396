package dev.edgeplane.persistence;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where the PostgreSQL system of record lives and how to reach it, parsed once from the environment.
 *
 * <p>{@code DATABASE_URL} is accepted in the three spellings platforms hand out:
 * {@code postgres://user:pass@host:port/db?…}, {@code postgresql://…} and {@code jdbc:postgresql://…}. User and
 * password (from the userinfo part or from {@code user=}/{@code password=} query parameters) are URL-decoded and moved
 * into the driver {@link Properties}; they never appear in {@link #jdbcUrl()} and the password never appears in
 * {@link #redactedUrl()} or {@link #toString()}, so either may be logged. Several hosts ({@code h1:5432,h2:5432}) and
 * bracketed IPv6 literals are passed through to the driver unchanged.
 *
 * <p>{@code DATABASE_SSL_MODE} ({@code disable|require|verify-ca|verify-full}, default {@code disable}) becomes the
 * pgjdbc {@code sslmode} property; when it is set it wins over an {@code sslmode} in the URL query.
 *
 * <p>With no (or a blank) {@code DATABASE_URL} the settings are {@link #embedded()}: {@link Database#open} starts an
 * embedded PostgreSQL in {@link #embeddedDataDirectory()} ({@code dataDir/pg}) and the resolved settings it exposes
 * carry that server's URL.
 *
 * <p>Immutable and thread-safe.
 */
public final class DatabaseSettings
{
    /** Environment variable holding the database URL; absent or blank selects the embedded PostgreSQL. */
    public static final String DATABASE_URL_ENV = "DATABASE_URL";

    /** Environment variable selecting the TLS mode. */
    public static final String DATABASE_SSL_MODE_ENV = "DATABASE_SSL_MODE";

    /** TLS mode used when neither {@code DATABASE_SSL_MODE} nor the URL names one. */
    public static final SslMode SSL_MODE_DEFAULT = SslMode.DISABLE;

    /** Sub-directory of the server data directory that holds the embedded cluster. */
    public static final String EMBEDDED_DIRECTORY_NAME = "pg";

    private static final String JDBC_PREFIX = "jdbc:postgresql://";
    private static final String REDACTED = "***";

    /**
     * TLS modes, named as pgjdbc names them in its {@code sslmode} property. {@code DATABASE_SSL_MODE} accepts
     * {@link #DISABLE}, {@link #REQUIRE}, {@link #VERIFY_CA} and {@link #VERIFY_FULL}; an {@code sslmode} in the URL
     * may also say {@link #ALLOW} or {@link #PREFER}, which pgjdbc understands.
     */
    public enum SslMode
    {
        DISABLE("disable", true),
        ALLOW("allow", false),
        PREFER("prefer", false),
        REQUIRE("require", true),
        VERIFY_CA("verify-ca", true),
        VERIFY_FULL("verify-full", true);

        private static final String ALLOWED_IN_ENVIRONMENT = "disable, require, verify-ca, verify-full";

        private final String value;
        private final boolean acceptedFromEnvironment;

        SslMode(final String value, final boolean acceptedFromEnvironment)
        {
            this.value = value;
            this.acceptedFromEnvironment = acceptedFromEnvironment;
        }

        /**
         * @return the value of the pgjdbc {@code sslmode} property, e.g. {@code verify-full}.
         */
        public String value()
        {
            return value;
        }

        static SslMode fromValue(final String text)
        {
            for (final SslMode mode : values())
            {
                if (mode.value.equals(text))
                {
                    return mode;
                }
            }
            return null;
        }
    }

    private final String jdbcUrl;
    private final Properties properties;
    private final boolean embedded;
    private final Path embeddedDataDirectory;
    private final SslMode sslMode;
    private final String redactedUrl;

    private DatabaseSettings(
        final String jdbcUrl,
        final Properties properties,
        final boolean embedded,
        final Path embeddedDataDirectory,
        final SslMode sslMode,
        final String redactedUrl)
    {
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        this.embedded = embedded;
        this.embeddedDataDirectory = embeddedDataDirectory;
        this.sslMode = sslMode;
        this.redactedUrl = redactedUrl;
    }

    /**
     * Read {@code DATABASE_URL} and {@code DATABASE_SSL_MODE}.
     *
     * @param env     the environment, usually {@link System#getenv()}.
     * @param dataDir the server's data directory; the embedded cluster lives in {@code dataDir/pg}.
     * @return the settings.
     * @throws IllegalArgumentException if a variable is malformed; the message names the variable and never contains
     *                                  the password.
     */
    public static DatabaseSettings fromEnvironment(final Map<String, String> env, final Path dataDir)
    {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(dataDir, "dataDir");

        final SslMode sslModeOverride = parseSslModeVariable(env.get(DATABASE_SSL_MODE_ENV));
        final String url = env.get(DATABASE_URL_ENV);
        if (null == url || url.isBlank())
        {
            final Path directory = dataDir.resolve(EMBEDDED_DIRECTORY_NAME);
            return new DatabaseSettings(
                null, new Properties(), true, directory, SslMode.DISABLE, "embedded PostgreSQL in " + directory);
        }

        return parseUrl(url.strip(), sslModeOverride, false, null);
    }

    /**
     * Settings for an explicit URL in any of the accepted spellings, with no {@code DATABASE_SSL_MODE} override.
     *
     * @param url the database URL, which may carry user and password.
     * @return the settings.
     * @throws IllegalArgumentException if the URL is malformed.
     */
    public static DatabaseSettings forUrl(final String url)
    {
        Objects.requireNonNull(url, "url");
        return parseUrl(url.strip(), null, false, null);
    }

    /**
     * The settings {@link Database} uses once it has started the embedded server: still {@link #embedded()}, with the
     * server's URL.
     */
    static DatabaseSettings resolvedEmbedded(final String embeddedJdbcUrl, final Path dataDirectory)
    {
        return parseUrl(embeddedJdbcUrl, null, true, dataDirectory);
    }

    /**
     * A URL for another database on the same server, with the same credentials and TLS mode (e.g. a
     * throwaway database the warm-up creates). Carries the password: hand it on, never log it.
     *
     * @param database a plain database name (letters, digits, underscores).
     * @return a {@code jdbc:postgresql://} URL that {@link #forUrl} reads back to these credentials.
     * @throws IllegalStateException for unresolved embedded settings (no server yet).
     */
    public String urlForDatabase(final String database)
    {
        if (null == jdbcUrl)
        {
            throw new IllegalStateException("the embedded server has not started yet");
        }
        if (!database.matches("[A-Za-z0-9_]+"))
        {
            throw new IllegalArgumentException("not a plain database name: " + printable(database));
        }
        final String rest = jdbcUrl.substring(JDBC_PREFIX.length());
        final int slash = rest.indexOf('/');
        final StringBuilder url = new StringBuilder(JDBC_PREFIX).append(slash < 0 ? rest : rest.substring(0, slash))
            .append('/').append(database).append("?sslmode=").append(sslMode.value());
        for (final String name : new String[] {"user", "password"})
        {
            final String value = properties.getProperty(name);
            if (null != value)
            {
                url.append('&').append(name).append('=').append(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return url.toString();
    }

    /**
     * @return the JDBC URL without user, password or {@code sslmode}; {@code null} for unresolved embedded settings
     * (those returned by {@link #fromEnvironment} when no URL is set).
     */
    public String jdbcUrl()
    {
        return jdbcUrl;
    }

    /**
     * @return a copy of the driver properties ({@code user}, {@code password}, {@code sslmode}); contains the
     * password, so never log it.
     */
    public Properties properties()
    {
        final Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /**
     * @return true when PostgreSQL is the embedded one started by this process.
     */
    public boolean embedded()
    {
        return embedded;
    }

    /**
     * @return the embedded cluster's data directory, or {@code null} when an external database is configured.
     */
    public Path embeddedDataDirectory()
    {
        return embeddedDataDirectory;
    }

    /**
     * @return the TLS mode handed to the driver.
     */
    public SslMode sslMode()
    {
        return sslMode;
    }

    /**
     * @return the URL for logs: user, host, port, database and query, with the password (if any) shown as
     * {@code ***}.
     */
    public String redactedUrl()
    {
        return redactedUrl;
    }

    @Override
    public String toString()
    {
        return "DatabaseSettings{" + redactedUrl + ", sslmode=" + sslMode.value() + '}';
    }

    private static SslMode parseSslModeVariable(final String value)
    {
        if (null == value || value.isBlank())
        {
            return null;
        }

        final SslMode mode = SslMode.fromValue(value.strip().toLowerCase(Locale.ROOT));
        if (null == mode || !mode.acceptedFromEnvironment)
        {
            throw new IllegalArgumentException(
                DATABASE_SSL_MODE_ENV + " must be one of " + SslMode.ALLOWED_IN_ENVIRONMENT + " (got '" +
                printable(value) + "')");
        }
        return mode;
    }

    private static DatabaseSettings parseUrl(
        final String url, final SslMode sslModeOverride, final boolean embedded, final Path embeddedDataDirectory)
    {
        final int schemeEnd = url.indexOf("://");
        final String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgres") && !scheme.equals("postgresql") && !scheme.equals("jdbc:postgresql"))
        {
            throw new IllegalArgumentException(
                DATABASE_URL_ENV + " must start with postgres://, postgresql:// or jdbc:postgresql:// (got " +
                (schemeEnd < 0 ? "no scheme" : "scheme '" + printable(url.substring(0, schemeEnd)) + "'") + ')');
        }

        final String rest = url.substring(schemeEnd + 3);
        final int queryStart = rest.indexOf('?');
        final String beforeQuery = queryStart < 0 ? rest : rest.substring(0, queryStart);
        final String query = queryStart < 0 ? "" : rest.substring(queryStart + 1);

        // The last '@' before the query ends the userinfo, so an unescaped '@' in a password still parses.
        final int at = beforeQuery.lastIndexOf('@');
        final String userInfo = at < 0 ? null : beforeQuery.substring(0, at);
        final String hostAndPath = at < 0 ? beforeQuery : beforeQuery.substring(at + 1);

        final int slash = hostAndPath.indexOf('/');
        final String hosts = slash < 0 ? hostAndPath : hostAndPath.substring(0, slash);
        if (hosts.isEmpty())
        {
            throw new IllegalArgumentException(DATABASE_URL_ENV + " has no host");
        }

        String user = null;
        String password = null;
        if (null != userInfo)
        {
            final int colon = userInfo.indexOf(':');
            user = percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name");
            password = colon < 0 ? null : percentDecode(userInfo.substring(colon + 1), "password");
        }

        String urlSslMode = null;
        final StringBuilder keptQuery = new StringBuilder();
        if (!query.isEmpty())
        {
            for (final String parameter : query.split("&"))
            {
                if (parameter.isEmpty())
                {
                    continue;
                }
                final int equals = parameter.indexOf('=');
                final String name = equals < 0 ? parameter : parameter.substring(0, equals);
                final String rawValue = equals < 0 ? "" : parameter.substring(equals + 1);
                switch (name)
                {
                    case "user":
                        user = formDecode(rawValue, "user name");
                        break;
                    case "password":
                        password = formDecode(rawValue, "password");
                        break;
                    case "sslmode":
                        urlSslMode = formDecode(rawValue, "sslmode").toLowerCase(Locale.ROOT);
                        break;
                    default:
                        keptQuery.append(keptQuery.length() == 0 ? "" : "&").append(parameter);
                        break;
                }
            }
        }

        SslMode sslMode = SSL_MODE_DEFAULT;
        if (null != sslModeOverride)
        {
            sslMode = sslModeOverride;
        }
        else if (null != urlSslMode)
        {
            sslMode = SslMode.fromValue(urlSslMode);
            if (null == sslMode)
            {
                throw new IllegalArgumentException(
                    DATABASE_URL_ENV + " has an unknown sslmode '" + printable(urlSslMode) +
                    "' (allowed: disable, allow, prefer, require, verify-ca, verify-full)");
            }
        }

        final String path = slash < 0 ? "/" : hostAndPath.substring(slash);
        final String suffix = hosts + path + (keptQuery.length() == 0 ? "" : "?" + keptQuery);
        final String jdbcUrl = JDBC_PREFIX + suffix;

        final Properties properties = new Properties();
        if (null != user && !user.isEmpty())
        {
            properties.setProperty("user", user);
        }
        if (null != password)
        {
            properties.setProperty("password", password);
        }
        properties.setProperty("sslmode", sslMode.value());

        final StringBuilder redacted = new StringBuilder("postgresql://");
        if (null != user && !user.isEmpty())
        {
            redacted.append(user);
            if (null != password)
            {
                redacted.append(':').append(REDACTED);
            }
            redacted.append('@');
        }
        else if (null != password)
        {
            redacted.append(':').append(REDACTED).append('@');
        }
        redacted.append(suffix);

        return new DatabaseSettings(
            jdbcUrl, properties, embedded, embeddedDataDirectory, sslMode, redacted.toString());
    }

    /**
     * RFC 3986 percent-decoding for the userinfo part: unlike form decoding, '+' stays a '+'.
     */
    private static String percentDecode(final String text, final String what)
    {
        if (text.indexOf('%') < 0)
        {
            return text;
        }

        final byte[] in = text.getBytes(StandardCharsets.UTF_8);
        final byte[] out = new byte[in.length];
        int length = 0;
        for (int i = 0; i < in.length; i++)
        {
            final byte b = in[i];
            if (b == '%')
            {
                final int high = i + 1 < in.length ? Character.digit(in[i + 1], 16) : -1;
                final int low = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
                if (high < 0 || low < 0)
                {
                    throw new IllegalArgumentException(DATABASE_URL_ENV + " has an invalid %-escape in the " + what);
                }
                out[length++] = (byte)((high << 4) | low);
                i += 2;
            }
            else
            {
                out[length++] = b;
            }
        }
        return new String(out, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Query parameters are decoded the way pgjdbc decodes them (form decoding, '+' is a space).
     */
    private static String formDecode(final String text, final String what)
    {
        try
        {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(DATABASE_URL_ENV + " has an invalid %-escape in the " + what);
        }
    }

    private static String printable(final String text)
    {
        final String shortened = text.length() > 32 ? text.substring(0, 32) + "…" : text;
        final StringBuilder sb = new StringBuilder(shortened.length());
        for (int i = 0; i < shortened.length(); i++)
        {
            final char c = shortened.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
