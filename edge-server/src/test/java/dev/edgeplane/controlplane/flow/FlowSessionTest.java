package dev.edgeplane.controlplane.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.state.OffHeapStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowSessionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripThroughTheOffHeapStoreAcrossReopen()
    {
        final FlowSession written = new FlowSession()
            .accountId("acc_01jf18ah3jeb5w6dfp27sgjsbt")
            .flowId("flow_01jf18ah3jeb5w6dfp27sgjsbv")
            .node("sales")
            .step(7)
            .finished(true)
            .startedAtMillis(1_735_689_600_123L);
        written.putVar("caller_cid", "14155551234");
        written.putVar("digits", "1");
        written.putVar("greeting", "Grüße, 世界 🎧");
        written.putVar("attempt", 3L);
        written.putVar("vip", true);

        try (OffHeapStore<FlowSession> store = OffHeapStore.open(FlowSession.STORE.withEntries(1_000), dir))
        {
            store.put("a84b4c76e66710@pbx.example.com", written);
            store.put("other-call", new FlowSession().accountId("acc_2").node("menu").step(1));
        }

        try (OffHeapStore<FlowSession> store = OffHeapStore.open(FlowSession.STORE.withEntries(1_000), dir))
        {
            // A reused instance holding more vars than the stored value must come back exact.
            final FlowSession using = store.newValue();
            for (int i = 0; i < 10; i++)
            {
                using.putVar("old" + i, "x");
            }
            using.node("somewhere-else").finished(false);

            assertSame(using, store.get("a84b4c76e66710@pbx.example.com", using));
            assertEquals("acc_01jf18ah3jeb5w6dfp27sgjsbt", using.accountId().toString());
            assertEquals("flow_01jf18ah3jeb5w6dfp27sgjsbv", using.flowId().toString());
            assertEquals("sales", using.node().toString());
            assertEquals(7, using.step());
            assertTrue(using.finished());
            assertEquals(1_735_689_600_123L, using.startedAtMillis());
            final Map<String, String> vars = new LinkedHashMap<>();
            vars.put("caller_cid", "14155551234");
            vars.put("digits", "1");
            vars.put("greeting", "Grüße, 世界 🎧");
            vars.put("attempt", "3");
            vars.put("vip", "true");
            assertEquals(vars, using.varsAsMap());
            assertEquals("1", using.var("digits").toString());
            assertNull(using.var("old0"));

            assertSame(using, store.get("other-call", using));
            assertEquals("acc_2", using.accountId().toString());
            assertEquals("", using.flowId().toString());
            assertEquals(0, using.varCount());
            assertFalse(using.finished());

            assertNull(store.get("unknown-call", using));
        }
    }

    @Test
    void shouldStoreAFullSessionAtItsLimits()
    {
        final FlowSession full = new FlowSession().accountId("acc_1").flowId("flow_1").node("n".repeat(64));
        for (int i = 0; i < FlowSession.MAX_VARS + 8; i++)
        {
            final String name = String.format("%02d", i) + "k".repeat(100);
            final boolean kept = full.putVar(name, "é".repeat(400));
            assertEquals(i < FlowSession.MAX_VARS, kept, "var " + i);
        }
        assertEquals(FlowSession.MAX_VARS, full.varCount());

        try (OffHeapStore<FlowSession> store = OffHeapStore.open(FlowSession.STORE.withEntries(100), dir))
        {
            store.put("big", full);
            final FlowSession read = store.get("big", new FlowSession());
            assertEquals(FlowSession.MAX_VARS, read.varCount());
            for (int i = 0; i < FlowSession.MAX_VARS; i++)
            {
                assertEquals(FlowSession.MAX_KEY_LENGTH, read.varName(i).length());
                assertTrue(read.varName(i).toString().startsWith(String.format("%02d", i)));
                assertEquals("é".repeat(FlowSession.MAX_VALUE_LENGTH), read.varValue(i).toString());
            }
            assertEquals(full.toString(), read.toString());
        }
    }

    @Test
    void shouldCutNamesAndValuesAndDropVarsBeyondTheLimit()
    {
        final FlowSession session = new FlowSession();
        final String longName = "a".repeat(70);

        assertTrue(session.putVar(longName, "v".repeat(300)));
        assertEquals("a".repeat(64), session.varName(0).toString());
        assertEquals(256, session.varValue(0).length());
        assertEquals("v".repeat(256), session.var(longName).toString());
        assertEquals("v".repeat(256), session.var("a".repeat(64)).toString());

        assertFalse(session.putVar("", "x"));
        assertFalse(session.putVar(null, "x"));
        assertEquals(1, session.varCount());

        for (int i = 1; i < FlowSession.MAX_VARS; i++)
        {
            assertTrue(session.putVar("v" + i, "x"));
        }
        assertFalse(session.putVar("one-too-many", "x"));
        assertNull(session.var("one-too-many"));
        assertTrue(session.putVar("v1", "replaced"), "replacing an existing var works when full");
        assertEquals("replaced", session.var("v1").toString());
        assertEquals(FlowSession.MAX_VARS, session.varCount());
    }

    @Test
    void shouldNotSplitASurrogatePairWhenCutting()
    {
        final FlowSession session = new FlowSession();
        // 255 chars, then a 2-char emoji that straddles the 256 limit.
        final String value = "x".repeat(255) + "🎧" + "tail";

        session.putVar("k", value);

        assertEquals("x".repeat(255), session.var("k").toString());
    }

    @Test
    void shouldClearEverythingOnReset()
    {
        final FlowSession session = new FlowSession().accountId("a").flowId("f").node("n").step(3).finished(true)
            .startedAtMillis(9);
        session.putVar("k", "v");

        assertSame(session, session.reset());

        assertEquals("", session.accountId().toString());
        assertEquals("", session.flowId().toString());
        assertEquals("", session.node().toString());
        assertEquals(0, session.step());
        assertFalse(session.finished());
        assertEquals(0, session.startedAtMillis());
        assertEquals(0, session.varCount());
        assertNull(session.var("k"));
    }

    @Test
    void shouldDescribeARealisticSampleForSizingTheStore()
    {
        final FlowSession sample = FlowSession.STORE.sampleValue();

        assertEquals("flow-sessions", FlowSession.STORE.name());
        assertEquals(1_000_000, FlowSession.STORE.entries());
        assertFalse(FlowSession.STORE.constantSize());
        assertEquals("menu", sample.node().toString());
        assertTrue(sample.varCount() > 0);
    }
}
