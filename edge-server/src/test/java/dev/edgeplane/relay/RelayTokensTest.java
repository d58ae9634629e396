package dev.edgeplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** Access and refresh tokens: determinism (the grace window relies on it), verification, forgery, hashing. */
class RelayTokensTest
{
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Test
    void shouldSignTheSameClaimsToTheSameAccessTokenAndVerifyWithLeeway()
    {
        final MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_800_000_000L));
        final AccessTokens tokens = new AccessTokens(KEY, Duration.ofSeconds(900), Duration.ofSeconds(30), clock);
        final String a = tokens.issue("usr_1", "fam", "jti", clock.millis() / 1000);
        assertEquals(a, tokens.issue("usr_1", "fam", "jti", clock.millis() / 1000));
        assertEquals(new AccessTokens.Verified("usr_1", "fam"), tokens.verify(a));
        clock.advanceSeconds(929);
        assertNotNull(tokens.verify(a));
        clock.advanceSeconds(2);
        assertNull(tokens.verify(a));
        final AccessTokens other = new AccessTokens("another-key-another-key-another!".getBytes(), Duration.ofSeconds(900),
            Duration.ofSeconds(30), clock);
        assertNull(other.verify(other.issue("u", "f", "j", clock.millis() / 1000) + "x"), "a tampered signature is refused");
        assertNull(tokens.verify(other.issue("u", "f", "j", clock.millis() / 1000)), "another key's token is refused");
        assertNull(tokens.verify("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0."), "alg none is refused");
    }

    @Test
    void shouldDeriveRefreshTokensPerGenerationAndDetectForgeries()
    {
        final RefreshTokens tokens = new RefreshTokens(KEY);
        final String family = RefreshTokens.newFamilyId();
        final String g0 = tokens.token(family, 0);
        assertEquals(g0, tokens.token(family, 0));
        assertNotEquals(g0, tokens.token(family, 1));
        assertEquals(new RefreshTokens.Parsed(family, 1), tokens.parse(tokens.token(family, 1)));
        assertTrue(tokens.authentic(g0));
        assertFalse(new RefreshTokens("different-key-different-key-0000".getBytes()).authentic(g0));
        final char[] c = g0.toCharArray();
        c[c.length - 2] = c[c.length - 2] == 'A' ? 'B' : 'A';
        assertFalse(tokens.authentic(new String(c)));
        assertNull(tokens.parse("short"));
        assertNull(tokens.parse(g0 + "="));
        assertEquals(32, RefreshTokens.hash(g0).length);
    }

    @Test
    void shouldHashPasswordsSlowlyWithSaltAndVerifyInConstantTime()
    {
        final PasswordHasher hasher = new PasswordHasher(RelaySettings.PASSWORD_ITERATIONS_MIN);
        final String h = hasher.hash("s3cret-password".toCharArray());
        assertTrue(h.startsWith("pbkdf2_sha256$210000$"), h);
        assertFalse(h.contains("s3cret"));
        assertTrue(hasher.verify("s3cret-password".toCharArray(), h));
        assertFalse(hasher.verify("s3cret-passwore".toCharArray(), h));
        assertFalse(hasher.verify("anything".toCharArray(), null), "a user without a password never signs in");
        assertNotEquals(h, hasher.hash("s3cret-password".toCharArray()), "salted per hash");
        try
        {
            new PasswordHasher(100_000);
            throw new AssertionError("fewer than 210 000 iterations must be refused");
        }
        catch (final IllegalArgumentException expected)
        {
            // ok
        }
    }
}
