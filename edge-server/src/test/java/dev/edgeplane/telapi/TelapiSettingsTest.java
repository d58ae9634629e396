package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The seed's variables: defaults, validation, and {@code edgeplane env}'s redaction. */
class TelapiSettingsTest
{
    @Test
    void shouldDescribeEveryVariableWithSecretsRedacted()
    {
        final Map<String, String> env = Map.of(
            "JWT_SECRET", "super-secret-value-123",
            "ARI_PASSWORD", "ari-pass-xyz",
            "TTS_MEDIA_CACHE_UPLOAD_TOKEN", "upload-token-abc",
            "TTS_MEDIA_CACHE_CA_BUNDLE", "-----BEGIN CERTIFICATE-----zzz",
            "REDIS_PASSWORD", "redis-pass-q",
            "DATABASE_URL", "postgres://app:db-pass-w@db.internal:5432/telapi",
            "DOMAIN_TELPRO", "telpro.example.com");
        final List<TelapiSettings.Effective> rows = TelapiSettings.from(env).describe();
        final String printed = rows.toString();
        for (final String secret : List.of("super-secret-value-123", "ari-pass-xyz", "upload-token-abc", "zzz", "redis-pass-q", "db-pass-w"))
        {
            assertFalse(printed.contains(secret), "leaked " + secret);
        }
        assertTrue(printed.contains("postgres://app:****@db.internal:5432/telapi"), printed);
        assertEquals(TelapiSettings.VARIABLES.size(), rows.size());
        final TelapiSettings.Effective otel = rows.stream().filter(r -> r.name().equals("OTEL_ENABLED")).findFirst().orElseThrow();
        assertEquals("true", otel.value());
        assertEquals("default", otel.source());
        final TelapiSettings.Effective domain = rows.stream().filter(r -> r.name().equals("DOMAIN_TELPRO")).findFirst().orElseThrow();
        assertEquals("telpro.example.com", domain.value());
        assertEquals("env", domain.source());
    }

    @Test
    void shouldListRedisVariablesThatAreSet()
    {
        assertEquals(List.of("REDIS_HOST", "REDIS_TLS_ENABLED"),
            TelapiSettings.from(Map.of("REDIS_HOST", "redis:6379", "REDIS_TLS_ENABLED", "true")).redisVariablesSet());
        assertTrue(TelapiSettings.from(Map.of()).redisVariablesSet().isEmpty());
    }

    @Test
    void shouldRefuseBadValues()
    {
        assertThrows(IllegalArgumentException.class, () -> TelapiSettings.from(Map.of("OTEL_ENABLED", "maybe")));
        assertThrows(IllegalArgumentException.class, () -> TelapiSettings.from(Map.of("ARI_URL", "asterisk:8088")));
        assertThrows(IllegalArgumentException.class, () -> TelapiSettings.from(Map.of("TELAPI_CALL_TOKEN_TTL_S", "0")));
        assertFalse(TelapiSettings.from(Map.of("OTEL_ENABLED", "false")).otelEnabled());
        assertEquals("http://asterisk:8088", TelapiSettings.from(Map.of("ARI_URL", "http://asterisk:8088/")).ariUrl().toString());
    }

    @Test
    void shouldBuildWebRtcConfigurationFromTheTelProDomain()
    {
        final Map<String, Object> w = TelapiGateway.webrtc("telpro.example.com");
        assertEquals("wss://telpro.example.com:8089/ws", w.get("wsServer"));
        assertEquals("telpro.example.com", w.get("sipDomain"));
        assertEquals("wss://telpro.example.com:443/ws", TelapiGateway.webrtc("https://telpro.example.com:443").get("wsServer"));
    }
}
