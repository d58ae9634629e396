package dev.edgeplane.persistence.config;

import java.util.List;

/**
 * One account's whole configuration: the unit that {@code POST /admin/config} and {@code config apply} replace
 * (docs/SPEC-control-plane.md, "Configuration"). An account named in a document replaces that account's rows; accounts not
 * named are untouched.
 *
 * <p>{@code version} is bumped by every {@link ConfigRepository#apply apply} of the account (1 after the first); it
 * is 0 in documents that have not been applied. Wire names of the fields are those of the configuration document
 * ({@code max_channels} for {@link #maxChannels}, and so on).
 *
 * <p>Immutable and thread-safe: list components are copied ({@link List#copyOf}); a null list becomes empty. Null
 * strings are kept so that {@link ConfigRepository#apply} can report them as problems.
 *
 * @param id          account id, e.g. {@code acc_01jf18ah3jeb5w6dfp27sgjsbt}.
 * @param name        display name.
 * @param domain      the account's SIP domain (also the digest realm); unique across accounts, ignoring ASCII case.
 * @param maxChannels concurrent call limit for call admission control.
 * @param timezone    IANA zone id, e.g. {@code America/New_York}; may be null.
 * @param country     ISO 3166-1 alpha-2 country, e.g. {@code US}; may be null.
 * @param version     configuration version, see above.
 * @param devices     SIP devices (digest credentials).
 * @param dids        phone numbers routed to this account.
 * @param schedules   opening hours referenced by DIDs.
 * @param flows       call flow definitions.
 * @param trunks      outbound trunks by number prefix.
 * @param queues      ACD queues.
 * @param agents      ACD agents.
 */
public record AccountConfig(
    String id,
    String name,
    String domain,
    int maxChannels,
    String timezone,
    String country,
    long version,
    List<DeviceConfig> devices,
    List<DidConfig> dids,
    List<ScheduleConfig> schedules,
    List<FlowConfig> flows,
    List<TrunkConfig> trunks,
    List<QueueConfig> queues,
    List<AgentConfig> agents)
{
    /**
     * Copies the lists.
     */
    public AccountConfig
    {
        devices = copy(devices);
        dids = copy(dids);
        schedules = copy(schedules);
        flows = copy(flows);
        trunks = copy(trunks);
        queues = copy(queues);
        agents = copy(agents);
    }

    /**
     * @param newVersion the version to carry.
     * @return a copy of this account with {@code version} replaced.
     */
    public AccountConfig withVersion(final long newVersion)
    {
        return new AccountConfig(
            id, name, domain, maxChannels, timezone, country, newVersion,
            devices, dids, schedules, flows, trunks, queues, agents);
    }

    static <T> List<T> copy(final List<T> list)
    {
        return null == list ? List.of() : List.copyOf(list);
    }
}
