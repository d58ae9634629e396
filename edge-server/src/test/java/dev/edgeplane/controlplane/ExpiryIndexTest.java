package dev.edgeplane.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The expiry index against a plain map model: random schedules, moves, cancels and ticks. */
class ExpiryIndexTest
{
    @Test
    void shouldVisitExactlyTheDueKeysEarliestFirst()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final ExpiryIndex index = new ExpiryIndex();
        final Map<String, Long> model = new HashMap<>();
        long now = 0;
        long visits = 0;
        for (int round = 0; round < 2_000; round++)
        {
            for (int i = 0; i < 40; i++)
            {
                final String key = "k" + random.nextInt(3_000);
                final long deadline = now + 1 + random.nextInt(1_000);
                switch (random.nextInt(4))
                {
                    case 0 -> index.schedule(key, deadline);
                    case 1 ->
                    {
                        index.scheduleNoLater(key, deadline);
                        final Long old = model.get(key);
                        model.put(key, old == null ? deadline : Math.min(old, deadline));
                        continue;
                    }
                    case 2 ->
                    {
                        index.cancel(key);
                        model.remove(key);
                        continue;
                    }
                    default ->
                    {
                        assertEquals(model.getOrDefault(key, 0L), index.deadline(key));
                        continue;
                    }
                }
                model.put(key, deadline);
            }
            now += random.nextInt(50);
            final long at = now;
            final List<Long> seen = new ArrayList<>();
            final int visited = index.expire(null, at, (shard, key, t) ->
            {
                final long deadline = model.remove(key);
                assertTrue(deadline <= at, key + " visited before it was due");
                seen.add(deadline);
                // Every third visited key is still alive and comes back later.
                if (key.hashCode() % 3 == 0)
                {
                    model.put(key, t + 100);
                    return t + 100;
                }
                return 0;
            });
            visits += visited;
            for (int i = 1; i < seen.size(); i++)
            {
                assertTrue(seen.get(i - 1) <= seen.get(i), "earliest first");
            }
            assertTrue(model.values().stream().allMatch(d -> d > at), "every due key was visited");
            assertEquals(model.size(), index.size());
        }
        assertEquals(visits, index.visited());
    }
}
