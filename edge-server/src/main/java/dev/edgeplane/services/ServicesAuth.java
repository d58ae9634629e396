package dev.edgeplane.services;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The services API's bearer check (seed 002: {@code Authorization: Bearer <SERVICES_API_KEY>} on every endpoint but
 * {@code GET /healthz}). Both sides are hashed with SHA-256 and the digests compared with
 * {@link MessageDigest#isEqual}, so neither the content nor the length of the key leaks through timing. With no key
 * configured the API is closed, never open.
 *
 * <p>Immutable and thread-safe.
 */
final class ServicesAuth
{
    /** The check's outcome. */
    enum Verdict
    {
        OK, NOT_CONFIGURED, MISSING, WRONG
    }

    private static final String BEARER = "bearer ";
    private final byte[] expectedDigest;

    ServicesAuth(final String apiKey)
    {
        this.expectedDigest = apiKey == null || apiKey.isEmpty() ? null : sha256(apiKey);
    }

    Verdict check(final String authorization)
    {
        if (expectedDigest == null)
        {
            return Verdict.NOT_CONFIGURED;
        }
        if (authorization == null || authorization.length() <= BEARER.length()
            || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        {
            return Verdict.MISSING;
        }
        final String presented = authorization.substring(BEARER.length()).trim();
        return MessageDigest.isEqual(expectedDigest, sha256(presented)) ? Verdict.OK : Verdict.WRONG;
    }

    private static byte[] sha256(final String s)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
