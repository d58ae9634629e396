package dev.edgeplane.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.concurrent.DefaultEventExecutor;
import org.junit.jupiter.api.Test;

class ShardsTest
{
    @Test
    void shouldRoundShardCountUpToAPowerOfTwo()
    {
        try (Shards shards = new Shards(3, 16))
        {
            assertEquals(4, shards.count());
        }
        try (Shards shards = new Shards(1, 16))
        {
            assertEquals(1, shards.count());
        }
    }

    @Test
    void shouldMapAKeyToTheSameShardEveryTime()
    {
        try (Shards shards = new Shards(8, 16))
        {
            for (int i = 0; i < 1000; i++)
            {
                final String key = "acc_" + i;
                assertEquals(shards.forKey(key).index(), shards.forKey(new StringBuilder(key)).index());
            }
        }
    }

    @Test
    void shouldSpreadSequentialKeysOverAllShards()
    {
        try (Shards shards = new Shards(4, 16))
        {
            final int[] hits = new int[4];
            for (int i = 0; i < 4000; i++)
            {
                hits[shards.forKey("call-" + i).index()]++;
            }
            for (final int h : hits)
            {
                assertTrue(h > 700 && h < 1300, "uneven spread " + java.util.Arrays.toString(hits));
            }
        }
    }

    /** Many producers, one writer per shard: a plain (non-atomic) counter per shard loses nothing. */
    @Test
    void shouldRunEveryTaskOnItsShardWriterWithoutLostUpdates() throws Exception
    {
        final int producers = 4;
        final int perProducer = 50_000;
        try (Shards shards = new Shards(2, 1 << 16))
        {
            final long[] plainCounters = new long[shards.count()];
            final AtomicInteger wrongThread = new AtomicInteger();
            final CountDownLatch done = new CountDownLatch(producers * perProducer);
            final List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++)
            {
                final int producer = p;
                final Thread t = new Thread(() ->
                {
                    for (int i = 0; i < perProducer; i++)
                    {
                        final ShardWriter writer = shards.forKey("k" + (producer * perProducer + i));
                        final ShardTask task = () ->
                        {
                            if (!writer.inWriterThread())
                            {
                                wrongThread.incrementAndGet();
                            }
                            plainCounters[writer.index()]++;
                            done.countDown();
                        };
                        while (!writer.offer(task))
                        {
                            Thread.onSpinWait();
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), "tasks did not all run");
            // The writers' stores happen-before countDown, which happens-before await returning.
            long total = 0;
            for (final long c : plainCounters)
            {
                total += c;
            }
            assertEquals((long)producers * perProducer, total);
            assertEquals(0, wrongThread.get());
        }
    }

    @Test
    void shouldRefuseWhenTheQueueIsFull() throws Exception
    {
        try (Shards shards = new Shards(1, 4))
        {
            final ShardWriter writer = shards.get(0);
            final CountDownLatch blockWriter = new CountDownLatch(1);
            final CountDownLatch writerBusy = new CountDownLatch(1);
            assertTrue(writer.offer(() ->
            {
                writerBusy.countDown();
                try
                {
                    blockWriter.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(writerBusy.await(10, TimeUnit.SECONDS));
            int accepted = 0;
            while (writer.offer(() -> { }))
            {
                accepted++;
                assertTrue(accepted <= 64, "queue must be bounded");
            }
            assertEquals(writer.queueCapacity(), accepted);
            assertFalse(writer.offer(() -> { }));
            assertTrue(writer.rejected() >= 2);
            blockWriter.countDown();
        }
    }

    @Test
    void shouldRunQueuedTasksBeforeStopping()
    {
        final AtomicInteger ran = new AtomicInteger();
        final Shards shards = new Shards(1, 1024);
        for (int i = 0; i < 500; i++)
        {
            assertTrue(shards.get(0).offer(ran::incrementAndGet));
        }
        shards.close();
        assertEquals(500, ran.get());
        assertFalse(shards.get(0).offer(ran::incrementAndGet), "a stopped shard takes nothing");
    }

    /**
     * On its owner loop a shard task runs at once (no hand-off); offered from inside another shard
     * task it is queued, so a running task's scratch objects are never reused under it.
     */
    @Test
    void shouldRunInlineOnTheOwnerLoopAndQueueWhenNested() throws Exception
    {
        final DefaultEventExecutor loop = new DefaultEventExecutor();
        try (Shards shards = new Shards(2, 16, List.of(loop)))
        {
            final List<String> order = new ArrayList<>();
            final CountDownLatch done = new CountDownLatch(1);
            loop.execute(() ->
            {
                assertTrue(shards.get(0).offer(() ->
                {
                    order.add("outer");
                    assertTrue(shards.get(1).offer(() ->
                    {
                        order.add("nested");
                        done.countDown();
                    }));
                    order.add("outer-end");
                }));
                order.add("after-offer");
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("outer", "outer-end", "after-offer", "nested"), order);
            assertFalse(shards.get(0).inWriterThread(), "the test thread is not the loop");
        }
        finally
        {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Loops and a plain thread offering to the same shards at once: a free shard is taken by the offering
     * loop (so shard 0 runs on loop 1 too), a held one queues the task for its holder, the thread's tasks
     * are queued for whichever loop holds the shard or its home loop, and the plain per-shard counters
     * lose nothing: one writer at a time, each seeing what the previous one wrote.
     */
    @Test
    void shouldLetEachLoopTakeAFreeShardWithoutLosingUpdates() throws Exception
    {
        final int perLoop = 100_000;
        final List<DefaultEventExecutor> loops = List.of(new DefaultEventExecutor(), new DefaultEventExecutor());
        try (Shards shards = new Shards(2, 1 << 18, loops))
        {
            final long[] plainCounters = new long[shards.count()];
            final long[][] ranOnLoop = new long[shards.count()][loops.size()];
            final AtomicInteger wrongThread = new AtomicInteger();
            final CountDownLatch done = new CountDownLatch((loops.size() + 1) * perLoop);
            final Runnable produce = () ->
            {
                for (int i = 0; i < perLoop; i++)
                {
                    final ShardWriter writer = shards.get(i & 1);
                    assertTrue(writer.offer(() ->
                    {
                        if (!writer.inWriterThread())
                        {
                            wrongThread.incrementAndGet();
                        }
                        plainCounters[writer.index()]++;
                        ranOnLoop[writer.index()][loops.get(0).inEventLoop() ? 0 : 1]++;
                        done.countDown();
                    }));
                }
            };
            for (final DefaultEventExecutor loop : loops)
            {
                loop.execute(produce);
            }
            final Thread outsider = new Thread(produce);
            outsider.start();
            assertTrue(done.await(30, TimeUnit.SECONDS), "tasks did not all run");
            outsider.join();
            assertEquals((long)(loops.size() + 1) * perLoop, plainCounters[0] + plainCounters[1]);
            assertEquals((loops.size() + 1) * perLoop / 2, plainCounters[0]);
            assertEquals(0, wrongThread.get());
            assertTrue(ranOnLoop[0][1] > 0, "shard 0 (home loop 0) never ran on loop 1");
            assertTrue(ranOnLoop[1][0] > 0, "shard 1 (home loop 1) never ran on loop 0");
            assertFalse(shards.get(0).inWriterThread(), "outside a task nobody holds the shard");
        }
        finally
        {
            for (final DefaultEventExecutor loop : loops)
            {
                loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            }
        }
    }
}
