package dev.edgeplane.persistence.config;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.SipDigest;

import static dev.edgeplane.persistence.config.ScheduleConfigTest.window;

/**
 * Accounts for configuration tests, with every field and collection populated.
 */
final class ConfigFixtures
{
    private ConfigFixtures()
    {
    }

    static AccountConfig fullAccount(final String id, final String domain, final String did)
    {
        final Map<DayOfWeek, List<TimeWindow>> weekly = new EnumMap<>(DayOfWeek.class);
        weekly.put(DayOfWeek.MONDAY, List.of(window("09:00", "12:00"), window("13:00", "17:30")));
        weekly.put(DayOfWeek.TUESDAY, List.of(window("09:00", "17:00")));
        weekly.put(DayOfWeek.SATURDAY, List.of(window("22:00:30", "24:00")));
        weekly.put(DayOfWeek.SUNDAY, List.of());

        return new AccountConfig(id, "Acme \u00e9", domain, 10, "America/New_York", "US", 0,
            List.of(
                device("dev_" + id + "_b", "1002", domain, "pw2", true),
                device("dev_" + id + "_a", "1001", domain, "pw1", false),
                new DeviceConfig("dev_" + id + "_c", "1003", null,
                    SipDigest.ha1(DigestAlgorithm.SHA_256, "1003", domain, "pw3"), true)),
            List.of(
                new DidConfig(did, new Target(Target.Kind.FLOW, "flow_main"), "sch_office",
                    new Target(Target.Kind.DEVICE, "1002")),
                new DidConfig(did.substring(0, did.length() - 1) + "9", new Target(Target.Kind.NUMBER, "14155550100"),
                    null, null)),
            List.of(
                new ScheduleConfig("sch_office", "America/New_York", weekly,
                    Set.of(LocalDate.parse("2026-12-25"), LocalDate.parse("2026-01-01"))),
                new ScheduleConfig("sch_empty", "Europe/Berlin", Map.of(), Set.of())),
            List.of(
                new FlowConfig("flow_main", "Main menu", "{\"start\":\"menu\",\"nodes\":{\"menu\":{\"command\":"
                    + "{\"type\":\"gather\",\"prompt\":\"media:menu.wav\",\"numDigits\":1,\"timeoutMs\":5000},"
                    + "\"next\":{\"digit:1\":\"sales\",\"*\":\"bye\"}},\"sales\":{\"command\":{\"type\":\"enqueue\","
                    + "\"queue\":\"q_sales\"}},\"bye\":{\"command\":{\"type\":\"hangup\"}}}}"),
                new FlowConfig("flow_odd", null, "{ \"zz\" : [1e2, 1.50, -0, 12345678901234567890, true, null],"
                    + " \"a\": \"line\\nbreak \\u00e9 \\/ \\\"q\\\"\", \"\u00e9\": {}, \"bb\": [] }")),
            List.of(
                new TrunkConfig("trk_us", List.of("1", "1202"), "sip:gw.example.net:5060"),
                new TrunkConfig("trk_none", List.of(), "sip:other.example.net")),
            List.of(
                new QueueConfig("q_sales", "Sales", "ring_all", 20, 10, 300),
                new QueueConfig("q_support", null, "longest_idle", 15, 0, 600)),
            List.of(
                new AgentConfig("usr_2", "1002", List.of("q_support", "q_sales")),
                new AgentConfig("usr_1", null, List.of())));
    }

    static AccountConfig minimalAccount(final String id, final String domain, final List<String> dids)
    {
        final List<DidConfig> didConfigs = new ArrayList<>();
        for (final String did : dids)
        {
            didConfigs.add(new DidConfig(did, new Target(Target.Kind.DEVICE, "1001"), null, null));
        }
        return new AccountConfig(id, id, domain, 2, null, null, 0,
            List.of(device("dev_" + id, "1001", domain, "pw", true)), didConfigs,
            List.of(), List.of(), List.of(), List.of(), List.of());
    }

    static DeviceConfig device(
        final String id, final String username, final String domain, final String password, final boolean enabled)
    {
        return new DeviceConfig(id, username, SipDigest.ha1(DigestAlgorithm.MD5, username, domain, password),
            SipDigest.ha1(DigestAlgorithm.SHA_256, username, domain, password), enabled);
    }
}
