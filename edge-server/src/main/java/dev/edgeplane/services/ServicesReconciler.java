package dev.edgeplane.services;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

/**
 * {@code edgeplane services reconcile}: compares the services database with what each provider reports and lists
 * what does not match on either side: <b>orphans</b> (a provider resource that is ours, by the instance's name, its
 * AgentMail {@code client_id} or its Telnyx {@code customer_reference}, but that no row records) and <b>missing</b>
 * (a row whose resource the provider no longer has). Sagas still {@code running} are listed too. Read-only: it
 * deletes nothing, so an operator can prove nothing leaks before acting.
 *
 * <p>Blocking; not thread-safe (one run per instance).
 */
public final class ServicesReconciler
{
    private final InstanceProvisioner provisioner;
    private final ServicesRepository repo;

    private ServicesReconciler(final ServicesSettings settings, final DataSource db)
    {
        this.repo = new ServicesRepository(db);
        this.provisioner = new InstanceProvisioner(settings, repo, SagaHooks.NONE);
    }

    /**
     * @param env the services settings (provider URLs and credentials).
     * @param db  the services database (migrated).
     * @return {@code {"clean","orphans":[…],"missing":[…],"interrupted":[…],"skipped":[…]}}.
     */
    public static Map<String, Object> run(final Map<String, String> env, final DataSource db)
    {
        return new ServicesReconciler(ServicesSettings.from(env), db).reconcile();
    }

    private Map<String, Object> reconcile()
    {
        final List<InstanceRecord> rows = repo.all();
        final Map<String, String> names = new LinkedHashMap<>(repo.sagaNames()); // instance id → name
        final Set<String> ourNames = new HashSet<>(names.values());
        final Set<String> ourIds = new HashSet<>(names.keySet());
        rows.forEach(r -> ourIds.add(r.instanceId()));
        final List<Object> orphans = new ArrayList<>();
        final List<Object> missing = new ArrayList<>();
        final List<Object> skipped = new ArrayList<>();

        final Set<String> serviceIds = new HashSet<>();
        final Set<String> volumeIds = new HashSet<>();
        final Map<String, Set<String>> toolIds = new LinkedHashMap<>();
        for (final InstanceRecord r : rows)
        {
            serviceIds.add(r.serviceId());
            volumeIds.add(r.volumeId());
            r.services().forEach(t -> toolIds.computeIfAbsent(t.toolId(), k -> new HashSet<>()).add(t.resourceId()));
        }

        check(skipped, RailwayClient.PROVIDER, () ->
        {
            final RailwayClient.Project p = provisioner.railway().project();
            final Set<String> live = new HashSet<>();
            final Set<String> orphanServices = new HashSet<>();
            for (final RailwayClient.Service s : p.services())
            {
                live.add(s.id());
                final boolean ours = s.name() != null && (s.name().startsWith(CreateRequest.NAME_PREFIX) || ourNames.contains(s.name()));
                if (ours && !serviceIds.contains(s.id()))
                {
                    orphanServices.add(s.id());
                    orphans.add(item("railway", "service", s.id(), s.name()));
                }
            }
            final Set<String> liveVolumes = new HashSet<>();
            for (final RailwayClient.Volume v : p.volumes())
            {
                liveVolumes.add(v.id());
                final boolean detachedOrOrphan = v.serviceId() == null || !live.contains(v.serviceId())
                    || orphanServices.contains(v.serviceId());
                if (!volumeIds.contains(v.id()) && detachedOrOrphan)
                {
                    orphans.add(item("railway", "volume", v.id(), v.serviceId()));
                }
            }
            for (final InstanceRecord r : rows)
            {
                if (r.serviceId() != null && !live.contains(r.serviceId()))
                {
                    missing.add(missingItem(r.instanceId(), "railway", "service", r.serviceId()));
                }
                if (r.volumeId() != null && !liveVolumes.contains(r.volumeId()))
                {
                    missing.add(missingItem(r.instanceId(), "railway", "volume", r.volumeId()));
                }
            }
        });
        check(skipped, OpenRouterClient.PROVIDER, () ->
        {
            final Set<String> live = new HashSet<>();
            for (final OpenRouterClient.Key k : provisioner.openRouter().list())
            {
                live.add(k.hash());
                final boolean ours = k.name() != null && (k.name().startsWith(CreateRequest.NAME_PREFIX) || ourNames.contains(k.name()));
                if (ours && !toolIds.getOrDefault("openrouter", Set.of()).contains(k.hash()))
                {
                    orphans.add(item("openrouter", "key", k.hash(), k.name()));
                }
            }
            missingTools(rows, "openrouter", "key", live, missing);
        });
        check(skipped, AgentMailClient.PROVIDER, () ->
        {
            final Set<String> live = new HashSet<>();
            for (final AgentMailClient.Inbox i : provisioner.agentMail().list())
            {
                live.add(i.inboxId());
                final boolean ours = i.clientId() != null && (i.clientId().startsWith(CreateRequest.NAME_PREFIX)
                    || ourNames.contains(i.clientId()));
                if (ours && !toolIds.getOrDefault("agentmail", Set.of()).contains(i.inboxId()))
                {
                    orphans.add(item("agentmail", "inbox", i.inboxId(), i.clientId()));
                }
            }
            missingTools(rows, "agentmail", "inbox", live, missing);
        });
        check(skipped, TelnyxClient.PROVIDER, () ->
        {
            final Set<String> live = new HashSet<>();
            for (final TelnyxClient.Number n : provisioner.telnyx().allNumbers())
            {
                live.add(n.id());
                if (n.customerReference() != null && ourIds.contains(n.customerReference())
                    && !toolIds.getOrDefault("telnyx", Set.of()).contains(n.id()))
                {
                    orphans.add(item("telnyx", "number", n.id(), n.phoneNumber()));
                }
            }
            missingTools(rows, "telnyx", "number", live, missing);
        });

        final List<Object> interrupted = new ArrayList<>();
        for (final ServicesRepository.Saga s : repo.running(null))
        {
            interrupted.add(Map.of("sagaId", s.id(), "instanceId", s.instanceId(), "kind", s.kind()));
        }
        final Map<String, Object> report = new LinkedHashMap<>();
        report.put("clean", orphans.isEmpty() && missing.isEmpty() && interrupted.isEmpty()
            && skipped.stream().allMatch(x -> Boolean.TRUE.equals(Trees.at(x, "notConfigured"))));
        report.put("instances", rows.size());
        report.put("orphans", orphans);
        report.put("missing", missing);
        report.put("interrupted", interrupted);
        report.put("skipped", skipped);
        return report;
    }

    private static void check(final List<Object> skipped, final String provider, final Runnable work)
    {
        try
        {
            work.run();
        }
        catch (final ProviderException e)
        {
            // A provider without credentials cannot hold anything of ours; one that failed to answer leaves doubt.
            skipped.add(Map.of("provider", provider, "reason", e.getMessage(), "notConfigured",
                e.status() == 0 && e.getMessage().endsWith(" is not set")));
        }
    }

    private static void missingTools(final List<InstanceRecord> rows, final String tool, final String kind, final Set<String> live,
        final List<Object> missing)
    {
        for (final InstanceRecord r : rows)
        {
            final InstanceRecord.Tool t = r.tool(tool);
            if (t != null && !live.contains(t.resourceId()))
            {
                missing.add(missingItem(r.instanceId(), tool, kind, t.resourceId()));
            }
        }
    }

    private static Map<String, Object> item(final String provider, final String kind, final String id, final String name)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", provider);
        m.put("kind", kind);
        m.put("id", id);
        m.put("name", name);
        return m;
    }

    private static Map<String, Object> missingItem(final String instanceId, final String provider, final String kind, final String id)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("instanceId", instanceId);
        m.put("provider", provider);
        m.put("kind", kind);
        m.put("id", id);
        return m;
    }
}
