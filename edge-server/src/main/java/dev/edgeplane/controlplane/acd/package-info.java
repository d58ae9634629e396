/**
 * Automatic call distribution (docs/SPEC-control-plane.md, "Agents and ACD"): agents, queues, offers
 * under leases, and the answer hooks.
 *
 * <h2>Ownership and threading</h2>
 * An account's queues, waiting callers, agents and leases belong to the account's shard
 * ({@code Shards.forKey(accountId)}), in one heap {@link dev.edgeplane.controlplane.acd.AccountDistributor}
 * touched only by that shard's writer; {@link dev.edgeplane.controlplane.acd.CallDistributor} checks
 * the thread. Flow sessions belong to the Call-ID's shard, so a {@code queue:poll} is three hops:
 * call shard (read the session: queue, join step, join time) → account shard (decision: wait, offer,
 * time out) → call shard (render {@code noop}/{@code dial}, or step the flow with
 * {@code queue:timeout}, after checking the session has not moved on). Joins (entering an enqueue
 * node) and leaves (another outcome on it) are handed to the account shard the same way; a call's
 * end reaches it through {@code CallEnd} on the account shard.
 *
 * <h2>Visits, leases and epochs</h2>
 * A caller's stay in a queue is identified by (Call-ID, the flow step at which it entered the enqueue
 * node), so a late poll or leave about an earlier visit never touches a later one. A lease id is
 * {@code lease_} + a lowercase ULID; its epoch is the offered agent's counter, bumped for every offer
 * and never reused (persisted). A ring_all offer rings several agents under one lease whose epoch is
 * one more than the highest of theirs (so each agent's counter still only grows); it is answered
 * with the claim hook, single-agent offers with the confirm hook. An offer made while its caller is
 * between polls (first come, first served) starts ringing when the caller first receives it.
 *
 * <h2>Timers</h2>
 * Ring timeouts, wrap-ups and max waits are applied lazily on every touch of the account (poll,
 * hook, agent event, call end), guarded by a precomputed next deadline, and by the call sweeper's
 * periodic tick ({@link dev.edgeplane.controlplane.acd.CallDistributor#tick}).
 *
 * <h2>Durability</h2>
 * Agent status, state, epoch, calls taken, session queue override and current call are written
 * off-heap ({@link dev.edgeplane.controlplane.acd.AgentRecord}) on every change and read back after
 * a restart; every change is also journaled as {@code agent.transition} (→ {@code event_log}), and
 * every queue event of a call is traced as {@code acd.*}. Waiting lines and offers are heap state,
 * rebuilt empty after a restart: a caller rejoins its line at its next poll, ordered by the time it
 * entered the queue (kept in its off-heap flow session); an offer in flight is lost (its agent comes
 * back idle, its confirm answers 409).
 */
package dev.edgeplane.controlplane.acd;
