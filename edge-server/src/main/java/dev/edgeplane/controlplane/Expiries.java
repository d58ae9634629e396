package dev.edgeplane.controlplane;

import dev.edgeplane.controlplane.state.AuthGuard;
import dev.edgeplane.controlplane.state.NonceUse;
import dev.edgeplane.controlplane.state.Registration;

/**
 * One shard's expiry indexes, one per kind of entry it owns (see {@link CallSweeper}): calls and
 * registrations on the account's shard, flow sessions on the Call-ID's shard, used nonces and auth
 * failure guards on the shard that verified them. Also the reusable values the sweeper reads entries
 * into.
 *
 * <p>Threading: confined to the shard's writer.
 */
final class Expiries
{
    final ExpiryIndex calls = new ExpiryIndex();
    final ExpiryIndex registrations = new ExpiryIndex();
    final ExpiryIndex sessions = new ExpiryIndex();
    final ExpiryIndex nonces = new ExpiryIndex();
    final ExpiryIndex guards = new ExpiryIndex();
    final Registration registration = new Registration();
    final NonceUse nonce = new NonceUse();
    final AuthGuard guard = new AuthGuard();
}
