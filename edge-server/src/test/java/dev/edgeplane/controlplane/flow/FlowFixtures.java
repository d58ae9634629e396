package dev.edgeplane.controlplane.flow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.JsonBuffer;

/** Flow definitions and rendering shared by the flow tests. */
final class FlowFixtures
{
    /** The example of docs/SPEC-control-plane.md, "POST /flow — the command loop". */
    static final String SPEC_FLOW = """
        {"start":"menu","nodes":{
          "menu":{"command":{"type":"gather","prompt":"media:menu.wav","numDigits":1,"timeoutMs":5000},
                  "next":{"digit:1":"sales","digit:2":"vm","timeout":"menu","*":"bye"}},
          "sales":{"command":{"type":"enqueue","queue":"q_sales"},"next":{"*":"bye"}},
          "vm":{"command":{"type":"record","maxSeconds":120,"beep":true},"next":{"*":"bye"}},
          "bye":{"command":{"type":"hangup"}}}}
        """;

    private FlowFixtures()
    {
    }

    static Object parse(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return Json.parse(bytes, 0, bytes.length);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final String json)
    {
        return (Map<String, Object>)parse(json);
    }

    static CompiledFlow compile(final String flowId, final String json)
    {
        final CompileResult result = FlowCompiler.compile(flowId, parse(json));
        assertTrue(result.problems().isEmpty(), () -> "unexpected problems: " + result.problems());
        assertTrue(result.ok());
        return result.flow();
    }

    static String render(final FlowEngine engine, final CompiledFlow flow, final StepOutcome outcome,
        final FlowSession session)
    {
        try (JsonBuffer out = new JsonBuffer())
        {
            engine.writeCommand(out.generator(), flow, outcome, session);
            return new String(out.toByteArray(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
