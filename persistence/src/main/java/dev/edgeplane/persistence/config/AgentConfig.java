package dev.edgeplane.persistence.config;

import java.util.List;

/**
 * An ACD agent of an account: a user, the device they take calls on, and the queues they serve.
 *
 * <p>Immutable and thread-safe: {@code queues} is copied; null becomes empty.
 *
 * @param userId user id, e.g. {@code usr_…}; unique within the account.
 * @param device username of a device of the same account, or null.
 * @param queues ids of queues of the same account, in document order.
 */
public record AgentConfig(String userId, String device, List<String> queues)
{
    /**
     * Copies {@code queues}.
     */
    public AgentConfig
    {
        queues = AccountConfig.copy(queues);
    }
}
