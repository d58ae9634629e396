package dev.edgeplane.bench;

import dev.edgeplane.controlplane.flow.FlowSession;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.state.OffHeapStore;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesMarshallable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@link OffHeapStore} (Chronicle Map, memory-mapped in a temporary directory) with the two values the call path
 * reads and writes most: a {@link FlowSession} ({@code flow-sessions}, 4 variables) and a {@link CallEntry}
 * ({@code calls}, with a 220-byte stored decision). Each store is sized for 100 000 entries and prefilled with
 * {@value #PREFILLED} Call-ID keys; the operations walk those keys in order:
 * <ul>
 *     <li>{@code get*}: {@link OffHeapStore#get(CharSequence, BytesMarshallable) get(key, reusable)} of a present
 *     key into one kept instance;</li>
 *     <li>{@code put*}: {@link OffHeapStore#put} of a present key (a replaced value of the same shape).</li>
 * </ul>
 *
 * <p>Mode: average time per operation in nanoseconds; one thread. Run with {@code -prof gc} to see bytes
 * allocated per operation ({@code gc.alloc.rate.norm}). Forks get the flags of
 * {@code perf-config/jvm/chronicle.options}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    // perf-config/jvm/chronicle.options, one flag per line there
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED"})
public class OffHeapStoreBenchmark
{
    /** Keys put in each store before measuring. */
    static final int PREFILLED = 50_000;

    /** Capacity each store is sized for. */
    static final long CAPACITY = 100_000;

    /**
     * One store, its prefilled keys and a cursor over them. Not thread-safe: one per benchmark thread.
     *
     * @param <V> value type.
     */
    public abstract static class StoreState<V extends BytesMarshallable>
    {
        ScratchDirectory directory;
        OffHeapStore<V> store;
        String[] keys;
        V value;
        V reusable;
        int next;

        void open(final StoreSpec<V> spec, final V prefillValue)
        {
            directory = ScratchDirectory.create("edgeplane-bench-" + spec.name() + "-");
            store = OffHeapStore.open(spec.withEntries(CAPACITY), directory.path());
            keys = new String[PREFILLED];
            for (int i = 0; i < PREFILLED; i++)
            {
                keys[i] = callId(i);
                store.put(keys[i], prefillValue);
            }
            value = prefillValue;
            reusable = store.newValue();
            if (store.size() != PREFILLED || store.get(keys[PREFILLED - 1], reusable) == null)
            {
                throw new IllegalStateException(spec.name() + " holds " + store.size() + " entries after prefill");
            }
        }

        String nextKey()
        {
            final String key = keys[next];
            next = next + 1 == keys.length ? 0 : next + 1;
            return key;
        }

        @TearDown
        public void tearDown()
        {
            store.close();
            directory.close();
        }

        /** @return a Call-ID shaped like a SIP stack's: 16 hex digits at a host. */
        private static String callId(final int i)
        {
            final long mixed = (i + 1) * 0x9E3779B97F4A7C15L;
            return String.format(Locale.ROOT, "%016x@pbx.example.com", mixed);
        }
    }

    /** The {@code flow-sessions} store. */
    @State(Scope.Thread)
    public static class FlowSessions extends StoreState<FlowSession>
    {
        @Setup
        public void setUp()
        {
            final FlowSession session = new FlowSession()
                .accountId("acc_01jf18ah3jeb5w6dfp27sgjsbt")
                .flowId("flow_01jzqwjn803wtnhc445bvjenzc")
                .node("menu")
                .step(3)
                .startedAtMillis(1_767_225_600_000L);
            session.putVar("call_id", "a84b4c76e66710@pbx.example.com");
            session.putVar("caller_cid", "14155551234");
            session.putVar("did", "12025550123");
            session.putVar("outcome", "timeout");
            open(FlowSession.STORE, session);
        }
    }

    /** The {@code calls} store. */
    @State(Scope.Thread)
    public static class Calls extends StoreState<CallEntry>
    {
        @Setup
        public void setUp()
        {
            final CallEntry entry = new CallEntry();
            entry.accountId = "acc_01jf18ah3jeb5w6dfp27sgjsbt";
            entry.direction = CallEntry.INBOUND;
            entry.state = CallEntry.ROUTED;
            entry.admitted = true;
            entry.createdAtMillis = 1_767_225_600_000L;
            entry.lastSeenMillis = entry.createdAtMillis;
            entry.from = "14155551234";
            entry.to = "12025550123";
            entry.decision = new byte[220];
            open(CallEntry.STORE, entry);
        }
    }

    @Benchmark
    public FlowSession getFlowSession(final FlowSessions s)
    {
        return s.store.get(s.nextKey(), s.reusable);
    }

    @Benchmark
    public void putFlowSession(final FlowSessions s)
    {
        s.store.put(s.nextKey(), s.value);
    }

    @Benchmark
    public CallEntry getCallEntry(final Calls s)
    {
        return s.store.get(s.nextKey(), s.reusable);
    }

    @Benchmark
    public void putCallEntry(final Calls s)
    {
        s.store.put(s.nextKey(), s.value);
    }
}
