package dev.edgeplane.persistence;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseSettingsTest
{
    private static final Path DATA = Path.of("/var/lib/edgeplane");

    private static DatabaseSettings parse(final String url)
    {
        return DatabaseSettings.fromEnvironment(Map.of("DATABASE_URL", url), DATA);
    }

    private static DatabaseSettings parse(final String url, final String sslMode)
    {
        return DatabaseSettings.fromEnvironment(Map.of("DATABASE_URL", url, "DATABASE_SSL_MODE", sslMode), DATA);
    }

    @Test
    void shouldSelectEmbeddedWhenUrlIsAbsent()
    {
        final DatabaseSettings settings = DatabaseSettings.fromEnvironment(Map.of(), DATA);

        assertTrue(settings.embedded());
        assertEquals(DATA.resolve("pg"), settings.embeddedDataDirectory());
        assertNull(settings.jdbcUrl());
        assertEquals(DatabaseSettings.SslMode.DISABLE, settings.sslMode());
        assertTrue(settings.redactedUrl().contains("embedded"));
    }

    @Test
    void shouldSelectEmbeddedWhenUrlIsBlank()
    {
        final DatabaseSettings settings = parse("   ");

        assertTrue(settings.embedded());
        assertEquals(DATA.resolve("pg"), settings.embeddedDataDirectory());
    }

    @Test
    void shouldMoveDecodedCredentialsOutOfPostgresUrl()
    {
        final DatabaseSettings settings = parse("postgres://app%2Duser:s3cr%40t%2Fx@db.example.com:6543/edge");

        assertFalse(settings.embedded());
        assertNull(settings.embeddedDataDirectory());
        assertEquals("jdbc:postgresql://db.example.com:6543/edge", settings.jdbcUrl());
        assertEquals("app-user", settings.properties().getProperty("user"));
        assertEquals("s3cr@t/x", settings.properties().getProperty("password"));
        assertEquals("disable", settings.properties().getProperty("sslmode"));
        assertEquals(DatabaseSettings.SslMode.DISABLE, settings.sslMode());
    }

    @Test
    void shouldAcceptPostgresqlScheme()
    {
        final DatabaseSettings settings = parse("postgresql://app:pw@localhost/edge?application_name=edge&connectTimeout=3");

        assertEquals("jdbc:postgresql://localhost/edge?application_name=edge&connectTimeout=3", settings.jdbcUrl());
        assertEquals("app", settings.properties().getProperty("user"));
        assertEquals("pw", settings.properties().getProperty("password"));
    }

    @Test
    void shouldAcceptJdbcUrlWithCredentialsInQuery()
    {
        final DatabaseSettings settings =
            parse("jdbc:postgresql://db:5432/edge?user=app&password=p%2Bq+r&ssl_factory_arg=x");

        assertEquals("jdbc:postgresql://db:5432/edge?ssl_factory_arg=x", settings.jdbcUrl());
        assertEquals("app", settings.properties().getProperty("user"));
        assertEquals("p+q r", settings.properties().getProperty("password"));
    }

    @Test
    void shouldAcceptJdbcUrlWithoutCredentials()
    {
        final DatabaseSettings settings = parse("jdbc:postgresql://db/edge");

        assertEquals("jdbc:postgresql://db/edge", settings.jdbcUrl());
        assertNull(settings.properties().getProperty("user"));
        assertNull(settings.properties().getProperty("password"));
        assertEquals("postgresql://db/edge", settings.redactedUrl());
    }

    @Test
    void shouldKeepPlusSignInUserInfoPassword()
    {
        assertEquals("a+b", parse("postgres://u:a+b@h/db").properties().getProperty("password"));
    }

    @Test
    void shouldSplitUserInfoAtLastAtSign()
    {
        final DatabaseSettings settings = parse("postgres://u:p@ss@h:5432/db");

        assertEquals("p@ss", settings.properties().getProperty("password"));
        assertEquals("jdbc:postgresql://h:5432/db", settings.jdbcUrl());
    }

    @Test
    void shouldPassSeveralHostsAndIpv6Through()
    {
        final DatabaseSettings settings = parse("postgresql://u:p@[::1]:5432,replica:5433/db?targetServerType=primary");

        assertEquals("jdbc:postgresql://[::1]:5432,replica:5433/db?targetServerType=primary", settings.jdbcUrl());
    }

    @Test
    void shouldRedactPassword()
    {
        final DatabaseSettings settings = parse("postgres://app:hunter2@db:5432/edge?sslmode=require");

        assertEquals("postgresql://app:***@db:5432/edge", settings.redactedUrl());
        assertFalse(settings.toString().contains("hunter2"));
        assertFalse(settings.jdbcUrl().contains("hunter2"));
    }

    @Test
    void shouldRedactPasswordGivenWithoutUser()
    {
        final DatabaseSettings settings = parse("jdbc:postgresql://db/edge?password=hunter2");

        assertEquals("postgresql://:***@db/edge", settings.redactedUrl());
    }

    @Test
    void shouldTakeSslModeFromUrlWhenVariableIsUnset()
    {
        final DatabaseSettings settings = parse("postgres://u:p@db/edge?sslmode=verify-ca&foo=bar");

        assertEquals(DatabaseSettings.SslMode.VERIFY_CA, settings.sslMode());
        assertEquals("verify-ca", settings.properties().getProperty("sslmode"));
        assertEquals("jdbc:postgresql://db/edge?foo=bar", settings.jdbcUrl());
    }

    @Test
    void shouldPreferSslModeVariableOverUrl()
    {
        final DatabaseSettings settings = parse("postgres://u:p@db/edge?sslmode=require", "verify-full");

        assertEquals(DatabaseSettings.SslMode.VERIFY_FULL, settings.sslMode());
        assertEquals("verify-full", settings.properties().getProperty("sslmode"));
        assertEquals("jdbc:postgresql://db/edge", settings.jdbcUrl());
    }

    @Test
    void shouldMapEverySslModeValue()
    {
        assertEquals(DatabaseSettings.SslMode.DISABLE, parse("postgres://db/e", "disable").sslMode());
        assertEquals(DatabaseSettings.SslMode.REQUIRE, parse("postgres://db/e", "require").sslMode());
        assertEquals(DatabaseSettings.SslMode.VERIFY_CA, parse("postgres://db/e", "verify-ca").sslMode());
        assertEquals(DatabaseSettings.SslMode.VERIFY_FULL, parse("postgres://db/e", " VERIFY-FULL ").sslMode());
        assertEquals(DatabaseSettings.SslMode.DISABLE, parse("postgres://db/e", "").sslMode());
    }

    @Test
    void shouldRejectUnknownSslModeNamingVariableAndAllowedValues()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> parse("postgres://db/e", "prefer"));

        assertEquals(
            "DATABASE_SSL_MODE must be one of disable, require, verify-ca, verify-full (got 'prefer')",
            ex.getMessage());
    }

    @Test
    void shouldRejectSslModeVariableEvenWhenEmbedded()
    {
        assertThrows(IllegalArgumentException.class,
            () -> DatabaseSettings.fromEnvironment(Map.of("DATABASE_SSL_MODE", "on"), DATA));
    }

    @Test
    void shouldRejectUnknownSslModeInUrl()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> parse("postgres://u:secret@db/e?sslmode=maybe"));

        assertTrue(ex.getMessage().contains("DATABASE_URL"));
        assertFalse(ex.getMessage().contains("secret"));
    }

    @Test
    void shouldRejectForeignSchemeWithoutEchoingCredentials()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> parse("mysql://root:secret@db/edge"));

        assertTrue(ex.getMessage().startsWith("DATABASE_URL must start with postgres://"), ex.getMessage());
        assertFalse(ex.getMessage().contains("secret"));
    }

    @Test
    void shouldRejectUrlWithoutScheme()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> parse("db.example.com:5432/edge"));

        assertTrue(ex.getMessage().contains("DATABASE_URL"));
    }

    @Test
    void shouldRejectBadPercentEscapeWithoutEchoingIt()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> parse("postgres://u:se%ZZcret@db/edge"));

        assertEquals("DATABASE_URL has an invalid %-escape in the password", ex.getMessage());
    }

    @Test
    void shouldRejectMissingHost()
    {
        assertThrows(IllegalArgumentException.class, () -> parse("postgres://u:p@/edge"));
    }

    @Test
    void shouldHandOutPropertyCopies()
    {
        final DatabaseSettings settings = parse("postgres://u:p@db/edge");
        final Properties copy = settings.properties();
        copy.setProperty("password", "changed");

        assertEquals("p", settings.properties().getProperty("password"));
    }
}
