package dev.edgeplane.services;

/**
 * A provider call that did not succeed: which provider, the HTTP status (0 when no answer arrived: connection
 * failure, timeout, or a setting missing), and a short message safe to show to the caller (never a secret, never a
 * provider's raw body).
 *
 * <p>{@link #gone()} is a 404 (or Railway's "not found" GraphQL error): for a delete, the resource is already gone,
 * which counts as done. {@link #ambiguous()} means the provider may have acted (a timeout or 5xx after the request
 * was sent), so a create must look the resource up before it tries again.
 */
public final class ProviderException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String provider;
    private final int status;
    private final boolean gone;
    private final boolean ambiguous;

    ProviderException(final String provider, final int status, final String message, final boolean gone,
        final boolean ambiguous)
    {
        super(message, null, false, false);
        this.provider = provider;
        this.status = status;
        this.gone = gone;
        this.ambiguous = ambiguous;
    }

    /** A required setting (token, project id) is missing: the call was never sent. */
    static ProviderException notConfigured(final String provider, final String variable)
    {
        return new ProviderException(provider, 0, variable + " is not set", false, false);
    }

    public String provider()
    {
        return provider;
    }

    public int status()
    {
        return status;
    }

    public boolean gone()
    {
        return gone;
    }

    public boolean ambiguous()
    {
        return ambiguous;
    }
}
