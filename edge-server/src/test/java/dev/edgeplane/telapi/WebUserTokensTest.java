package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import org.junit.jupiter.api.Test;

/** Web-user tokens made by the real next-auth / jose packages, and call tokens, checked with JWT_SECRET. */
class WebUserTokensTest
{
    private final WebUserTokens tokens = new WebUserTokens(TokenVectors.secret(), Clock.systemUTC());

    @Test
    void shouldDeriveTheSameKeyAsNextAuth()
    {
        assertEquals(TokenVectors.ALL.get("nextAuthDerivedKeyHex"), HexFormat.of().formatHex(NextAuthKey.derive(TokenVectors.secret())));
    }

    @Test
    void shouldAcceptANextAuthSessionTokenMadeByNextAuth()
    {
        final TokenCheck<WebUser> check = tokens.verify(TokenVectors.nextAuth("valid"));
        assertTrue(check.ok(), check.message());
        assertEquals("user-42", check.value().id());
        assertEquals("ada@example.com", check.value().email());
        assertEquals("nextauth", check.value().scheme());
    }

    @Test
    void shouldAcceptAnHs256JwtMadeByJose()
    {
        final TokenCheck<WebUser> check = tokens.verify(TokenVectors.hs256("valid"));
        assertTrue(check.ok(), check.message());
        assertEquals("user-7", check.value().id());
        assertEquals("jwt", check.value().scheme());
    }

    @Test
    void shouldNameSecretDriftWhenTheSecretDiffers()
    {
        for (final String token : new String[] {TokenVectors.nextAuth("wrongSecret"), TokenVectors.hs256("wrongSecret")})
        {
            final TokenCheck<WebUser> check = tokens.verify(token);
            assertFalse(check.ok());
            assertEquals(TokenCheck.SECRET_MISMATCH, check.code());
            assertTrue(check.message().contains("JWT_SECRET drift between the API (TelAPI) and TelWeb"), check.message());
        }
        // And the drifted side verifies its own token: the vectors really differ only by secret.
        assertTrue(new WebUserTokens(TokenVectors.otherSecret(), Clock.systemUTC()).verify(TokenVectors.nextAuth("wrongSecret")).ok());
    }

    @Test
    void shouldRefuseForgedTokens()
    {
        final TokenCheck<WebUser> tampered = tokens.verify(TokenVectors.hs256("tampered"));
        assertFalse(tampered.ok());
        assertEquals(TokenCheck.SECRET_MISMATCH, tampered.code());
        final TokenCheck<WebUser> none = tokens.verify(TokenVectors.hs256("algNone"));
        assertFalse(none.ok());
        assertEquals("invalid_token", none.code());
        // A NextAuth token with one ciphertext byte flipped fails its GCM tag.
        final String valid = TokenVectors.nextAuth("valid");
        final String[] parts = valid.split("\\.", -1);
        final char c = parts[3].charAt(5);
        parts[3] = parts[3].substring(0, 5) + (c == 'A' ? 'B' : 'A') + parts[3].substring(6);
        assertEquals(TokenCheck.SECRET_MISMATCH, tokens.verify(String.join(".", parts)).code());
        assertEquals("malformed_token", tokens.verify("not-a-token").code());
        assertEquals("malformed_token", tokens.verify("a.b.c.d.e").code());
    }

    @Test
    void shouldRefuseExpiredTokens()
    {
        assertEquals("token_expired", tokens.verify(TokenVectors.nextAuth("expired")).code());
        assertEquals("token_expired", tokens.verify(TokenVectors.hs256("expired")).code());
    }

    @Test
    void shouldRefuseEverythingWithoutASecret()
    {
        final TokenCheck<WebUser> check = new WebUserTokens(null, Clock.systemUTC()).verify(TokenVectors.hs256("valid"));
        assertEquals("auth_unconfigured", check.code());
    }

    @Test
    void shouldIssueCallTokensBindingUserAndChannel()
    {
        final Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        final CallTokens calls = new CallTokens(TokenVectors.secret(), Duration.ofSeconds(300), clock);
        final CallTokens.Issued issued = calls.issue("user-42", "chan-1", "PJSIP/1001");
        final DecodedJWT jwt = JWT.decode(issued.token());
        assertEquals("HS256", jwt.getAlgorithm());
        assertEquals(CallTokens.AUDIENCE, jwt.getAudience().get(0));
        assertEquals("user-42", jwt.getSubject());
        assertEquals("chan-1", jwt.getClaim("channel").asString());
        assertEquals(Instant.parse("2030-01-01T00:05:00Z"), jwt.getExpiresAtAsInstant());
        assertEquals(issued.jti(), jwt.getId());
        final TokenCheck<CallTokens.Claims> back = calls.verify(issued.token());
        assertTrue(back.ok(), back.message());
        assertEquals("chan-1", back.value().channelId());

        // A web-user token is not a call token (no audience, no channel), even with the right secret.
        assertFalse(calls.verify(TokenVectors.hs256("valid")).ok());
        // The same claims signed with another secret: drift.
        final String forged = JWT.create().withIssuer(CallTokens.ISSUER).withAudience(CallTokens.AUDIENCE).withSubject("user-42")
            .withExpiresAt(Instant.parse("2030-01-01T00:05:00Z")).withJWTId("x").withClaim("channel", "chan-1")
            .sign(Algorithm.HMAC256(TokenVectors.otherSecret().getBytes(StandardCharsets.UTF_8)));
        assertEquals(TokenCheck.SECRET_MISMATCH, calls.verify(forged).code());
        // Expired: the clock moves past exp.
        final CallTokens later = new CallTokens(TokenVectors.secret(), Duration.ofSeconds(300), Clock.offset(clock, Duration.ofSeconds(301)));
        assertEquals("token_expired", later.verify(issued.token()).code());
        assertNull(later.verify(issued.token()).value());
    }
}
