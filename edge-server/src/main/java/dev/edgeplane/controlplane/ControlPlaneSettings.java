package dev.edgeplane.controlplane;

import dev.edgeplane.controlplane.state.AuthGuard;
import dev.edgeplane.server.EdgeSettings;

/**
 * The control plane's knobs as name + default pairs (read once at start-up).
 *
 * @param wholesaleTrunkUri where outbound calls go when no account trunk prefix matches; blank means
 *                          such calls are rejected 503 (no route).
 * @param authMaxFailures   failed digests from one source address within the window that earn a ban.
 * @param authWindowMillis  the failure-counting window.
 * @param authBanMillis     how long a ban lasts ({@code blacklist} seconds in /auth answers).
 * @param authGuardEntries  most source addresses whose failures are counted at once (the store's bound).
 * @param nonceTtlMillis    how long an accepted (nonce, nc, cnonce) is remembered to refuse replays.
 * @param setupTtlMillis    a call not yet answered with no sign of life for this long is reclaimed.
 * @param leaseTtlMillis    an answered call with no sign of life for this long is reclaimed.
 * @param sweepMillis       period of the sweeper (reclaims, registration expiry, nonce expiry).
 * @param flowStepLimit     commands per call before a flow is hung up with cause {@code loop}.
 * @param seedConfig        a configuration document applied at start-up when no account exists yet.
 */
public record ControlPlaneSettings(
    String wholesaleTrunkUri,
    int authMaxFailures,
    long authWindowMillis,
    long authBanMillis,
    long authGuardEntries,
    long nonceTtlMillis,
    long setupTtlMillis,
    long leaseTtlMillis,
    long sweepMillis,
    int flowStepLimit,
    String seedConfig)
{
    public static final String WHOLESALE_TRUNK_URI = "WHOLESALE_TRUNK_URI";
    public static final String AUTH_MAX_FAILURES = "EDGEPLANE_AUTH_MAX_FAILURES";
    public static final String AUTH_WINDOW_S = "EDGEPLANE_AUTH_WINDOW_S";
    public static final String AUTH_BAN_S = "EDGEPLANE_AUTH_BAN_S";
    public static final String AUTH_GUARD_ENTRIES = "EDGEPLANE_AUTH_GUARD_ENTRIES";
    public static final String NONCE_TTL_S = "EDGEPLANE_NONCE_TTL_S";
    public static final String CAC_SETUP_TTL_S = "EDGEPLANE_CAC_SETUP_TTL_S";
    public static final String CAC_LEASE_TTL_S = "EDGEPLANE_CAC_LEASE_TTL_S";
    public static final String SWEEP_MS = "EDGEPLANE_SWEEP_MS";
    public static final String FLOW_STEP_LIMIT = "EDGEPLANE_FLOW_STEP_LIMIT";
    public static final String SEED_CONFIG = "EDGEPLANE_SEED_CONFIG";

    public static ControlPlaneSettings from(final EdgeSettings s)
    {
        return new ControlPlaneSettings(
            s.value(WHOLESALE_TRUNK_URI, ""),
            (int)number(s, AUTH_MAX_FAILURES, 5),
            number(s, AUTH_WINDOW_S, 60) * 1000,
            number(s, AUTH_BAN_S, 600) * 1000,
            number(s, AUTH_GUARD_ENTRIES, AuthGuard.STORE.entries()),
            number(s, NONCE_TTL_S, 300) * 1000,
            number(s, CAC_SETUP_TTL_S, 300) * 1000,
            number(s, CAC_LEASE_TTL_S, 21_600) * 1000,
            number(s, SWEEP_MS, 10_000),
            (int)number(s, FLOW_STEP_LIMIT, 100),
            s.value(SEED_CONFIG, ""));
    }

    private static long number(final EdgeSettings s, final String name, final long dflt)
    {
        final String v = s.value(name, null);
        if (v == null)
        {
            return dflt;
        }
        try
        {
            final long n = Long.parseLong(v);
            if (n <= 0)
            {
                throw new NumberFormatException();
            }
            return n;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be a positive integer, not '" + v + "'");
        }
    }
}
