package dev.edgeplane.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.controlplane.config.ConfigDocument;
import dev.edgeplane.controlplane.flow.CompileResult;
import dev.edgeplane.controlplane.flow.CompiledFlow;
import dev.edgeplane.controlplane.flow.FlowCompiler;
import dev.edgeplane.controlplane.flow.FlowEngine;
import dev.edgeplane.controlplane.flow.FlowSession;
import dev.edgeplane.controlplane.flow.StepOutcome;
import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.FlowConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code /flow} command loop without HTTP or the session store: {@link FlowEngine#start} and
 * {@link FlowEngine#step} on the demo account's main flow ("Main menu" in {@code examples/demo-config.json}, compiled
 * with {@link FlowCompiler#compile}), each command rendered with {@link FlowEngine#writeCommand} into a reused
 * {@link JsonBuffer} generator.
 * <ul>
 *     <li>{@code start}: start the flow with the three variables the handler passes ({@code call_id},
 *     {@code caller_cid}, {@code did}) and render the {@code gather} command of node {@code menu};</li>
 *     <li>{@code step}: put the session back at {@code menu} (two setters), step on {@code digit:1} with
 *     {@code data = {"digits":"1"}} and render the {@code enqueue} command of node {@code sales};</li>
 *     <li>{@code startAndStep}: both in a row, one call's first two {@code /flow} requests.</li>
 * </ul>
 *
 * <p>Mode: average time per operation in nanoseconds; one thread. Run with {@code -prof gc} to see bytes
 * allocated per operation ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class FlowStepBenchmark
{
    private static final String MAIN_FLOW_NAME = "Main menu";
    private static final long STARTED_AT_MILLIS = 1_767_225_600_000L;

    /** The configuration document, relative to the working directory (JMH runs from the repository root). */
    @Param("examples/demo-config.json")
    public String configPath;

    private FlowEngine engine;
    private CompiledFlow flow;
    private String accountId;
    private FlowSession session;
    private Map<String, String> initialVars;
    private Map<String, Object> stepData;
    private String stepOutcome;
    private String startNodeName;
    private JsonBuffer buffer;

    @Setup
    public void setUp() throws IOException
    {
        final byte[] json = Files.readAllBytes(Path.of(configPath));
        final ConfigDocument.Parsed parsed = ConfigDocument.parse(json, 0, json.length);
        if (!parsed.valid())
        {
            throw new IllegalStateException(configPath + " is not valid: " + parsed.problems());
        }
        final AccountConfig account = parsed.accounts().get(0);
        final FlowConfig main = account.flows().stream()
            .filter(f -> MAIN_FLOW_NAME.equals(f.name()))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no flow named " + MAIN_FLOW_NAME + " in " + configPath));
        final byte[] definition = main.definitionJson().getBytes(StandardCharsets.UTF_8);
        final CompileResult compiled = FlowCompiler.compile(main.id(), Json.parse(definition, 0, definition.length));
        if (!compiled.ok())
        {
            throw new IllegalStateException("flow " + main.id() + " does not compile: " + compiled.problems());
        }
        flow = compiled.flow();
        accountId = account.id();

        engine = new FlowEngine();
        session = new FlowSession();
        initialVars = new HashMap<>();
        initialVars.put("call_id", "a84b4c76e66710@pbx.example.com");
        initialVars.put("caller_cid", "14155551234");
        initialVars.put("did", "12025550123");
        stepData = new LinkedHashMap<>();
        stepData.put("digits", "1");
        stepOutcome = "digit:1";
        startNodeName = flow.nodeName(flow.startNode());
        buffer = new JsonBuffer(512);

        final String gather = render(engine.start(flow, session, accountId, initialVars, STARTED_AT_MILLIS));
        final String enqueue = render(engine.step(flow, session, stepOutcome, stepData));
        if (!gather.contains("\"gather\"") || !enqueue.contains("\"enqueue\""))
        {
            throw new IllegalStateException("unexpected commands " + gather + " then " + enqueue);
        }
    }

    @TearDown
    public void tearDown()
    {
        buffer.close();
    }

    @Benchmark
    public int start() throws IOException
    {
        final StepOutcome outcome = engine.start(flow, session, accountId, initialVars, STARTED_AT_MILLIS);
        return write(outcome);
    }

    @Benchmark
    public int step() throws IOException
    {
        session.node(startNodeName).step(1);
        final StepOutcome outcome = engine.step(flow, session, stepOutcome, stepData);
        return write(outcome);
    }

    @Benchmark
    public int startAndStep() throws IOException
    {
        final int startLength = write(engine.start(flow, session, accountId, initialVars, STARTED_AT_MILLIS));
        return startLength + write(engine.step(flow, session, stepOutcome, stepData));
    }

    /** @return the length of the rendered command, so the work cannot be dropped. */
    private int write(final StepOutcome outcome) throws IOException
    {
        buffer.reset();
        final JsonGenerator g = buffer.generator();
        engine.writeCommand(g, flow, outcome, session);
        return buffer.length();
    }

    private String render(final StepOutcome outcome) throws IOException
    {
        final int length = write(outcome);
        return new String(buffer.array(), 0, length, StandardCharsets.UTF_8);
    }
}
