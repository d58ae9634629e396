package dev.edgeplane.bench;

import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.controlplane.RouteDecider;
import dev.edgeplane.controlplane.RouteDecision;
import dev.edgeplane.controlplane.config.ConfigDocument;
import dev.edgeplane.controlplane.config.ConfigSnapshot;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.state.OffHeapStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The routing brain of {@code POST /route} after HTTP decoding: {@link RouteDecider#decide} on the demo
 * configuration ({@code examples/demo-config.json}) and a real off-heap registration store, alone and followed by
 * {@link RouteDecision#render} of the rtjson answer into a reused {@link JsonBuffer}. Three calls:
 * <ul>
 *     <li>inbound: {@code +14155551234} from a carrier calls the DID {@code +12025550123}, whose target is the
 *     main-menu flow;</li>
 *     <li>outbound: device 1001 calls {@code +14155550100}, routed to the {@code +1} trunk;</li>
 *     <li>internal: device 1001 calls device 1002, whose registration is read from the store.</li>
 * </ul>
 *
 * <p>Mode: average time per operation in nanoseconds; one thread. Run with {@code -prof gc}: the
 * {@code gc.alloc.rate.norm} of a {@code decide*} method is what one decision allocates, that of a
 * {@code decideAndRender*} method adds the rendering (including the {@code byte[]} copy {@code render} returns).
 * The store is Chronicle Map, so forks get the flags of {@code perf-config/jvm/chronicle.options}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
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
public class RouteDecisionBenchmark
{
    private static final String DOMAIN = "acme.sip.io";

    /** The configuration document, relative to the working directory (JMH runs from the repository root). */
    @Param("examples/demo-config.json")
    public String configPath;

    private ScratchDirectory directory;
    private OffHeapStore<Registration> registrations;
    private ConfigSnapshot config;
    private RouteDecider decider;
    private Registration reusable;
    private JsonBuffer buffer;
    private Instant now;

    @Setup
    public void setUp() throws IOException
    {
        final byte[] json = Files.readAllBytes(Path.of(configPath));
        final ConfigDocument.Parsed parsed = ConfigDocument.parse(json, 0, json.length);
        if (!parsed.valid())
        {
            throw new IllegalStateException(configPath + " is not valid: " + parsed.problems());
        }
        config = ConfigSnapshot.of(parsed.accounts());

        directory = ScratchDirectory.create("edgeplane-bench-registrations-");
        registrations = OffHeapStore.open(Registration.STORE.withEntries(10_000), directory.path());
        now = Instant.now();
        final Registration registration = new Registration();
        registration.accountId = config.accountByDomain(DOMAIN).id();
        registration.contact = "sip:1002@203.0.113.8:5060;transport=udp";
        registration.sourceIp = "203.0.113.8";
        registration.userAgent = "Yealink SIP-T46U 108.86.0.45";
        registration.registeredAtMillis = now.toEpochMilli();
        registration.expiresAtMillis = now.toEpochMilli() + TimeUnit.DAYS.toMillis(3650);
        registrations.put(Registration.key("1002", DOMAIN), registration);

        decider = new RouteDecider(registrations, "sip:wholesale.example.net:5060");
        reusable = registrations.newValue();
        buffer = new JsonBuffer(512);

        expect(decideInbound(), RouteDecision.Action.FLOW);
        expect(decideOutbound(), RouteDecision.Action.OUTBOUND);
        expect(decideInternal(), RouteDecision.Action.PROXY);
    }

    @TearDown
    public void tearDown()
    {
        buffer.close();
        registrations.close();
        directory.close();
    }

    @Benchmark
    public RouteDecision decideInbound()
    {
        return decider.decide(config, "+14155551234", "carrier.example.net", "+12025550123", null, now, reusable);
    }

    @Benchmark
    public RouteDecision decideOutbound()
    {
        return decider.decide(config, "1001", DOMAIN, "+14155550100", "1001", now, reusable);
    }

    @Benchmark
    public RouteDecision decideInternal()
    {
        return decider.decide(config, "1001", DOMAIN, "1002", "1001", now, reusable);
    }

    @Benchmark
    public byte[] decideAndRenderInbound()
    {
        return decideInbound().render(buffer);
    }

    @Benchmark
    public byte[] decideAndRenderOutbound()
    {
        return decideOutbound().render(buffer);
    }

    @Benchmark
    public byte[] decideAndRenderInternal()
    {
        return decideInternal().render(buffer);
    }

    private static void expect(final RouteDecision decision, final RouteDecision.Action action)
    {
        if (decision.action() != action)
        {
            throw new IllegalStateException("expected " + action + " but decided " + decision);
        }
    }
}
