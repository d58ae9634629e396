package dev.edgeplane.relay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The few primitives the relay's secrets are built from: SHA-256, HMAC-SHA256, random tokens, and
 * constant-time comparison ({@link MessageDigest#isEqual}), so no secret is ever compared with
 * {@code equals}.
 *
 * <p>Stateless and thread-safe ({@link SecureRandom} is; digests and MACs are made per call).
 */
final class Secrets
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();
    private static final HexFormat HEX = HexFormat.of();

    private Secrets()
    {
    }

    static byte[] random(final int bytes)
    {
        final byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return b;
    }

    /** @return {@code bytes} random bytes as unpadded base64url. */
    static String randomToken(final int bytes)
    {
        return B64URL.encodeToString(random(bytes));
    }

    static String randomHex(final int bytes)
    {
        return HEX.formatHex(random(bytes));
    }

    static byte[] sha256(final byte[] data, final int offset, final int length)
    {
        try
        {
            final MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(data, offset, length);
            return d.digest();
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static byte[] sha256(final String text)
    {
        final byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return sha256(b, 0, b.length);
    }

    static byte[] hmac(final byte[] key, final byte[] data, final int offset, final int length)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, offset, length);
            return mac.doFinal();
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    static byte[] hmac(final byte[] key, final String text)
    {
        final byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return hmac(key, b, 0, b.length);
    }

    /** Derives an independent key for one purpose from the root secret (HMAC as a PRF). */
    static byte[] derive(final byte[] root, final String purpose)
    {
        return hmac(root, "edgeplane-relay/" + purpose);
    }

    /** Constant-time equality; false for null or different lengths (length is not secret here). */
    static boolean equal(final byte[] a, final byte[] b)
    {
        return a != null && b != null && MessageDigest.isEqual(a, b);
    }

    static String hex(final byte[] bytes)
    {
        return HEX.formatHex(bytes);
    }

    /** @return the bytes of a hex string (either case), or null when it is not hex. */
    static byte[] unhex(final String hex)
    {
        if (hex == null || (hex.length() & 1) != 0)
        {
            return null;
        }
        try
        {
            return HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT));
        }
        catch (final IllegalArgumentException e)
        {
            return null;
        }
    }

    static String base64Url(final byte[] bytes)
    {
        return B64URL.encodeToString(bytes);
    }

    /** @return the decoded bytes, or null when {@code text} is not unpadded base64url. */
    static byte[] unbase64Url(final String text)
    {
        try
        {
            return B64URL_DECODER.decode(text);
        }
        catch (final IllegalArgumentException e)
        {
            return null;
        }
    }
}
