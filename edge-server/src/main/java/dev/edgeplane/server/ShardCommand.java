package dev.edgeplane.server;

import dev.edgeplane.state.ShardWriter;

/**
 * What a handler hands to a shard with {@link HttpExchange#offer(ShardWriter, ShardCommand, Object)}:
 * one stateless instance per route (a constant or a field, never a lambda that captures the request),
 * whose input travels in a request object ({@link RequestSlot} makes that reusable per connection).
 * The exchange runs it on the shard's writer and owns the rest: the answer it returns is sent once its
 * journal position is durable, a thrown exception becomes {@code 500}, and a request left unanswered
 * past the request timeout gets {@code 503}.
 *
 * <p>Threading: {@link #execute} runs on the shard's writer thread and must not block.
 *
 * @param <R> the request object.
 */
@FunctionalInterface
public interface ShardCommand<R>
{
    /**
     * @return the answer, or null when the command answered or handed the exchange on itself (another
     *         {@code offer}, or {@link HttpExchange#send} with an answer built elsewhere).
     */
    Answer execute(ShardWriter shard, HttpExchange ex, R request);
}
