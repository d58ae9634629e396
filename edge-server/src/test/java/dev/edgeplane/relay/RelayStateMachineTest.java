package dev.edgeplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashSet;
import java.util.Set;

import dev.edgeplane.relay.state.RelaySession;
import org.junit.jupiter.api.Test;

/** The state machine allows exactly the five transitions of seed 003 and refuses the other eleven with 409. */
class RelayStateMachineTest
{
    private static final byte[] STATES = {RelaySession.PROVISIONING, RelaySession.ACTIVE, RelaySession.GRACE,
        RelaySession.STOPPED};

    @Test
    void shouldAllowExactlyTheFiveTransitions()
    {
        final Set<String> allowed = new HashSet<>();
        for (final byte from : STATES)
        {
            for (final byte to : STATES)
            {
                final Outcome refused = RelayStateMachine.check(from, to);
                final String pair = RelaySession.stateName(from) + "->" + RelaySession.stateName(to);
                if (RelayStateMachine.allowed(from, to))
                {
                    assertNull(refused, pair);
                    allowed.add(pair);
                }
                else
                {
                    assertEquals(409, refused.status().code(), pair);
                    assertEquals("invalid_transition", refused.code(), pair);
                }
            }
        }
        assertEquals(Set.of("provisioning->active", "provisioning->stopped", "active->grace", "grace->active",
            "grace->stopped"), allowed);
    }

    @Test
    void shouldNameBothStatesInTheRefusal()
    {
        final Outcome refused = RelayStateMachine.check(RelaySession.ACTIVE, RelaySession.STOPPED);
        assertEquals("a relay session cannot go from active to stopped", refused.message());
        assertEquals(0, RelaySession.stateByName("paused"));
    }
}
