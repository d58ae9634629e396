package dev.edgeplane.controlplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.controlplane.acd.AcdSettings;
import dev.edgeplane.controlplane.acd.AgentRecord;
import dev.edgeplane.controlplane.acd.CallDistributor;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.config.ConfigDocument;
import dev.edgeplane.controlplane.config.LiveConfig;
import dev.edgeplane.controlplane.flow.FlowEngine;
import dev.edgeplane.controlplane.flow.FlowSession;
import dev.edgeplane.controlplane.state.AuthGuard;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.NonceUse;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.persistence.config.ConfigRepository;
import dev.edgeplane.server.EdgeRuntime;
import dev.edgeplane.server.Answer;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.ShardWriter;
import dev.edgeplane.state.Shards;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control-plane handlers share: live configuration, the off-heap stores (registrations,
 * calls, flow sessions, auth guards, nonces), the per-shard CAC ledgers and encode buffers, the
 * trace writer, the routing brain and the ACD.
 *
 * <p>Ownership: a call's entry, its account's CAC counters and its account's ACD state (agents,
 * queues, leases: {@link CallDistributor}) belong to the account's shard; a flow session to the
 * Call-ID's shard; an auth guard to the source address's shard. Per-shard objects are indexed by
 * {@link ShardWriter#index()} and touched only by that writer.
 */
final class ControlPlane implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final ThreadLocal<Registration> REGISTRATION = ThreadLocal.withInitial(Registration::new);

    final EdgeRuntime runtime;
    final ControlPlaneSettings settings;
    final LiveConfig config;
    final OffHeapStore<Registration> registrations;
    final OffHeapStore<CallEntry> calls;
    final OffHeapStore<FlowSession> flowSessions;
    final OffHeapStore<AuthGuard> guards;
    final OffHeapStore<NonceUse> nonces;
    final OffHeapStore<AgentRecord> agentRecords;
    final SecurityState security;
    final CallTrace trace;
    final RouteDecider decider;
    final FlowEngine flowEngine;
    final CallDistributor acd;
    private final ChannelLedger[] ledgers;
    private final JsonBuffer[] buffers;
    private final CallEntry[] entries;
    private final FlowSession[] sessions;
    private final Expiries[] expiries;

    ControlPlane(final EdgeRuntime runtime)
    {
        this.runtime = runtime;
        this.settings = ControlPlaneSettings.from(runtime.settings());
        this.registrations = runtime.openStore(Registration.STORE);
        this.calls = runtime.openStore(CallEntry.STORE);
        this.flowSessions = runtime.openStore(FlowSession.STORE);
        this.guards = runtime.openStore(AuthGuard.STORE.withEntries(settings.authGuardEntries()));
        this.nonces = runtime.openStore(NonceUse.STORE);
        this.agentRecords = runtime.openStore(AgentRecord.STORE);
        this.security = new SecurityState(runtime.shards(), new AllowListRepository(runtime.database().dataSource()));
        this.trace = new CallTrace(runtime.journal());
        this.decider = new RouteDecider(registrations, settings.wholesaleTrunkUri());
        this.flowEngine = new FlowEngine(settings.flowStepLimit());
        final int n = runtime.shards().count();
        this.ledgers = new ChannelLedger[n];
        this.buffers = new JsonBuffer[n];
        this.entries = new CallEntry[n];
        this.sessions = new FlowSession[n];
        this.expiries = new Expiries[n];
        for (int i = 0; i < n; i++)
        {
            ledgers[i] = new ChannelLedger();
            buffers[i] = new JsonBuffer(512);
            entries[i] = new CallEntry();
            sessions[i] = new FlowSession();
            expiries[i] = new Expiries();
        }
        this.acd = new CallDistributor(runtime.shards(), agentRecords, trace, AcdSettings.from(runtime.settings()),
            this::reachable, calls::containsKey);
        rebuildLedgers();
        rebuildExpiries();
        this.config = new LiveConfig(new ConfigRepository(runtime.database().dataSource()));
        seedIfEmpty();
        config.start(runtime.database().settings());
    }

    Shards shards()
    {
        return runtime.shards();
    }

    /** @return the account in the live configuration, or null: answer {@link #noAccount}. */
    CompiledAccount account(final String accountId)
    {
        return config.snapshot().account(accountId);
    }

    /** @return the one answer for an accountId that names no account: {@code 404 not_found}. */
    static Answer noAccount(final String accountId)
    {
        return Answer.notFound("no account " + accountId);
    }

    ShardWriter accountShard(final String accountId)
    {
        return runtime.shards().forKey(accountId);
    }

    ShardWriter callShard(final String callId)
    {
        return runtime.shards().forKey(callId);
    }

    /** Shard-confined: the CAC ledger of the writer running the caller. */
    ChannelLedger ledger(final ShardWriter writer)
    {
        return ledgers[writer.index()];
    }

    /** Shard-confined: an encode buffer for the writer running the caller. */
    JsonBuffer buffer(final ShardWriter writer)
    {
        return buffers[writer.index()];
    }

    /** Shard-confined: a reusable call entry for the writer running the caller. */
    CallEntry entry(final ShardWriter writer)
    {
        return entries[writer.index()];
    }

    /** Shard-confined: a reusable flow session for the writer running the caller. */
    FlowSession session(final ShardWriter writer)
    {
        return sessions[writer.index()];
    }

    /** Shard-confined: the expiry indexes of the writer running the caller. */
    Expiries expiries(final ShardWriter writer)
    {
        return expiries[writer.index()];
    }

    /** Removes a call's flow session (and its expiry) on the Call-ID's shard; from any thread. */
    void endFlowSession(final String callId)
    {
        final ShardWriter shard = callShard(callId);
        shard.offer(() -> endFlowSessionOnShard(shard, callId));
    }

    /** On the Call-ID's shard. */
    void endFlowSessionOnShard(final ShardWriter shard, final String callId)
    {
        flowSessions.remove(callId);
        expiries(shard).sessions.cancel(callId);
    }

    /** @return entries the sweeper visited since start, summed over shards, for one kind (a counter). */
    long expiryVisits(final java.util.function.ToLongFunction<Expiries> kind)
    {
        long total = 0;
        for (final Expiries e : expiries)
        {
            total += kind.applyAsLong(e);
        }
        return total;
    }

    /**
     * Whether a device has a live registration. Called by the ACD on the account's shard writer, which
     * also writes the account's registrations.
     */
    private boolean reachable(final String device, final String domain, final long now)
    {
        final Registration r = registrations.get(Registration.key(device, domain), REGISTRATION.get());
        return r != null && r.liveAt(now);
    }

    /**
     * CAC counters are derived from the admitted call entries; rebuilding them before any listener
     * binds (single-threaded) makes them exact after any crash.
     */
    private void rebuildLedgers()
    {
        final long[] restored = new long[1];
        calls.forEach((callId, e) ->
        {
            if (e.admitted)
            {
                ledgers[accountShard(e.accountId).index()].restore(e.accountId, e.direction);
                restored[0]++;
            }
        });
        if (restored[0] > 0 || calls.size() > 0)
        {
            LOG.info("CAC rebuilt from {} call entries: {} channels in use", calls.size(), restored[0]);
        }
    }

    /**
     * The sweeper's expiry indexes are derived from the stores: rebuilt here, before any listener binds
     * (single-threaded), so what was due before a crash or restart is still found.
     */
    private void rebuildExpiries()
    {
        calls.forEach((callId, e) -> expiries[accountShard(e.accountId).index()].calls
            .schedule(callId.toString(), CallSweeper.callDeadline(settings, e)));
        registrations.forEach((key, r) -> expiries[accountShard(r.accountId).index()].registrations
            .schedule(key.toString(), r.expiresAtMillis));
        flowSessions.forEach((callId, s) -> expiries[callShard(callId.toString()).index()].sessions
            .schedule(callId.toString(), CallSweeper.sessionDeadline(settings, s)));
        nonces.forEach((key, n) -> expiries[runtime.shards().forKey(key).index()].nonces
            .schedule(key.toString(), n.expiresAtMillis));
        guards.forEach((ip, g) -> expiries[runtime.shards().forKey(ip).index()].guards
            .schedule(ip.toString(), CallSweeper.guardDeadline(settings, g)));
    }

    /** Applies {@code EDGEPLANE_SEED_CONFIG} when the database has no account yet (first run). */
    private void seedIfEmpty()
    {
        final String seed = settings.seedConfig();
        if (seed.isEmpty())
        {
            return;
        }
        if (!config.repository().loadAll().isEmpty())
        {
            return;
        }
        try
        {
            final byte[] doc = Files.readAllBytes(Path.of(seed));
            final ConfigDocument.Parsed parsed = ConfigDocument.parse(doc, 0, doc.length);
            if (!parsed.valid())
            {
                throw new IllegalStateException(ControlPlaneSettings.SEED_CONFIG + " " + seed + " is not valid: " + parsed.problems());
            }
            final var result = config.repository().apply(parsed.accounts());
            if (!result.applied())
            {
                throw new IllegalStateException(ControlPlaneSettings.SEED_CONFIG + " " + seed + " was refused: " + result.problems());
            }
            LOG.info("empty database: applied seed configuration {} ({} accounts)", seed, parsed.accounts().size());
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot read " + ControlPlaneSettings.SEED_CONFIG + " " + seed + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close()
    {
        config.close();
    }
}
