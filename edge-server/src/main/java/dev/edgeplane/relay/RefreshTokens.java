package dev.edgeplane.relay;

import java.nio.ByteBuffer;

/**
 * Opaque rotating refresh tokens. A token is base64url of {@code family (16 bytes) | generation (4 bytes) |
 * HMAC-SHA256(key, family | generation)}: the server finds the family from the token, and can re-derive the
 * token of any generation, so it stores only SHA-256 hashes of tokens (never a token in clear) yet can hand the
 * same successor to a second refresh inside the grace window. The MAC also proves a retired token genuine
 * before reuse revokes a family, so a forged token can never revoke someone else's login.
 *
 * <p>Stateless and thread-safe.
 */
final class RefreshTokens
{
    static final int FAMILY_BYTES = 16;
    private static final int MAC_BYTES = 32;
    private static final int TOKEN_BYTES = FAMILY_BYTES + 4 + MAC_BYTES;

    /** A token's family (hex) and generation, before it is checked against the family's hashes. */
    record Parsed(String familyId, int generation)
    {
    }

    private final byte[] key;

    RefreshTokens(final byte[] key)
    {
        this.key = key;
    }

    /** @return a new random family id (32 hex characters). */
    static String newFamilyId()
    {
        return Secrets.randomHex(FAMILY_BYTES);
    }

    /** @return the refresh token of generation {@code generation} of family {@code familyId}. */
    String token(final String familyId, final int generation)
    {
        final ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES);
        b.put(Secrets.unhex(familyId)).putInt(generation);
        b.put(Secrets.hmac(key, b.array(), 0, FAMILY_BYTES + 4));
        return Secrets.base64Url(b.array());
    }

    /** @return the family and generation, or null when {@code token} is not shaped like one of ours. */
    Parsed parse(final String token)
    {
        if (token == null || token.length() > 128)
        {
            return null;
        }
        final byte[] raw = Secrets.unbase64Url(token);
        if (raw == null || raw.length != TOKEN_BYTES || !Secrets.base64Url(raw).equals(token))
        {
            return null; // not ours, or a non-canonical spelling of the same bytes
        }
        final byte[] family = java.util.Arrays.copyOf(raw, FAMILY_BYTES);
        final int generation = ByteBuffer.wrap(raw, FAMILY_BYTES, 4).getInt();
        return generation < 0 ? null : new Parsed(Secrets.hex(family), generation);
    }

    /** @return true when {@code token} was issued by this server (its MAC verifies), in constant time. */
    boolean authentic(final String token)
    {
        final byte[] raw = Secrets.unbase64Url(token);
        if (raw == null || raw.length != TOKEN_BYTES)
        {
            return false;
        }
        final byte[] mac = Secrets.hmac(key, raw, 0, FAMILY_BYTES + 4);
        return Secrets.equal(mac, java.util.Arrays.copyOfRange(raw, FAMILY_BYTES + 4, TOKEN_BYTES));
    }

    static byte[] hash(final String token)
    {
        return Secrets.sha256(token);
    }
}
