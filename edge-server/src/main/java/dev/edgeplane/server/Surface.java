package dev.edgeplane.server;

/**
 * One API surface: a set of routes served on its own listener, with whatever state it owns.
 *
 * <p>Threading: {@link #register} runs once on the starting thread before the listener binds.
 * A surface never reaches into another surface's package; what they share is in {@link EdgeRuntime}.
 */
public interface Surface
{
    /** @return which listener these routes go on. */
    SurfaceKind kind();

    /** Adds this surface's routes; opens any state stores it owns through {@code runtime}. */
    void register(Routes routes, EdgeRuntime runtime);

    /** @return the traffic that warms this surface's hot path at start-up ({@link WarmUp}), or null for none. */
    default WarmUpScenario warmUp()
    {
        return null;
    }
}
