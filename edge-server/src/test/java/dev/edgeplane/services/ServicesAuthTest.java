package dev.edgeplane.services;

import static dev.edgeplane.services.ServicesFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpHeaders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bearer check's verdicts, a server without a key (closed, never open), and the rate-limit header parsing. */
class ServicesAuthTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAcceptOnlyTheConfiguredKey()
    {
        final ServicesAuth auth = new ServicesAuth("k-123");
        assertEquals(ServicesAuth.Verdict.OK, auth.check("Bearer k-123"));
        assertEquals(ServicesAuth.Verdict.OK, auth.check("bearer k-123"));
        assertEquals(ServicesAuth.Verdict.WRONG, auth.check("Bearer k-1234"));
        assertEquals(ServicesAuth.Verdict.WRONG, auth.check("Bearer k-12"));
        assertEquals(ServicesAuth.Verdict.MISSING, auth.check("Basic k-123"));
        assertEquals(ServicesAuth.Verdict.MISSING, auth.check("Bearer "));
        assertEquals(ServicesAuth.Verdict.MISSING, auth.check(null));
        assertEquals(ServicesAuth.Verdict.NOT_CONFIGURED, new ServicesAuth("").check("Bearer "));
        assertEquals(ServicesAuth.Verdict.NOT_CONFIGURED, new ServicesAuth(null).check("Bearer anything"));
    }

    @Test
    void shouldRefuseEverythingButHealthzWhenNoKeyIsConfigured() throws Exception
    {
        try (FakeProviders fakes = FakeProviders.start(0);
            ServicesFixture f = new ServicesFixture(dir, TestPostgres.freshDatabaseUrl("services_nokey"), fakes,
                Map.of(ServicesSettings.API_KEY, ""), SagaHooks.NONE))
        {
            for (final String bearer : new String[] {null, "", "anything"})
            {
                final Map<String, Object> d = assertError(f.send("POST", "/create-instance", "{\"instanceId\":\"x1\"}", bearer), 503,
                    "not_configured");
                assertEquals("SERVICES_API_KEY", d.get("setting"));
                assertError(f.send("GET", "/registry", null, bearer), 503, "not_configured");
                assertError(f.send("POST", "/status/batch", "{}", bearer), 503, "not_configured");
            }
            assertEquals(200, f.send("GET", "/healthz", null, null).statusCode());
            assertTrue(fakes.live().isEmpty());
        }
    }

    @Test
    void shouldReadTheWaitFromRetryAfterOrRateLimitResetHeaders()
    {
        final BiPredicate<String, String> any = (a, b) -> true;
        final long now = System.currentTimeMillis();
        assertEquals(2000, ProviderHttp.rateLimitWait(HttpHeaders.of(Map.of("Retry-After", List.of("2")), any)).getAsLong());
        final long epochMs = ProviderHttp.rateLimitWait(HttpHeaders.of(Map.of("X-RateLimit-Reset", List.of(Long.toString(now + 5000))),
            any)).getAsLong();
        assertTrue(epochMs > 3000 && epochMs <= 5000, "epoch milliseconds: " + epochMs);
        final long epochS = ProviderHttp.rateLimitWait(HttpHeaders.of(Map.of("X-RateLimit-Reset",
            List.of(Long.toString(now / 1000 + 10))), any)).getAsLong();
        assertTrue(epochS > 8000 && epochS <= 10_000, "epoch seconds: " + epochS);
        assertEquals(3000, ProviderHttp.rateLimitWait(HttpHeaders.of(Map.of("RateLimit-Reset", List.of("3")), any)).getAsLong());
        assertTrue(ProviderHttp.rateLimitWait(HttpHeaders.of(Map.of(), any)).isEmpty());
    }
}
