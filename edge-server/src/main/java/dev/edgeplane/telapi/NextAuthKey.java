package dev.edgeplane.telapi;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The content-encryption key NextAuth.js v4 derives from {@code NEXTAUTH_SECRET} for its session
 * JWE: HKDF-SHA256 (RFC 5869) with an empty salt, info {@code "NextAuth.js Generated Encryption Key"}
 * and 32 bytes of output (next-auth v4 {@code src/jwt/index.ts}, {@code getDerivedEncryptionKey}).
 *
 * <p>Auth.js v5 ({@code @auth/core}) differs: salt = the cookie name, info with the salt appended,
 * 64 bytes, {@code A256CBC-HS512}; that scheme is not accepted (the contract fixes {@code A256GCM}).
 *
 * <p>Stateless and thread-safe.
 */
final class NextAuthKey
{
    static final String INFO = "NextAuth.js Generated Encryption Key";

    private NextAuthKey()
    {
    }

    /** @return the 32-byte A256GCM key for a secret (its UTF-8 bytes are the HKDF input key material). */
    static byte[] derive(final String secret)
    {
        return hkdfSha256(secret.getBytes(StandardCharsets.UTF_8), new byte[0], INFO.getBytes(StandardCharsets.UTF_8), 32);
    }

    /** RFC 5869 HKDF with HMAC-SHA256; {@code length} at most 255 * 32. */
    static byte[] hkdfSha256(final byte[] ikm, final byte[] salt, final byte[] info, final int length)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            // RFC 5869 2.2: an absent salt is HashLen zero bytes (an empty HMAC key is not allowed by the JCA).
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
            final byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            final byte[] okm = new byte[length];
            byte[] t = new byte[0];
            int filled = 0;
            for (int i = 1; filled < length; i++)
            {
                mac.update(t);
                mac.update(info);
                mac.update((byte)i);
                t = mac.doFinal();
                final int n = Math.min(t.length, length - filled);
                System.arraycopy(t, 0, okm, filled, n);
                filled += n;
            }
            return okm;
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
