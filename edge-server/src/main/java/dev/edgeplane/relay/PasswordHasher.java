package dev.edgeplane.relay;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Slow salted password hashes: PBKDF2-HMAC-SHA256 from the JDK with a 16-byte random salt per user and at
 * least 210 000 iterations (OWASP Password Storage Cheat Sheet), stored as
 * {@code pbkdf2_sha256$<iterations>$<salt>$<hash>} (base64), so the cost can be raised later without breaking
 * old hashes. Verification compares in constant time; an unknown user is verified against a dummy hash so the
 * answer takes as long as for a known one.
 *
 * <p>Thread-safe. Each call costs tens to hundreds of milliseconds of CPU: call it only on the blocking pool,
 * never on an event loop or a shard writer.
 */
final class PasswordHasher
{
    static final String SCHEME = "pbkdf2_sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private final int iterations;
    private final String dummy;

    PasswordHasher(final int iterations)
    {
        if (iterations < RelaySettings.PASSWORD_ITERATIONS_MIN)
        {
            throw new IllegalArgumentException("PBKDF2 needs at least " + RelaySettings.PASSWORD_ITERATIONS_MIN + " iterations");
        }
        this.iterations = iterations;
        // Same cost as a real hash; can never match (no user has this encoded value).
        this.dummy = SCHEME + "$" + iterations + "$" + B64.encodeToString(new byte[SALT_BYTES]) + "$"
            + B64.encodeToString(new byte[HASH_BITS / 8]);
    }

    /** @return the encoded hash of {@code password} with a fresh salt. */
    String hash(final char[] password)
    {
        final byte[] salt = Secrets.random(SALT_BYTES);
        final byte[] hash = pbkdf2(password, salt, iterations);
        return SCHEME + "$" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * @param encoded the stored hash, or null for a user without a password (always false, same cost).
     * @return true when {@code password} matches.
     */
    boolean verify(final char[] password, final String encoded)
    {
        final String[] parts = (encoded == null ? dummy : encoded).split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0]))
        {
            pbkdf2(password, new byte[SALT_BYTES], iterations);
            return false;
        }
        try
        {
            final int n = Integer.parseInt(parts[1]);
            final byte[] salt = B64_DECODER.decode(parts[2]);
            final byte[] expected = B64_DECODER.decode(parts[3]);
            final byte[] actual = pbkdf2(password, salt, n);
            return encoded != null && Secrets.equal(expected, actual);
        }
        catch (final IllegalArgumentException e)
        {
            return false;
        }
    }

    private static byte[] pbkdf2(final char[] password, final byte[] salt, final int iterations)
    {
        final PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try
        {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
        finally
        {
            spec.clearPassword();
        }
    }

    /** Overwrites a password buffer once it is no longer needed. */
    static void wipe(final char[] password)
    {
        Arrays.fill(password, '\0');
    }
}
