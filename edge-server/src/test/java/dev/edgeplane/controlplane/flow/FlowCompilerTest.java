package dev.edgeplane.controlplane.flow;

import static dev.edgeplane.controlplane.flow.FlowFixtures.SPEC_FLOW;
import static dev.edgeplane.controlplane.flow.FlowFixtures.compile;
import static dev.edgeplane.controlplane.flow.FlowFixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.Problems;
import org.junit.jupiter.api.Test;

class FlowCompilerTest
{
    @Test
    void shouldCompileTheSpecExample()
    {
        final CompiledFlow flow = compile("flow_main", SPEC_FLOW);

        assertEquals("flow_main", flow.id());
        assertEquals(4, flow.nodeCount());
        assertEquals("menu", flow.nodeName(flow.startNode()));
        for (final String name : new String[] {"menu", "sales", "vm", "bye"})
        {
            final int index = flow.nodeIndex(name);
            assertTrue(index >= 0, name);
            assertEquals(name, flow.nodeName(index));
        }
        assertEquals(-1, flow.nodeIndex("nope"));
        assertEquals(-1, flow.nodeIndex(""));
        assertEquals(flow.nodeIndex("menu"), flow.nodeIndex(new StringBuilder("menu")));
        assertTrue(flow.isHangup(flow.nodeIndex("bye")));
        assertFalse(flow.isHangup(flow.nodeIndex("menu")));
        assertEquals("gather", flow.commandType(flow.nodeIndex("menu")));
        assertEquals("record", flow.commandType(flow.nodeIndex("vm")));
    }

    @Test
    void shouldResolveExactThenLongestPrefixThenDefault()
    {
        final CompiledFlow flow = compile("f", """
            {"start":"a","nodes":{
              "a":{"command":{"type":"noop"},
                   "next":{"*":"d","digit:*":"p","digit:1":"x","key:long:*":"l","key:*":"k"}},
              "x":{"command":{"type":"noop"}}, "p":{"command":{"type":"noop"}}, "d":{"command":{"type":"noop"}},
              "l":{"command":{"type":"noop"}}, "k":{"command":{"type":"noop"}}}}
            """);
        final int a = flow.nodeIndex("a");

        assertEquals("x", flow.nodeName(flow.nextNode(a, "digit:1")));
        assertEquals("p", flow.nodeName(flow.nextNode(a, "digit:7")));
        assertEquals("l", flow.nodeName(flow.nextNode(a, "key:long:5")));
        assertEquals("k", flow.nodeName(flow.nextNode(a, "key:5")));
        assertEquals("d", flow.nodeName(flow.nextNode(a, "timeout")));
        assertEquals("d", flow.nodeName(flow.nextNode(a, "digit")));
    }

    @Test
    void shouldReportNoMatchWithoutNextOrDefault()
    {
        final CompiledFlow flow = compile("f", """
            {"start":"a","nodes":{"a":{"command":{"type":"noop"},"next":{"digit:1":"b"}},
              "b":{"command":{"type":"play","media":"x.wav"}}}}
            """);

        assertEquals(-1, flow.nextNode(flow.nodeIndex("a"), "digit:2"));
        assertEquals(-1, flow.nextNode(flow.nodeIndex("b"), "done"));
    }

    @Test
    void shouldReportEveryProblemAtOnceWithItsPath()
    {
        final CompileResult result = FlowCompiler.compile("f", parse("""
            {"nodes":{
              "menu":{"command":{"type":"gather","prompt":7,"numDigits":"one","timeoutMs":5000,"volume":3},
                      "next":{"digit:1":"sales","digit:2":"nowhere","*":"bye"}},
              "sales":{"command":{"type":"transfer","to":"x"}},
              "vm":{"command":{"type":"record","maxSeconds":0,"beep":"loud"}},
              "call":{"command":{"type":"dial","targets":["sip:a@b",5,""],"timeoutMs":-1}},
              "bye":{"command":{"type":"hangup","cause":false}}}}
            """));

        assertFalse(result.ok());
        assertNull(result.flow());
        final Map<String, String> problems = asMap(result.problems());
        assertEquals("is required", problems.get("start"));
        assertEquals("must be a string", problems.get("nodes.menu.command.prompt"));
        assertEquals("must be an integer", problems.get("nodes.menu.command.numDigits"));
        assertEquals("is not a field of gather", problems.get("nodes.menu.command.volume"));
        assertEquals("names no node: \"nowhere\"", problems.get("nodes.menu.next.digit:2"));
        assertEquals("must be one of play, gather, dial, enqueue, record, conference, hangup, noop",
            problems.get("nodes.sales.command.type"));
        assertEquals("must be between 1 and 3600", problems.get("nodes.vm.command.maxSeconds"));
        assertEquals("must be a boolean", problems.get("nodes.vm.command.beep"));
        assertEquals("must be a string", problems.get("nodes.call.command.targets[1]"));
        assertEquals("must not be empty", problems.get("nodes.call.command.targets[2]"));
        assertEquals("must be between 1 and 600000", problems.get("nodes.call.command.timeoutMs"));
        assertEquals("must be a string", problems.get("nodes.bye.command.cause"));
        assertEquals(12, result.problems().size(), result.problems().toString());
    }

    @Test
    void shouldRequireTheFieldsEachCommandNeeds()
    {
        final CompileResult result = FlowCompiler.compile("f", parse("""
            {"start":"p","nodes":{
              "p":{"command":{"type":"play","loop":-1}},
              "g":{"command":{"type":"gather","numDigits":65}},
              "d":{"command":{"type":"dial","targets":[]}},
              "e":{"command":{"type":"enqueue","queue":""}},
              "r":{"command":{"type":"record"}},
              "c":{"command":{"type":"conference","room":null}},
              "n":{"command":{"type":"noop","waitMs":600001}},
              "x":{"command":{}},
              "y":{"next":{"*":"p"}}}}
            """));

        final Map<String, String> problems = asMap(result.problems());
        assertEquals("is required", problems.get("nodes.p.command.media"));
        assertEquals("must be between 0 and 2147483647", problems.get("nodes.p.command.loop"));
        assertEquals("must be between 1 and 64", problems.get("nodes.g.command.numDigits"));
        assertEquals("is required", problems.get("nodes.g.command.timeoutMs"));
        assertEquals("must have 1 to 64 elements", problems.get("nodes.d.command.targets"));
        assertEquals("must not be empty", problems.get("nodes.e.command.queue"));
        assertEquals("is required", problems.get("nodes.r.command.maxSeconds"));
        assertEquals("is required", problems.get("nodes.r.command.beep"));
        assertEquals("is required", problems.get("nodes.c.command.room"));
        assertEquals("must be between 0 and 600000", problems.get("nodes.n.command.waitMs"));
        assertEquals("is required", problems.get("nodes.x.command.type"));
        assertEquals("is required", problems.get("nodes.y.command"));
        assertEquals(12, result.problems().size(), result.problems().toString());
    }

    @Test
    void shouldRejectAStartThatNamesNoNode()
    {
        final Map<String, String> problems = problemsOf("""
            {"start":"welcome","nodes":{"menu":{"command":{"type":"hangup"}}}}
            """);

        assertEquals(Map.of("start", "must name a node"), problems);
    }

    @Test
    void shouldRejectMissingOrEmptyNodes()
    {
        assertEquals(Map.of("nodes", "is required"), problemsOf("{\"start\":\"a\"}"));
        assertEquals(Map.of("nodes", "must be an object"), problemsOf("{\"start\":\"a\",\"nodes\":[]}"));
        assertEquals(Map.of("nodes", "must not be empty"), problemsOf("{\"start\":\"a\",\"nodes\":{}}"));
        assertEquals(Map.of("", "must be an object"), asMap(FlowCompiler.compile("f", parse("[1]")).problems()));
        assertEquals(Map.of("", "must be an object"), asMap(FlowCompiler.compile("f", null).problems()));
    }

    @Test
    void shouldRejectUnknownFieldsOfFlowsAndNodes()
    {
        final Map<String, String> problems = problemsOf("""
            {"start":"a","version":2,"nodes":{"a":{"command":{"type":"hangup"},"nxt":{"*":"a"}},"b":3}}
            """);

        assertEquals("is not a field of a flow", problems.get("version"));
        assertEquals("is not a field of a node", problems.get("nodes.a.nxt"));
        assertEquals("must be an object", problems.get("nodes.b"));
        assertEquals(3, problems.size());
    }

    @Test
    void shouldBoundNodeNamesAndCount()
    {
        final String longName = "n".repeat(65);
        final Map<String, String> names = problemsOf("{\"start\":\"a\",\"nodes\":{\"a\":{\"command\":{\"type\":\"hangup\"}},"
            + "\"\":{\"command\":{\"type\":\"hangup\"}},\"" + longName + "\":{\"command\":{\"type\":\"hangup\"}}}}");
        assertEquals("name must be 1 to 64 characters", names.get("nodes."));
        assertEquals("name must be 1 to 64 characters", names.get("nodes." + longName));
        assertEquals(2, names.size());

        final StringBuilder json = new StringBuilder("{\"start\":\"n0\",\"nodes\":{");
        for (int i = 0; i < 257; i++)
        {
            json.append(i == 0 ? "" : ",").append("\"n").append(i).append("\":{\"command\":{\"type\":\"hangup\"}}");
        }
        json.append("}}");
        assertEquals(Map.of("nodes", "must have at most 256 nodes"), problemsOf(json.toString()));

        final String fits = json.toString().replace(",\"n256\":{\"command\":{\"type\":\"hangup\"}}", "");
        assertEquals(256, compile("f", fits).nodeCount());
    }

    @Test
    void shouldRejectMalformedOutcomePatterns()
    {
        final Map<String, String> problems = problemsOf("""
            {"start":"a","nodes":{"a":{"command":{"type":"noop"},
              "next":{"digit*":"a","*:1":"a",":*":"a","":"a","digit:**":"a","ok:*":"a","*":"a","x":7}}}}
            """);

        final String message = "outcome pattern may use '*' only alone or as a final ':*'";
        assertEquals(message, problems.get("nodes.a.next.digit*"));
        assertEquals(message, problems.get("nodes.a.next.*:1"));
        assertEquals(message, problems.get("nodes.a.next.:*"));
        assertEquals(message, problems.get("nodes.a.next.digit:**"));
        assertEquals("outcome pattern must be 1 to 64 characters", problems.get("nodes.a.next."));
        assertEquals("must be a node name", problems.get("nodes.a.next.x"));
        assertEquals(6, problems.size());
    }

    @Test
    void shouldRenderIntegersGivenAsDigitStringsAsNumbers()
    {
        final CompiledFlow flow = compile("f", """
            {"start":"g","nodes":{"g":{"command":{"timeoutMs":"3000","type":"gather","numDigits":4,"finishOnKey":"#"}}}}
            """);
        final FlowEngine engine = new FlowEngine();
        final FlowSession session = new FlowSession();
        final StepOutcome outcome = engine.start(flow, session, "acc_1", null, 0);

        // "type" is always written first; the other fields keep definition order.
        assertEquals("{\"type\":\"gather\",\"timeoutMs\":3000,\"numDigits\":4,\"finishOnKey\":\"#\"}",
            FlowFixtures.render(engine, flow, outcome, session));
    }

    @Test
    void shouldHaveAFlowExactlyWhenThereIsNoProblem()
    {
        final CompileResult ok = FlowCompiler.compile("f", parse(SPEC_FLOW));
        assertTrue(ok.ok());
        assertNotNull(ok.flow());
        assertTrue(ok.problems().isEmpty());

        assertThrows(NullPointerException.class, () -> new CompileResult(ok.flow(), null));
        assertThrows(IllegalArgumentException.class, () -> new CompileResult(null, new Problems()));
        assertThrows(IllegalArgumentException.class,
            () -> new CompileResult(ok.flow(), new Problems().add("a", "b")));
    }

    private static Map<String, String> problemsOf(final String json)
    {
        final CompileResult result = FlowCompiler.compile("f", parse(json));
        assertFalse(result.ok(), "expected problems");
        return asMap(result.problems());
    }

    private static Map<String, String> asMap(final Problems problems)
    {
        final Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < problems.size(); i++)
        {
            assertNull(map.put(problems.path(i), problems.message(i)), "one problem per path: " + problems);
        }
        return map;
    }
}
