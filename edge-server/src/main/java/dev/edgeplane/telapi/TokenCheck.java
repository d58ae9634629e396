package dev.edgeplane.telapi;

/**
 * The outcome of checking a bearer or call token: the verified value, or why it was refused (an
 * expected outcome, so a value rather than an exception).
 *
 * <p>Immutable.
 *
 * @param value   the verified claims, null when refused.
 * @param code    error code for the {@code 401} body when refused.
 * @param message what went wrong and the likely cause, never any part of a secret.
 */
public record TokenCheck<T>(T value, String code, String message)
{
    /** Error code when a signature or authentication tag does not verify with {@code JWT_SECRET}. */
    public static final String SECRET_MISMATCH = "token_secret_mismatch";

    static <T> TokenCheck<T> ok(final T value)
    {
        return new TokenCheck<>(value, null, null);
    }

    static <T> TokenCheck<T> refused(final String code, final String message)
    {
        return new TokenCheck<>(null, code, message);
    }

    /** The seed's troubleshooting row "401 auth failures: JWT_SECRET drift between API and TelWeb". */
    static <T> TokenCheck<T> secretMismatch(final String what)
    {
        return refused(SECRET_MISMATCH, what + " does not verify with this server's JWT_SECRET: the likely cause is "
            + "JWT_SECRET drift between the API (TelAPI) and TelWeb (NEXTAUTH_SECRET); both must read the same secret value");
    }

    public boolean ok()
    {
        return value != null;
    }
}
