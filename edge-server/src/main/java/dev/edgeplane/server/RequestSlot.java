package dev.edgeplane.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A route's reusable request object: {@link HttpExchange#request(RequestSlot)} returns the same
 * instance for every request of that route on one connection (a connection has one request in flight,
 * and the next one starts only after this one is answered), so decoding a request into it allocates
 * nothing once the connection has seen the route. The handler must set every field it reads.
 *
 * <p>Create slots once (static constants); thread-safe.
 *
 * @param <R> the request object's type.
 */
public final class RequestSlot<R>
{
    private static final AtomicInteger NEXT = new AtomicInteger();

    final int index = NEXT.getAndIncrement();
    final Supplier<R> factory;

    private RequestSlot(final Supplier<R> factory)
    {
        this.factory = factory;
    }

    public static <R> RequestSlot<R> of(final Supplier<R> factory)
    {
        return new RequestSlot<>(factory);
    }
}
