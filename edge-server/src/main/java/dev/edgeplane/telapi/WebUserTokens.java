package dev.edgeplane.telapi;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;

/**
 * Verifies the bearer TelWeb sends for its web user with {@code JWT_SECRET}
 * (docs/SPEC-telapi.md, "Web users"): either an HS256 JWT (RFC 7519) signed with the secret's
 * UTF-8 bytes, or a NextAuth.js v4 session token: a compact JWE (RFC 7516) with {@code alg: dir},
 * {@code enc: A256GCM} and the key of {@link NextAuthKey}. {@code exp} and {@code nbf} are checked
 * with NextAuth's 15 s clock tolerance; the user is {@code sub}, else {@code email}.
 *
 * <p>A signature or authentication tag that does not verify is reported as the seed's "JWT_SECRET
 * drift between API and TelWeb" ({@link TokenCheck#SECRET_MISMATCH}).
 *
 * <p>Thread-safe: the key material and verifier are immutable; a {@link Cipher} is made per call.
 */
public final class WebUserTokens
{
    static final long LEEWAY_SECONDS = 15;
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

    private final Clock clock;
    private final JWTVerifier hs256;
    private final SecretKeySpec jweKey;

    /** @param secret {@code JWT_SECRET}; null refuses every token with an explanation. */
    public WebUserTokens(final String secret, final Clock clock)
    {
        this.clock = clock;
        if (secret == null)
        {
            this.hs256 = null;
            this.jweKey = null;
        }
        else
        {
            this.hs256 = ((JWTVerifier.BaseVerification)JWT.require(Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8)))
                .acceptLeeway(LEEWAY_SECONDS)).build(clock);
            this.jweKey = new SecretKeySpec(NextAuthKey.derive(secret), "AES");
        }
    }

    /** @return the web user of an {@code Authorization: Bearer} value's token, or why it is refused. */
    public TokenCheck<WebUser> verify(final String token)
    {
        if (hs256 == null)
        {
            return TokenCheck.refused("auth_unconfigured", "JWT_SECRET is not set on this server, so no web-user token can be verified");
        }
        if (token == null || token.isBlank())
        {
            return TokenCheck.refused("missing_token", "send the web user's token as Authorization: Bearer <token>");
        }
        int dots = 0;
        for (int i = 0; i < token.length(); i++)
        {
            if (token.charAt(i) == '.')
            {
                dots++;
            }
        }
        if (dots == 4)
        {
            return verifyNextAuth(token);
        }
        if (dots == 2)
        {
            return verifyJwt(token);
        }
        return TokenCheck.refused("malformed_token", "the bearer is neither a JWT (3 parts) nor a NextAuth JWE (5 parts)");
    }

    private TokenCheck<WebUser> verifyJwt(final String token)
    {
        final DecodedJWT jwt;
        try
        {
            jwt = hs256.verify(token);
        }
        catch (final SignatureVerificationException e)
        {
            return TokenCheck.secretMismatch("the HS256 JWT's signature");
        }
        catch (final AlgorithmMismatchException e)
        {
            return TokenCheck.refused("invalid_token", "the JWT must be signed with HS256");
        }
        catch (final TokenExpiredException e)
        {
            return TokenCheck.refused("token_expired", "the JWT has expired; sign in again");
        }
        catch (final JWTDecodeException e)
        {
            return TokenCheck.refused("malformed_token", "the bearer is not a well-formed JWT");
        }
        catch (final JWTVerificationException e)
        {
            return TokenCheck.refused("invalid_token", "the JWT is not valid: " + e.getMessage());
        }
        final String sub = jwt.getSubject();
        final String email = jwt.getClaim("email").asString();
        return user(sub, email, "jwt");
    }

    private TokenCheck<WebUser> verifyNextAuth(final String token)
    {
        final String[] parts = token.split("\\.", -1);
        final Map<String, Object> header;
        final byte[] iv;
        final byte[] ciphertext;
        final byte[] tag;
        try
        {
            header = object(B64URL.decode(parts[0]));
            iv = B64URL.decode(parts[2]);
            ciphertext = B64URL.decode(parts[3]);
            tag = B64URL.decode(parts[4]);
        }
        catch (final IllegalArgumentException | DecodeException | ClassCastException e)
        {
            return TokenCheck.refused("malformed_token", "the bearer is not a well-formed JWE");
        }
        if (!"dir".equals(header.get("alg")) || !"A256GCM".equals(header.get("enc")) || !parts[1].isEmpty())
        {
            return TokenCheck.refused("invalid_token", "a NextAuth session token must be a JWE with alg dir and enc A256GCM "
                + "(NextAuth.js v4); this one has alg " + header.get("alg") + ", enc " + header.get("enc"));
        }
        if (iv.length != 12 || tag.length != 16)
        {
            return TokenCheck.refused("malformed_token", "the JWE's IV or tag has the wrong length for A256GCM");
        }
        final byte[] plain;
        try
        {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, jweKey, new GCMParameterSpec(128, iv));
            cipher.updateAAD(parts[0].getBytes(StandardCharsets.US_ASCII)); // RFC 7516 5.2 step 14
            cipher.update(ciphertext);
            plain = cipher.doFinal(tag);
        }
        catch (final AEADBadTagException e)
        {
            return TokenCheck.secretMismatch("the NextAuth session token");
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("AES/GCM is part of every JDK", e);
        }
        final Map<String, Object> claims;
        try
        {
            claims = object(plain);
        }
        catch (final DecodeException | ClassCastException e)
        {
            return TokenCheck.refused("malformed_token", "the NextAuth session token's payload is not a JSON object");
        }
        final long now = clock.millis() / 1000;
        if (claims.get("exp") instanceof Long exp && now > exp + LEEWAY_SECONDS)
        {
            return TokenCheck.refused("token_expired", "the NextAuth session has expired; sign in again");
        }
        if (claims.get("nbf") instanceof Long nbf && now + LEEWAY_SECONDS < nbf)
        {
            return TokenCheck.refused("invalid_token", "the NextAuth session token is not valid yet");
        }
        return user(claims.get("sub") instanceof String s ? s : null, claims.get("email") instanceof String e ? e : null, "nextauth");
    }

    private static TokenCheck<WebUser> user(final String sub, final String email, final String scheme)
    {
        final String id = sub != null && !sub.isBlank() ? sub : email;
        if (id == null || id.isBlank())
        {
            return TokenCheck.refused("invalid_token", "the token names no user (no sub or email claim)");
        }
        return TokenCheck.ok(new WebUser(id, email, scheme));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final byte[] json)
    {
        return (Map<String, Object>)Json.parse(json, 0, json.length);
    }
}
