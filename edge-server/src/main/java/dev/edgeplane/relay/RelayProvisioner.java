package dev.edgeplane.relay;

import java.util.concurrent.CompletableFuture;

/**
 * Launches and terminates relay instances (docs/SPEC-relay.md, "Relay lifecycle"): an EC2-style HTTP API in
 * production ({@link Ec2Provisioner}) or a local simulation for development and tests
 * ({@link SimulatedProvisioner}). A launched instance reports its health to {@code POST /api/v1/relay/health}
 * with the {@code X-Relay-Auth} secret it was given in {@link LaunchRequest#relayAuth()}.
 *
 * <p>Threading: both calls may be made from any thread (shard writers) and never block; the futures complete
 * on the provisioner's own threads, which must hand any state change back to the owning shard.
 */
interface RelayProvisioner extends AutoCloseable
{
    /**
     * What a relay needs to boot.
     *
     * @param sessionId    also the idempotency token of the launch (a retried launch never starts a second instance).
     * @param relayAuth    the per-session health secret; a secret, never log it.
     */
    record LaunchRequest(String sessionId, String userId, String region, String imageId, String instanceType,
        String relayAuth)
    {
        @Override
        public String toString()
        {
            return "LaunchRequest[" + sessionId + " in " + region + "]"; // never the secret
        }
    }

    /** A started instance; {@code publicIp} may be empty until the relay reports it. */
    record Launched(String instanceId, String publicIp)
    {
    }

    /** @return a short name for logs and health ({@code sim}, {@code ec2}). */
    String name();

    /** Starts one instance; the future fails with {@link ProvisionerException} when it cannot. */
    CompletableFuture<Launched> launch(LaunchRequest request);

    /** Terminates an instance (idempotent: terminating a gone instance succeeds). */
    CompletableFuture<Void> terminate(String region, String instanceId);

    /** @return false while the provisioner knows it cannot launch (shown by {@code /capacity/status}). */
    default boolean up()
    {
        return true;
    }

    @Override
    void close();

    /** A launch or termination that failed for good (after retries, or refused outright). */
    final class ProvisionerException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        ProvisionerException(final String message)
        {
            super(message);
        }

        ProvisionerException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }
}
