package dev.edgeplane.controlplane.flow;

import static dev.edgeplane.controlplane.flow.FlowFixtures.SPEC_FLOW;
import static dev.edgeplane.controlplane.flow.FlowFixtures.compile;
import static dev.edgeplane.controlplane.flow.FlowFixtures.object;
import static dev.edgeplane.controlplane.flow.FlowFixtures.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class FlowEngineTest
{
    private static final String GATHER_MENU =
        "{\"type\":\"gather\",\"prompt\":\"media:menu.wav\",\"numDigits\":1,\"timeoutMs\":5000}";

    private final CompiledFlow flow = compile("flow_main", SPEC_FLOW);
    private final FlowEngine engine = new FlowEngine();
    private final FlowSession session = new FlowSession();

    @Test
    void shouldStartAtTheStartNodeWithItsCommand()
    {
        final StepOutcome outcome = engine.start(flow, session, "acc_1", Map.of("caller_cid", "14155551234"), 1_000L);

        assertEquals(StepOutcome.Kind.COMMAND, outcome.kind());
        assertEquals(flow.startNode(), outcome.node());
        assertNull(outcome.hangupCause());
        assertEquals(GATHER_MENU, render(engine, flow, outcome, session));
        assertEquals("acc_1", session.accountId().toString());
        assertEquals("flow_main", session.flowId().toString());
        assertEquals("menu", session.node().toString());
        assertEquals(1, session.step());
        assertFalse(session.finished());
        assertEquals(1_000L, session.startedAtMillis());
        assertEquals(Map.of("caller_cid", "14155551234"), session.varsAsMap());
    }

    @Test
    void shouldEnqueueOnDigitOneThenHangUp()
    {
        engine.start(flow, session, "acc_1", null, 0);

        final StepOutcome sales = engine.step(flow, session, "digit:1", null);
        assertEquals("sales", flow.nodeName(sales.node()));
        assertEquals("{\"type\":\"enqueue\",\"queue\":\"q_sales\"}", render(engine, flow, sales, session));
        assertEquals(2, session.step());
        assertFalse(session.finished());

        final StepOutcome bye = engine.step(flow, session, "queue:timeout", null);
        assertEquals("bye", flow.nodeName(bye.node()));
        assertEquals("{\"type\":\"hangup\"}", render(engine, flow, bye, session));
        assertEquals(3, session.step());
        assertTrue(session.finished());
    }

    @Test
    void shouldRecordOnDigitTwo()
    {
        engine.start(flow, session, "acc_1", null, 0);

        final StepOutcome vm = engine.step(flow, session, "digit:2", Map.of("digits", "2"));

        assertEquals("vm", session.node().toString());
        assertEquals("{\"type\":\"record\",\"maxSeconds\":120,\"beep\":true}", render(engine, flow, vm, session));
    }

    @Test
    void shouldRepeatTheMenuOnTimeout()
    {
        engine.start(flow, session, "acc_1", null, 0);

        final StepOutcome again = engine.step(flow, session, "timeout", null);
        final StepOutcome third = engine.step(flow, session, "timeout", null);

        assertSame(again, third);
        assertEquals(flow.startNode(), third.node());
        assertEquals(GATHER_MENU, render(engine, flow, third, session));
        assertEquals(3, session.step());
        assertEquals("timeout", session.var("outcome").toString());
    }

    @Test
    void shouldHangUpOnAnyOtherOutcome()
    {
        engine.start(flow, session, "acc_1", null, 0);

        final StepOutcome bye = engine.step(flow, session, "digit:9", null);

        assertEquals("bye", flow.nodeName(bye.node()));
        assertTrue(session.finished());
        assertEquals("{\"type\":\"hangup\"}", render(engine, flow, bye, session));
    }

    @Test
    void shouldRefuseAStepAfterHangupWithoutChangingTheSession()
    {
        engine.start(flow, session, "acc_1", null, 0);
        engine.step(flow, session, "digit:9", null);
        final String before = session.toString();

        final StepOutcome refused = engine.step(flow, session, "digit:1", Map.of("digits", "1"));

        assertSame(StepOutcome.FINISHED, refused);
        assertEquals(StepOutcome.Kind.FINISHED, refused.kind());
        assertEquals(before, session.toString());
        assertThrows(IllegalArgumentException.class, () -> render(engine, flow, refused, session));
    }

    @Test
    void shouldPreferExactOverPrefixOverDefault()
    {
        final CompiledFlow wild = compile("f", """
            {"start":"menu","nodes":{
              "menu":{"command":{"type":"gather","numDigits":1,"timeoutMs":0},
                      "next":{"digit:1":"one","digit:*":"other","*":"fallback"}},
              "one":{"command":{"type":"play","media":"one.wav"}},
              "other":{"command":{"type":"play","media":"other-${digits}.wav"}},
              "fallback":{"command":{"type":"hangup","cause":"fallback"}}}}
            """);

        assertEquals("one", nodeAfter(wild, "digit:1"));
        assertEquals("other", nodeAfter(wild, "digit:7"));
        assertEquals("fallback", nodeAfter(wild, "timeout"));

        engine.start(wild, session, "acc_1", null, 0);
        final StepOutcome other = engine.step(wild, session, "digit:7", Map.of("digits", "7"));
        assertEquals("{\"type\":\"play\",\"media\":\"other-7.wav\"}", render(engine, wild, other, session));
    }

    @Test
    void shouldSubstituteVarsFromInitialVarsAndStepData()
    {
        final CompiledFlow dial = compile("f", """
            {"start":"ask","nodes":{
              "ask":{"command":{"type":"gather","prompt":"tts:Hello ${caller_cid}","numDigits":4,"timeoutMs":5000},
                     "next":{"digit:*":"call"}},
              "call":{"command":{"type":"dial","callerId":"${caller_cid}",
                      "targets":["sip:${digits}@pbx.example.com","tel:+1${caller_cid}","sip:static@pbx"],
                      "timeoutMs":30000},
                      "next":{"*":"say"}},
              "say":{"command":{"type":"play","media":"${outcome}/${attempt}/${ok}/${score}/${nested}/${missing}|$5|${|${a b}","loop":2}}}}
            """);

        final StepOutcome ask = engine.start(dial, session, "acc_1", Map.of("caller_cid", "14155551234"), 0);
        assertEquals("{\"type\":\"gather\",\"prompt\":\"tts:Hello 14155551234\",\"numDigits\":4,\"timeoutMs\":5000}",
            render(engine, dial, ask, session));

        final StepOutcome call = engine.step(dial, session, "digit:1234", object("{\"digits\":\"1234\"}"));
        assertEquals("{\"type\":\"dial\",\"callerId\":\"14155551234\",\"targets\":"
                + "[\"sip:1234@pbx.example.com\",\"tel:+114155551234\",\"sip:static@pbx\"],\"timeoutMs\":30000}",
            render(engine, dial, call, session));

        final StepOutcome say = engine.step(dial, session, "dial:busy",
            object("{\"attempt\":2,\"ok\":false,\"score\":1e3,\"nested\":{\"a\":1},\"list\":[1]}"));
        assertEquals("{\"type\":\"play\",\"media\":\"dial:busy/2/false/1000//|$5|${|${a b}\",\"loop\":2}",
            render(engine, dial, say, session));
        assertNull(session.var("nested"));
        assertNull(session.var("list"));
    }

    @Test
    void shouldEscapeSubstitutedValuesAsJson()
    {
        final CompiledFlow play = compile("f", """
            {"start":"p","nodes":{"p":{"command":{"type":"play","media":"say:${name}"}}}}
            """);

        final StepOutcome outcome = engine.start(play, session, "acc_1", Map.of("name", "\"Zoë\"\n\\"), 0);

        assertEquals("{\"type\":\"play\",\"media\":\"say:\\\"Zoë\\\"\\n\\\\\"}", render(engine, play, outcome, session));
    }

    @Test
    void shouldHangUpWithLoopWhenTheStepLimitIsReached()
    {
        final CompiledFlow loop = compile("f", """
            {"start":"wait","nodes":{"wait":{"command":{"type":"noop","waitMs":10},"next":{"*":"wait"}}}}
            """);
        final FlowEngine limited = new FlowEngine(5);

        assertEquals(loop.startNode(), limited.start(loop, session, "acc_1", null, 0).node());
        for (int step = 2; step <= 5; step++)
        {
            final StepOutcome again = limited.step(loop, session, "done", null);
            assertEquals(loop.startNode(), again.node());
            assertEquals(step, session.step());
        }
        final StepOutcome hangup = limited.step(loop, session, "done", null);

        assertTrue(hangup.isSyntheticHangup());
        assertEquals(-1, hangup.node());
        assertEquals(FlowEngine.CAUSE_LOOP, hangup.hangupCause());
        assertEquals("{\"type\":\"hangup\",\"cause\":\"loop\"}", render(limited, loop, hangup, session));
        assertTrue(session.finished());
        assertEquals(6, session.step());
        assertEquals("wait", session.node().toString());
        assertSame(StepOutcome.FINISHED, limited.step(loop, session, "done", null));
    }

    @Test
    void shouldApplyTheDefaultStepLimit()
    {
        final CompiledFlow loop = compile("f", """
            {"start":"wait","nodes":{"wait":{"command":{"type":"noop"},"next":{"*":"wait"}}}}
            """);
        engine.start(loop, session, "acc_1", null, 0);

        int commands = 1;
        StepOutcome last;
        while ((last = engine.step(loop, session, "done", null)).node() >= 0)
        {
            commands++;
        }

        assertEquals(FlowEngine.DEFAULT_STEP_LIMIT, commands);
        assertEquals(FlowEngine.CAUSE_LOOP, last.hangupCause());
        assertTrue(session.finished());
    }

    @Test
    void shouldHangUpWithFlowEndWhenNothingMatches()
    {
        final CompiledFlow partial = compile("f", """
            {"start":"q","nodes":{"q":{"command":{"type":"enqueue","queue":"q_sales","position":1},
              "next":{"queue:timeout":"vm"}},
              "vm":{"command":{"type":"record","maxSeconds":60,"beep":false,"mediaKey":"vm/${caller_cid}"}}}}
            """);
        engine.start(partial, session, "acc_1", Map.of("caller_cid", "1415"), 0);

        final StepOutcome vm = engine.step(partial, session, "queue:timeout", null);
        assertEquals("{\"type\":\"record\",\"maxSeconds\":60,\"beep\":false,\"mediaKey\":\"vm/1415\"}",
            render(engine, partial, vm, session));

        final StepOutcome end = engine.step(partial, session, "recorded", null);
        assertEquals(FlowEngine.CAUSE_FLOW_END, end.hangupCause());
        assertEquals("{\"type\":\"hangup\",\"cause\":\"flow_end\"}", render(engine, partial, end, session));
        assertTrue(session.finished());
        assertEquals(3, session.step());
    }

    @Test
    void shouldHangUpWithFlowChangedWhenTheNodeIsGone()
    {
        engine.start(flow, session, "acc_1", null, 0);
        engine.step(flow, session, "digit:2", null);
        final CompiledFlow v2 = compile("flow_main", """
            {"start":"menu","nodes":{
              "menu":{"command":{"type":"gather","numDigits":1,"timeoutMs":5000},"next":{"*":"bye"}},
              "bye":{"command":{"type":"hangup"}}}}
            """);

        final StepOutcome changed = engine.step(v2, session, "recorded", null);

        assertEquals(FlowEngine.CAUSE_FLOW_CHANGED, changed.hangupCause());
        assertEquals("{\"type\":\"hangup\",\"cause\":\"flow_changed\"}", render(engine, v2, changed, session));
        assertEquals("{\"type\":\"hangup\",\"cause\":\"flow_changed\"}", render(engine, null, changed, session),
            "a made-up hangup needs no flow (the handler renders one when the flow itself is gone)");
        assertTrue(session.finished());
        assertEquals("vm", session.node().toString());
    }

    @Test
    void shouldFollowANewFlowVersionWhereTheNodeStillExists()
    {
        engine.start(flow, session, "acc_1", null, 0);
        final CompiledFlow v2 = compile("flow_main", """
            {"start":"menu","nodes":{
              "bye":{"command":{"type":"hangup","cause":"${why}"}},
              "menu":{"command":{"type":"gather","numDigits":1,"timeoutMs":5000},"next":{"digit:1":"conf"}},
              "conf":{"command":{"type":"conference","room":"room-${digits}"}}}}
            """);

        final StepOutcome conf = engine.step(v2, session, "digit:1", Map.of("digits", "1"));

        assertEquals("{\"type\":\"conference\",\"room\":\"room-1\"}", render(engine, v2, conf, session));
        assertEquals("conf", session.node().toString());
    }

    @Test
    void shouldFinishAtOnceWhenTheStartNodeHangsUp()
    {
        final CompiledFlow closed = compile("f", """
            {"start":"closed","nodes":{"closed":{"command":{"type":"hangup","cause":"after_hours_${day}"}}}}
            """);

        final StepOutcome outcome = engine.start(closed, session, "acc_1", Map.of("day", "sun"), 0);

        assertTrue(session.finished());
        assertEquals("{\"type\":\"hangup\",\"cause\":\"after_hours_sun\"}", render(engine, closed, outcome, session));
        assertSame(StepOutcome.FINISHED, engine.step(closed, session, "x", null));
    }

    @Test
    void shouldResetAReusedSessionOnStart()
    {
        engine.start(flow, session, "acc_old", Map.of("stale", "1"), 0);
        engine.step(flow, session, "digit:9", null);

        engine.start(flow, session, "acc_new", Map.of("fresh", "2"), 5);

        assertEquals("acc_new", session.accountId().toString());
        assertEquals(Map.of("fresh", "2"), session.varsAsMap());
        assertEquals(1, session.step());
        assertFalse(session.finished());
        assertEquals(5, session.startedAtMillis());
    }

    @Test
    void shouldRejectANonPositiveStepLimit()
    {
        assertThrows(IllegalArgumentException.class, () -> new FlowEngine(0));
        assertEquals(FlowEngine.DEFAULT_STEP_LIMIT, new FlowEngine().stepLimit());
    }

    @Test
    void shouldRunManySessionsOfOneFlowConcurrently() throws Exception
    {
        final int threads = 4;
        final int callsPerThread = 2_000;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        final CountDownLatch go = new CountDownLatch(1);
        try
        {
            final CompiledFlow shared = compile("f", """
                {"start":"ask","nodes":{
                  "ask":{"command":{"type":"gather","prompt":"hi ${caller_cid}","numDigits":4,"timeoutMs":5000},
                         "next":{"digit:*":"call"}},
                  "call":{"command":{"type":"dial","targets":["sip:${digits}@pbx","sip:${caller_cid}@pbx"]}}}}
                """);
            final List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                results.add(pool.submit(() ->
                {
                    final FlowSession mine = new FlowSession();
                    go.await();
                    int ok = 0;
                    for (int i = 0; i < callsPerThread; i++)
                    {
                        final String caller = thread + "-" + i;
                        final String digits = Integer.toString(i);
                        final StepOutcome ask = engine.start(shared, mine, "acc", Map.of("caller_cid", caller), i);
                        final boolean askOk = ("{\"type\":\"gather\",\"prompt\":\"hi " + caller
                            + "\",\"numDigits\":4,\"timeoutMs\":5000}").equals(render(engine, shared, ask, mine));
                        final StepOutcome call = engine.step(shared, mine, "digit:" + digits, Map.of("digits", digits));
                        final boolean callOk = ("{\"type\":\"dial\",\"targets\":[\"sip:" + digits + "@pbx\",\"sip:"
                            + caller + "@pbx\"]}").equals(render(engine, shared, call, mine));
                        if (askOk && callOk)
                        {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            go.countDown();
            for (final Future<Integer> result : results)
            {
                assertEquals(callsPerThread, result.get(60, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private String nodeAfter(final CompiledFlow f, final String outcome)
    {
        final FlowSession s = new FlowSession();
        engine.start(f, s, "acc_1", null, 0);
        final StepOutcome next = engine.step(f, s, outcome, null);
        return f.nodeName(next.node());
    }
}
