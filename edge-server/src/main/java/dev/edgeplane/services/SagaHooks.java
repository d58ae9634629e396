package dev.edgeplane.services;

/**
 * Points inside the create saga where tests simulate a process crash (by throwing an {@link Error}, which the saga
 * does not compensate, exactly as a killed process would not): right after a provider call returned but before the
 * step was recorded {@code done}, and after a step was recorded, before the next one starts.
 *
 * <p>Called on the worker thread running the saga.
 */
public interface SagaHooks
{
    SagaHooks NONE = new SagaHooks()
    {
    };

    default void afterProviderCall(final String instanceId, final String step)
    {
    }

    default void afterStep(final String instanceId, final String step)
    {
    }
}
