package dev.edgeplane.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffHeapStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepValuesAcrossCloseAndReopen()
    {
        try (OffHeapStore<Counter> store = OffHeapStore.open(Counter.spec(10_000), dir))
        {
            for (int i = 0; i < 5_000; i++)
            {
                store.put("acc_" + i, new Counter().set(i, 1_000L + i, i % 3));
            }
            assertTrue(store.remove("acc_7"));
            assertFalse(store.remove("acc_7"));
        }
        assertFalse(Files.exists(dir.resolve("counters.cm.open")), "clean close removes the marker");

        try (OffHeapStore<Counter> store = OffHeapStore.open(Counter.spec(10_000), dir))
        {
            assertFalse(store.recovered());
            assertEquals(4_999, store.size());
            final Counter reusable = store.newValue();
            assertSame(reusable, store.get("acc_4321", reusable));
            assertEquals(4321, reusable.count);
            assertEquals(5321, reusable.updatedAt);
            assertEquals(4321 % 3, reusable.flags);
            assertNull(store.get("acc_7", reusable));
        }
    }

    @Test
    void shouldRecoverAStoreThatWasNotClosed() throws Exception
    {
        try (OffHeapStore<Counter> store = OffHeapStore.open(Counter.spec(1_000), dir))
        {
            store.put("a", new Counter().set(1, 2, 3));
        }
        // The marker is what a killed process leaves behind.
        Files.createFile(dir.resolve("counters.cm.open"));

        try (OffHeapStore<Counter> store = OffHeapStore.open(Counter.spec(1_000), dir))
        {
            assertTrue(store.recovered());
            assertEquals(1, store.get("a", store.newValue()).count);
        }
    }

    @Test
    void shouldVisitEveryEntry()
    {
        try (OffHeapStore<Counter> store = OffHeapStore.open(Counter.spec(1_000), dir))
        {
            for (int i = 0; i < 100; i++)
            {
                store.put("k" + i, new Counter().set(i, 0, 0));
            }
            final Map<String, Long> seen = new HashMap<>();
            store.forEach((k, v) -> seen.put(k.toString(), v.count));
            assertEquals(100, seen.size());
            assertEquals(42L, seen.get("k42"));
        }
    }

    @Test
    void shouldGrowPastItsConfiguredEntries()
    {
        try (OffHeapStore<Counter> store = OffHeapStore.open(Counter.spec(1_000), dir))
        {
            for (int i = 0; i < 3_000; i++)
            {
                store.put("acc_" + i, new Counter().set(i, i, 0));
            }
            assertEquals(3_000, store.size());
            assertEquals(2_999, store.get("acc_2999", store.newValue()).count);
        }
    }

    @Test
    void shouldRejectBadStoreNames()
    {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Counter.spec(1).withEntries(0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new StoreSpec<>("../x", Counter.class, Counter::new, 1, "k", new Counter(), true));
    }
}
