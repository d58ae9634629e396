package dev.edgeplane.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The seed's variables with their defaults; bad values refused at start-up; secrets never in the summary. */
class ServicesSettingsTest
{
    @Test
    void shouldDefaultToTheRealProvidersAndTheSeedsDefaults()
    {
        final ServicesSettings s = ServicesSettings.from(Map.of());
        assertEquals("https://backboard.railway.com/graphql/v2", s.railwayUrl());
        assertEquals("https://openrouter.ai/api/v1", s.openRouterUrl());
        assertEquals("https://api.agentmail.to/v0", s.agentMailUrl());
        assertEquals("https://api.telnyx.com/v2", s.telnyxUrl());
        assertEquals(0, new BigDecimal("20").compareTo(s.keyLimit()));
        assertEquals("monthly", s.keyLimitReset());
        assertEquals("ghcr.io/xmtplabs/convos-runtime:latest", s.runtimeImage());
        assertEquals("", s.apiKey());
        assertNull(s.serviceDatabaseUrl());
        assertNull(ServicesSettings.from(Map.of(ServicesSettings.OPENROUTER_KEY_LIMIT_RESET, "none")).keyLimitReset());
    }

    @Test
    void shouldPassTheInstanceVariablesThroughInTheSeedsOrder()
    {
        final ServicesSettings s = ServicesSettings.from(Map.of("BANKR_API_KEY", "b", "XMTP_ENV", "production",
            "OPENCLAW_PRIMARY_MODEL", "m", "UNRELATED", "x"));
        assertEquals(List.of("OPENCLAW_PRIMARY_MODEL", "XMTP_ENV", "BANKR_API_KEY"), List.copyOf(s.passThrough().keySet()));
    }

    @Test
    void shouldRefuseBadValuesAtStartUp()
    {
        assertThrows(IllegalArgumentException.class, () -> ServicesSettings.from(Map.of(ServicesSettings.OPENROUTER_KEY_LIMIT, "-1")));
        assertThrows(IllegalArgumentException.class, () -> ServicesSettings.from(Map.of(ServicesSettings.OPENROUTER_KEY_LIMIT, "lots")));
        assertThrows(IllegalArgumentException.class,
            () -> ServicesSettings.from(Map.of(ServicesSettings.OPENROUTER_KEY_LIMIT_RESET, "yearly")));
        assertThrows(IllegalArgumentException.class, () -> ServicesSettings.from(Map.of(ServicesSettings.RAILWAY_API_URL, "ftp://x")));
        assertThrows(IllegalArgumentException.class, () -> ServicesSettings.from(Map.of(ServicesSettings.TELNYX_API_URL, "not a url")));
        assertThrows(IllegalArgumentException.class, () -> ServicesSettings.from(Map.of(ServicesSettings.PROVIDER_TIMEOUT_MS, "0")));
    }

    @Test
    void shouldNeverPrintASecret()
    {
        final String text = ServicesSettings.from(Map.of(ServicesSettings.API_KEY, "k-secret-1", ServicesSettings.RAILWAY_API_TOKEN,
            "r-secret-2", ServicesSettings.OPENROUTER_MANAGEMENT_KEY, "o-secret-3", ServicesSettings.AGENTMAIL_API_KEY, "a-secret-4",
            ServicesSettings.TELNYX_API_KEY, "t-secret-5", ServicesSettings.SERVICE_DATABASE_URL, "postgres://u:db-secret-6@h/d"))
            .toString();
        for (final String secret : List.of("k-secret-1", "r-secret-2", "o-secret-3", "a-secret-4", "t-secret-5", "db-secret-6"))
        {
            assertFalse(text.contains(secret), text);
        }
    }
}
