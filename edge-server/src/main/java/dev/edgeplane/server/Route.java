package dev.edgeplane.server;

/**
 * One entry of a listener's route table: what to call and how much body it may receive.
 *
 * <p>Immutable; the metrics object it carries is thread-safe.
 *
 * @param surface      the listener it belongs to (metric label).
 * @param method       HTTP method.
 * @param pattern      the path pattern as registered (metric label).
 * @param handler      what answers it.
 * @param maxBodyBytes a larger body is refused with 413 before it is buffered.
 * @param metrics      request counts and latency for this route.
 * @param streaming    when not null, the body is streamed to it instead of aggregated ({@code handler} unused).
 */
public record Route(
    String surface, String method, String pattern, HttpHandler handler, int maxBodyBytes, RouteMetrics metrics,
    StreamingHandler streaming)
{
}
