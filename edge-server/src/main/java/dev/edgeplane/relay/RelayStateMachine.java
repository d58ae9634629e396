package dev.edgeplane.relay;

import static dev.edgeplane.relay.state.RelaySession.ACTIVE;
import static dev.edgeplane.relay.state.RelaySession.GRACE;
import static dev.edgeplane.relay.state.RelaySession.PROVISIONING;
import static dev.edgeplane.relay.state.RelaySession.STOPPED;

import dev.edgeplane.relay.state.RelaySession;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The relay session state machine (docs/SPEC-relay.md, "Relay lifecycle"; seed 003 STATE_MACHINE_v1): states
 * {@code provisioning}, {@code active}, {@code grace}, {@code stopped} and exactly five transitions:
 * <ul>
 *   <li>{@code provisioning → active}: the relay reported healthy;</li>
 *   <li>{@code provisioning → stopped}: the launch failed, timed out or was cancelled;</li>
 *   <li>{@code active → grace}: stop requested, health lost, or the Time Bank ran out;</li>
 *   <li>{@code grace → active}: resumed by a start, or health came back after it was lost;</li>
 *   <li>{@code grace → stopped}: the grace period ended.</li>
 * </ul>
 * Anything else, self-transitions included, is refused with 409 {@code invalid_transition} and
 * {@code details {from, to}}.
 *
 * <p>Stateless and thread-safe.
 */
final class RelayStateMachine
{
    private RelayStateMachine()
    {
    }

    static boolean allowed(final byte from, final byte to)
    {
        return switch (from)
        {
            case PROVISIONING -> to == ACTIVE || to == STOPPED;
            case ACTIVE -> to == GRACE;
            case GRACE -> to == ACTIVE || to == STOPPED;
            default -> false;
        };
    }

    /** @return null when {@code from → to} is one of the five transitions, else the 409 outcome. */
    static Outcome check(final byte from, final byte to)
    {
        if (allowed(from, to))
        {
            return null;
        }
        final String f = RelaySession.stateName(from);
        final String t = RelaySession.stateName(to);
        return Outcome.error(HttpResponseStatus.CONFLICT, "invalid_transition",
            "a relay session cannot go from " + f + " to " + t, Outcome.details("from", f, "to", t));
    }
}
