package dev.edgeplane.telapi;

/**
 * A web user authenticated by TelWeb's bearer token.
 *
 * <p>Immutable.
 *
 * @param id     the token's {@code sub} (else its {@code email}).
 * @param email  may be null.
 * @param scheme {@code jwt} (HS256) or {@code nextauth} (NextAuth session JWE).
 */
public record WebUser(String id, String email, String scheme)
{
}
