package dev.edgeplane.services;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the services API does, without HTTP: the create saga, destroy, configure, redeploy, batch status, the
 * registry, and start-up recovery of sagas a crash interrupted.
 *
 * <p><b>Create</b> is a saga of steps, each recorded in the services database as {@code started} before its
 * provider call and {@code done} (with the resource id) after it: {@code railway.service}, {@code railway.volume},
 * the tools' {@code openrouter.key}, {@code agentmail.inbox}, {@code telnyx.number}, then {@code railway.domain},
 * {@code railway.variables}, {@code railway.deploy}. When a step fails, every step up to and including the failed
 * one is undone in reverse order; an undo deletes the recorded resource and also anything the provider lists under
 * the instance's name, so a resource whose creation answer was lost (timeout, crash) is removed too. Only when the
 * whole saga succeeded are the seed's rows written, in one transaction. No step creates twice: each first looks for
 * what an earlier attempt made (Railway service by name, volume by service, domain by service, Telnyx number by
 * {@code customer_reference}), AgentMail dedupes by {@code client_id}, and an OpenRouter key found by name (whose
 * secret was never recorded) is deleted before a new one is made.
 *
 * <p><b>Destroy</b> deletes in reverse; a resource already gone counts as deleted; the rows go last.
 *
 * <p><b>Recovery</b>: a saga still {@code running} (the process died mid-saga, or an undo could not reach its
 * provider) is compensated (create) or finished (destroy) at start-up and before any new request for its instance.
 *
 * <p>Thread-safe: all operations on one instance are serialized by {@link InstanceLocks}. Blocking: worker threads
 * only, never an event loop.
 */
final class InstanceProvisioner
{
    private static final Logger LOG = LoggerFactory.getLogger(InstanceProvisioner.class);

    /** Tools and the variables they set on the instance (GET /registry), in saga order. */
    static final Map<String, List<String>> TOOLS = toolEnvKeys();
    static final List<String> DEFAULT_TOOLS = List.of("openrouter", "agentmail");

    private final ServicesSettings settings;
    private final ServicesRepository repo;
    private final RailwayClient railway;
    private final OpenRouterClient openRouter;
    private final AgentMailClient agentMail;
    private final TelnyxClient telnyx;
    private final SagaHooks hooks;
    private final InstanceLocks locks = new InstanceLocks();

    InstanceProvisioner(final ServicesSettings settings, final ServicesRepository repo, final SagaHooks hooks)
    {
        this.settings = settings;
        this.repo = repo;
        this.railway = new RailwayClient(settings);
        this.openRouter = new OpenRouterClient(settings);
        this.agentMail = new AgentMailClient(settings);
        this.telnyx = new TelnyxClient(settings);
        this.hooks = hooks;
    }

    private static Map<String, List<String>> toolEnvKeys()
    {
        final Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("openrouter", List.of("OPENROUTER_API_KEY"));
        m.put("agentmail", List.of("AGENTMAIL_INBOX_ID"));
        m.put("telnyx", List.of("TELNYX_PHONE_NUMBER", "TELNYX_MESSAGING_PROFILE_ID"));
        return m;
    }

    RailwayClient railway()
    {
        return railway;
    }

    OpenRouterClient openRouter()
    {
        return openRouter;
    }

    AgentMailClient agentMail()
    {
        return agentMail;
    }

    TelnyxClient telnyx()
    {
        return telnyx;
    }

    ServicesRepository repository()
    {
        return repo;
    }

    // ------------------------------------------------------------------ registry

    static Map<String, Object> registry()
    {
        final List<Object> tools = new ArrayList<>();
        TOOLS.forEach((id, keys) ->
        {
            final Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", id);
            t.put("envKeys", keys);
            t.put("default", DEFAULT_TOOLS.contains(id));
            tools.add(t);
        });
        return Map.of("tools", tools);
    }

    // ------------------------------------------------------------------ create

    /** One recorded step's outcome: the provider resource id (may be null) and metadata. */
    record Done(String resourceId, Map<String, Object> meta)
    {
    }

    /** The saga's working state: the request and what each step produced. */
    private static final class Ctx
    {
        final CreateRequest request;
        final Map<String, Done> done = new HashMap<>();

        Ctx(final CreateRequest request)
        {
            this.request = request;
        }

        String id(final String step)
        {
            final Done d = done.get(step);
            return d == null ? null : d.resourceId();
        }
    }

    /** A saga step: make (or find) a resource, and undo it (delete the recorded one and any found by lookup). */
    private interface Step
    {
        String name();

        String provider();

        Done run(Ctx ctx);

        /** @param recorded the recorded resource id, or null when the step's outcome is unknown. */
        default void undo(final Ctx ctx, final String recorded)
        {
        }

        default boolean hasUndo()
        {
            return false;
        }
    }

    private abstract static class Undoable implements Step
    {
        @Override
        public boolean hasUndo()
        {
            return true;
        }
    }

    private List<Step> plan(final CreateRequest r)
    {
        final List<Step> steps = new ArrayList<>();
        steps.add(new Undoable()
        {
            @Override
            public String name()
            {
                return "railway.service";
            }

            @Override
            public String provider()
            {
                return RailwayClient.PROVIDER;
            }

            @Override
            public Done run(final Ctx ctx)
            {
                final String id = ensure(() ->
                {
                    final List<RailwayClient.Service> found = railway.project().servicesNamed(ctx.request.name());
                    for (final RailwayClient.Service dup : found.subList(Math.min(1, found.size()), found.size()))
                    {
                        ignoreGone(() -> railway.deleteService(dup.id())); // duplicates of an earlier lost answer
                    }
                    return found.isEmpty() ? null : found.get(0).id();
                }, () -> railway.createService(ctx.request.name(), ctx.request.runtimeImage()));
                return new Done(id, Map.of("name", ctx.request.name()));
            }

            @Override
            public void undo(final Ctx ctx, final String recorded)
            {
                if (recorded != null)
                {
                    ignoreGone(() -> railway.deleteService(recorded));
                }
                for (final RailwayClient.Service s : railway.project().servicesNamed(ctx.request.name()))
                {
                    ignoreGone(() -> railway.deleteService(s.id()));
                }
            }
        });
        steps.add(new Undoable()
        {
            @Override
            public String name()
            {
                return "railway.volume";
            }

            @Override
            public String provider()
            {
                return RailwayClient.PROVIDER;
            }

            @Override
            public Done run(final Ctx ctx)
            {
                final String serviceId = ctx.id("railway.service");
                final String id = ensure(() ->
                {
                    final List<RailwayClient.Volume> found = railway.project().volumesOf(serviceId);
                    return found.isEmpty() ? null : found.get(0).id();
                }, () -> railway.createVolume(serviceId));
                return new Done(id, Map.of("serviceId", serviceId, "mountPath", settings.volumeMountPath()));
            }

            @Override
            public void undo(final Ctx ctx, final String recorded)
            {
                if (recorded != null)
                {
                    ignoreGone(() -> railway.deleteVolume(recorded));
                }
                final String serviceId = ctx.id("railway.service");
                if (serviceId != null)
                {
                    for (final RailwayClient.Volume v : railway.project().volumesOf(serviceId))
                    {
                        ignoreGone(() -> railway.deleteVolume(v.id()));
                    }
                }
            }
        });
        if (r.tools().contains("openrouter"))
        {
            steps.add(new Undoable()
            {
                @Override
                public String name()
                {
                    return "openrouter.key";
                }

                @Override
                public String provider()
                {
                    return OpenRouterClient.PROVIDER;
                }

                @Override
                public Done run(final Ctx ctx)
                {
                    for (int attempt = 0; ; attempt++)
                    {
                        // A key under this name that was never recorded cannot be adopted (its secret is only in the
                        // create answer): remove it so exactly one key exists.
                        for (final OpenRouterClient.Key k : openRouter.named(ctx.request.name()))
                        {
                            openRouter.delete(k.hash());
                        }
                        try
                        {
                            final OpenRouterClient.CreatedKey key = openRouter.create(ctx.request.name(), settings.keyLimit(),
                                settings.keyLimitReset());
                            final Map<String, Object> meta = new LinkedHashMap<>();
                            meta.put("name", ctx.request.name());
                            meta.put("limit", settings.keyLimit().toPlainString());
                            meta.put("limit_reset", settings.keyLimitReset());
                            meta.put("secret", key.secret());
                            return new Done(key.hash(), meta);
                        }
                        catch (final ProviderException e)
                        {
                            if (!e.ambiguous() || attempt >= 1)
                            {
                                throw e;
                            }
                        }
                    }
                }

                @Override
                public void undo(final Ctx ctx, final String recorded)
                {
                    if (recorded != null)
                    {
                        openRouter.delete(recorded);
                    }
                    for (final OpenRouterClient.Key k : openRouter.named(ctx.request.name()))
                    {
                        openRouter.delete(k.hash());
                    }
                }
            });
        }
        if (r.tools().contains("agentmail"))
        {
            steps.add(new Undoable()
            {
                @Override
                public String name()
                {
                    return "agentmail.inbox";
                }

                @Override
                public String provider()
                {
                    return AgentMailClient.PROVIDER;
                }

                @Override
                public Done run(final Ctx ctx)
                {
                    final AgentMailClient.Inbox inbox = agentMail.create(ctx.request.name(), ctx.request.name());
                    return new Done(inbox.inboxId(), Map.of("client_id", ctx.request.name()));
                }

                @Override
                public void undo(final Ctx ctx, final String recorded)
                {
                    if (recorded != null)
                    {
                        agentMail.delete(recorded);
                    }
                    for (final AgentMailClient.Inbox i : agentMail.list())
                    {
                        if (ctx.request.name().equals(i.clientId()))
                        {
                            agentMail.delete(i.inboxId());
                        }
                    }
                }
            });
        }
        if (r.tools().contains("telnyx"))
        {
            steps.add(new Undoable()
            {
                @Override
                public String name()
                {
                    return "telnyx.number";
                }

                @Override
                public String provider()
                {
                    return TelnyxClient.PROVIDER;
                }

                @Override
                public Done run(final Ctx ctx)
                {
                    final String ref = ctx.request.instanceId();
                    final String id = ensure(() ->
                    {
                        final List<TelnyxClient.Number> found = telnyx.numbersFor(ref);
                        return found.isEmpty() ? null : found.get(0).id();
                    }, () ->
                    {
                        telnyx.order(telnyx.searchAvailable(), ref);
                        // An order may be "pending" for a moment before the number is listed as owned.
                        for (int look = 0; ; look++)
                        {
                            final List<TelnyxClient.Number> found = telnyx.numbersFor(ref);
                            if (!found.isEmpty())
                            {
                                return found.get(0).id();
                            }
                            if (look >= settings.retries())
                            {
                                throw new ProviderException(TelnyxClient.PROVIDER, 200, "the ordered number is not listed yet",
                                    false, true);
                            }
                            pause(settings.backoffMillis() << Math.min(look, 6));
                        }
                    });
                    final TelnyxClient.Number n = telnyx.numbersFor(ref).stream().filter(x -> id.equals(x.id())).findFirst()
                        .orElseThrow(() -> new ProviderException(TelnyxClient.PROVIDER, 200, "number " + id + " vanished", false, true));
                    final Map<String, Object> meta = new LinkedHashMap<>();
                    meta.put("phone_number", n.phoneNumber());
                    meta.put("messaging_profile_id", telnyx.messagingProfileId());
                    return new Done(id, meta);
                }

                @Override
                public void undo(final Ctx ctx, final String recorded)
                {
                    if (recorded != null)
                    {
                        telnyx.delete(recorded);
                    }
                    for (final TelnyxClient.Number n : telnyx.numbersFor(ctx.request.instanceId()))
                    {
                        telnyx.delete(n.id());
                    }
                }
            });
        }
        steps.add(new Step()
        {
            @Override
            public String name()
            {
                return "railway.domain";
            }

            @Override
            public String provider()
            {
                return RailwayClient.PROVIDER;
            }

            @Override
            public Done run(final Ctx ctx)
            {
                final String serviceId = ctx.id("railway.service");
                return new Done(ensure(() -> railway.findDomain(serviceId), () -> railway.createDomain(serviceId)), Map.of());
            }
        });
        steps.add(new Step()
        {
            @Override
            public String name()
            {
                return "railway.variables";
            }

            @Override
            public String provider()
            {
                return RailwayClient.PROVIDER;
            }

            @Override
            public Done run(final Ctx ctx)
            {
                final Map<String, String> vars = instanceVariables(ctx);
                railway.upsertVariables(ctx.id("railway.service"), vars, true);
                return new Done(null, Map.of("keys", new ArrayList<>(new TreeSet<>(vars.keySet()))));
            }
        });
        steps.add(new Step()
        {
            @Override
            public String name()
            {
                return "railway.deploy";
            }

            @Override
            public String provider()
            {
                return RailwayClient.PROVIDER;
            }

            @Override
            public Done run(final Ctx ctx)
            {
                final String serviceId = ctx.id("railway.service");
                railway.deploy(serviceId);
                String status;
                try
                {
                    status = railway.latestDeploymentStatus(serviceId);
                }
                catch (final ProviderException e)
                {
                    status = null; // deployed; its status is read again by /status/batch
                }
                final Map<String, Object> meta = new HashMap<>();
                meta.put("deployStatus", status);
                return new Done(null, meta);
            }
        });
        return steps;
    }

    /** Pass-through variables, then the request's, then what the tools provisioned (which always win). */
    private Map<String, String> instanceVariables(final Ctx ctx)
    {
        final Map<String, String> vars = new LinkedHashMap<>(settings.passThrough());
        vars.putAll(ctx.request.env());
        final Done key = ctx.done.get("openrouter.key");
        if (key != null)
        {
            vars.put("OPENROUTER_API_KEY", String.valueOf(key.meta().get("secret")));
        }
        final Done inbox = ctx.done.get("agentmail.inbox");
        if (inbox != null)
        {
            vars.put("AGENTMAIL_INBOX_ID", inbox.resourceId());
        }
        final Done number = ctx.done.get("telnyx.number");
        if (number != null)
        {
            vars.put("TELNYX_PHONE_NUMBER", String.valueOf(number.meta().get("phone_number")));
            vars.put("TELNYX_MESSAGING_PROFILE_ID", String.valueOf(number.meta().get("messaging_profile_id")));
        }
        return vars;
    }

    ServicesResult create(final CreateRequest request)
    {
        return locks.withLock(request.instanceId(), () ->
        {
            recover(request.instanceId());
            final InstanceRecord existing = repo.find(request.instanceId());
            if (existing != null)
            {
                return ServicesResult.json(200, existing.view());
            }
            return runCreate(request);
        });
    }

    private ServicesResult runCreate(final CreateRequest request)
    {
        final long saga = repo.startSaga(request.instanceId(), "create", request.toLog());
        final Ctx ctx = new Ctx(request);
        final List<Step> plan = plan(request);
        for (int i = 0; i < plan.size(); i++)
        {
            final Step step = plan.get(i);
            repo.step(saga, i + 1, step.name(), "started", null, null);
            final Done done;
            try
            {
                done = step.run(ctx);
            }
            catch (final ProviderException e)
            {
                repo.step(saga, i + 1, step.name(), "failed", null, failure(e));
                LOG.warn("create {}: step {} failed ({} {}: {}); undoing {} step(s)", request.instanceId(), step.name(),
                    e.provider(), e.status(), e.getMessage(), i + 1);
                final boolean undone = compensate(saga, ctx, plan.subList(0, i + 1));
                final Map<String, Object> details = ServicesResult.details("step", step.name(), "provider", e.provider(),
                    "status", e.status(), "compensated", undone);
                repo.finishSaga(saga, undone ? "compensated" : "running", details);
                return ServicesResult.error(502, "provider_error", step.name() + " failed: " + e.getMessage()
                    + (undone ? "; the completed steps were undone" : "; undoing the completed steps did not finish and is retried"),
                    details);
            }
            hooks.afterProviderCall(request.instanceId(), step.name());
            repo.step(saga, i + 1, step.name(), "done", done.resourceId(), done.meta());
            ctx.done.put(step.name(), done);
            hooks.afterStep(request.instanceId(), step.name());
        }
        final InstanceRecord record = record(ctx);
        repo.commitCreated(record, saga);
        LOG.info("created instance {} (service {}, {} tool(s))", request.instanceId(), record.serviceId(), record.services().size());
        return ServicesResult.json(201, record.view());
    }

    private InstanceRecord record(final Ctx ctx)
    {
        final CreateRequest r = ctx.request;
        final List<InstanceRecord.Tool> tools = new ArrayList<>();
        final Done key = ctx.done.get("openrouter.key");
        if (key != null)
        {
            final Map<String, Object> meta = new LinkedHashMap<>(key.meta());
            final Object secret = meta.remove("secret");
            tools.add(new InstanceRecord.Tool("openrouter", key.resourceId(), meta, "OPENROUTER_API_KEY", String.valueOf(secret), "active"));
        }
        final Done inbox = ctx.done.get("agentmail.inbox");
        if (inbox != null)
        {
            tools.add(new InstanceRecord.Tool("agentmail", inbox.resourceId(), inbox.meta(), "AGENTMAIL_INBOX_ID", inbox.resourceId(),
                "active"));
        }
        final Done number = ctx.done.get("telnyx.number");
        if (number != null)
        {
            tools.add(new InstanceRecord.Tool("telnyx", number.resourceId(), number.meta(), "TELNYX_PHONE_NUMBER",
                String.valueOf(number.meta().get("phone_number")), "active"));
        }
        final String domain = ctx.id("railway.domain");
        final Object status = ctx.done.get("railway.deploy").meta().get("deployStatus");
        return new InstanceRecord(r.instanceId(), "railway", ctx.id("railway.service"), railway.environmentId(),
            railway.projectId(), domain == null ? null : "https://" + domain, status == null ? null : status.toString(),
            r.runtimeImage(), ctx.id("railway.volume"), tools);
    }

    /** Undoes {@code steps} in reverse. @return true when every undo finished. */
    private boolean compensate(final long saga, final Ctx ctx, final List<Step> steps)
    {
        boolean complete = true;
        for (int i = steps.size() - 1; i >= 0; i--)
        {
            final Step step = steps.get(i);
            if (!step.hasUndo())
            {
                continue;
            }
            try
            {
                step.undo(ctx, ctx.id(step.name()));
                repo.step(saga, i + 1, step.name(), "undone", null, null);
            }
            catch (final ProviderException e)
            {
                complete = false;
                LOG.warn("undo of {} for {} failed ({} {}: {}); retried at start-up or on the next request for it", step.name(),
                    ctx.request.instanceId(), e.provider(), e.status(), e.getMessage());
            }
        }
        return complete;
    }

    private static Map<String, Object> failure(final ProviderException e)
    {
        return ServicesResult.details("provider", e.provider(), "status", e.status(), "message", e.getMessage());
    }

    // ------------------------------------------------------------------ destroy

    ServicesResult destroy(final String instanceId)
    {
        return locks.withLock(instanceId, () ->
        {
            recover(instanceId);
            final InstanceRecord r = repo.find(instanceId);
            if (r == null)
            {
                return notFound(instanceId);
            }
            final Map<String, Object> log = new LinkedHashMap<>();
            log.put("instanceId", r.instanceId());
            log.put("serviceId", r.serviceId());
            log.put("volumeId", r.volumeId());
            log.put("tools", r.services().stream().map(t -> Map.<String, Object>of("toolId", t.toolId(),
                "resourceId", String.valueOf(t.resourceId()))).toList());
            final long saga = repo.startSaga(instanceId, "destroy", log);
            return runDestroy(saga, log);
        });
    }

    private ServicesResult runDestroy(final long saga, final Map<String, Object> log)
    {
        final String instanceId = Trees.str(log, "instanceId");
        final List<String> destroyed = new ArrayList<>();
        final Map<String, String> tools = new HashMap<>();
        for (final Object t : Trees.list(log, "tools"))
        {
            tools.put(Trees.str(t, "toolId"), Trees.str(t, "resourceId"));
        }
        final List<String[]> steps = new ArrayList<>(); // {step, provider, resource}
        if (tools.containsKey("telnyx"))
        {
            steps.add(new String[] {"telnyx.number", TelnyxClient.PROVIDER, tools.get("telnyx")});
        }
        if (tools.containsKey("agentmail"))
        {
            steps.add(new String[] {"agentmail.inbox", AgentMailClient.PROVIDER, tools.get("agentmail")});
        }
        if (tools.containsKey("openrouter"))
        {
            steps.add(new String[] {"openrouter.key", OpenRouterClient.PROVIDER, tools.get("openrouter")});
        }
        if (Trees.str(log, "volumeId") != null)
        {
            steps.add(new String[] {"railway.volume", RailwayClient.PROVIDER, Trees.str(log, "volumeId")});
        }
        if (Trees.str(log, "serviceId") != null)
        {
            steps.add(new String[] {"railway.service", RailwayClient.PROVIDER, Trees.str(log, "serviceId")});
        }
        for (int i = 0; i < steps.size(); i++)
        {
            final String[] s = steps.get(i);
            repo.step(saga, i + 1, s[0], "started", s[2], null);
            try
            {
                switch (s[0])
                {
                    case "telnyx.number" -> telnyx.delete(s[2]);
                    case "agentmail.inbox" -> agentMail.delete(s[2]);
                    case "openrouter.key" -> openRouter.delete(s[2]);
                    case "railway.volume" -> ignoreGone(() -> railway.deleteVolume(s[2]));
                    default -> ignoreGone(() -> railway.deleteService(s[2]));
                }
            }
            catch (final ProviderException e)
            {
                repo.step(saga, i + 1, s[0], "failed", null, failure(e));
                final Map<String, Object> details = ServicesResult.details("step", s[0], "provider", e.provider(),
                    "status", e.status(), "destroyed", destroyed);
                repo.finishSaga(saga, "failed", details);
                LOG.warn("destroy {}: step {} failed ({} {}); the instance is kept, retry the destroy", instanceId, s[0],
                    e.provider(), e.status());
                return ServicesResult.error(502, "provider_error", s[0] + " failed: " + e.getMessage()
                    + "; the instance is kept so the destroy can be retried", details);
            }
            repo.step(saga, i + 1, s[0], "done", s[2], null);
            destroyed.add(s[0]);
        }
        repo.commitDestroyed(instanceId, saga);
        LOG.info("destroyed instance {}", instanceId);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("instanceId", instanceId);
        body.put("destroyed", destroyed);
        return ServicesResult.json(200, body);
    }

    // ------------------------------------------------------------------ configure, redeploy, status

    ServicesResult configure(final String instanceId, final Map<String, String> env)
    {
        return locks.withLock(instanceId, () ->
        {
            recover(instanceId);
            final InstanceRecord r = repo.find(instanceId);
            if (r == null)
            {
                return notFound(instanceId);
            }
            try
            {
                railway.upsertVariables(r.serviceId(), env, false);
            }
            catch (final ProviderException e)
            {
                return providerError("railway.variables", e);
            }
            repo.touch(instanceId);
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("instanceId", instanceId);
            body.put("configured", new ArrayList<>(new TreeSet<>(env.keySet())));
            return ServicesResult.json(200, body);
        });
    }

    ServicesResult redeploy(final String instanceId)
    {
        return locks.withLock(instanceId, () ->
        {
            recover(instanceId);
            final InstanceRecord r = repo.find(instanceId);
            if (r == null)
            {
                return notFound(instanceId);
            }
            try
            {
                railway.redeploy(r.serviceId());
            }
            catch (final ProviderException e)
            {
                return providerError("railway.redeploy", e);
            }
            repo.touch(instanceId);
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("instanceId", instanceId);
            body.put("serviceId", r.serviceId());
            body.put("redeploy", "requested");
            return ServicesResult.json(202, body);
        });
    }

    /** The seed's {@code /status/batch}: every agent service of the project (or those of {@code instanceIds}). */
    ServicesResult statusBatch(final List<String> instanceIds)
    {
        final RailwayClient.Project project;
        try
        {
            project = railway.project();
        }
        catch (final ProviderException e)
        {
            return providerError("railway.project", e);
        }
        final Map<String, String> instanceByService = new HashMap<>();
        for (final InstanceRecord r : repo.all())
        {
            if (r.serviceId() != null)
            {
                instanceByService.put(r.serviceId(), r.instanceId());
            }
        }
        final List<Object> services = new ArrayList<>();
        final Map<String, String> statuses = new HashMap<>();
        for (final RailwayClient.Service s : project.services())
        {
            String instanceId = instanceByService.get(s.id());
            if (instanceId == null && s.name() != null && s.name().startsWith(CreateRequest.NAME_PREFIX))
            {
                instanceId = s.name().substring(CreateRequest.NAME_PREFIX.length());
            }
            if (instanceId == null || (instanceIds != null && !instanceIds.contains(instanceId)))
            {
                continue;
            }
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("instanceId", instanceId);
            m.put("serviceId", s.id());
            m.put("name", s.name());
            m.put("deployStatus", s.deployStatus());
            m.put("domain", s.domain());
            m.put("image", s.image());
            m.put("environmentIds", s.environmentIds());
            services.add(m);
            if (instanceByService.containsKey(s.id()) && s.deployStatus() != null)
            {
                statuses.put(instanceId, s.deployStatus());
            }
        }
        repo.updateDeployStatus(statuses);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("projectId", project.id());
        body.put("services", services);
        return ServicesResult.json(200, body);
    }

    // ------------------------------------------------------------------ recovery

    /** Recovers every interrupted saga (start-up). @return sagas recovered. */
    int recoverAll()
    {
        int n = 0;
        for (final ServicesRepository.Saga s : repo.running(null))
        {
            final boolean ok = locks.withLock(s.instanceId(), () -> recoverSaga(s));
            n += ok ? 1 : 0;
        }
        return n;
    }

    /** Recovers the instance's interrupted sagas; caller holds its lock. */
    private void recover(final String instanceId)
    {
        for (final ServicesRepository.Saga s : repo.running(instanceId))
        {
            if (!recoverSaga(s))
            {
                throw new ProviderException("services", 0, "an earlier " + s.kind() + " of " + instanceId
                    + " could not be finished yet", false, false);
            }
        }
    }

    private boolean recoverSaga(final ServicesRepository.Saga s)
    {
        if ("destroy".equals(s.kind()))
        {
            LOG.warn("resuming interrupted destroy of {} (saga {})", s.instanceId(), s.id());
            return !runDestroy(s.id(), s.request()).isError();
        }
        final CreateRequest request = CreateRequest.fromLog(s.request());
        final Ctx ctx = new Ctx(request);
        final Map<String, ServicesRepository.Step> logged = repo.steps(s.id());
        final List<Step> plan = plan(request);
        int last = -1;
        for (int i = 0; i < plan.size(); i++)
        {
            final ServicesRepository.Step st = logged.get(plan.get(i).name());
            if (st != null)
            {
                last = i;
                if (st.resourceId() != null)
                {
                    ctx.done.put(st.step(), new Done(st.resourceId(), st.meta()));
                }
            }
        }
        LOG.warn("compensating interrupted create of {} (saga {}, {} step(s) logged)", s.instanceId(), s.id(), last + 1);
        final boolean undone = compensate(s.id(), ctx, plan.subList(0, last + 1));
        if (undone)
        {
            repo.finishSaga(s.id(), "compensated", ServicesResult.details("reason", "interrupted", "steps", last + 1));
        }
        return undone;
    }

    // ------------------------------------------------------------------ helpers

    private static ServicesResult notFound(final String instanceId)
    {
        return ServicesResult.error(404, "not_found", "no instance " + instanceId, ServicesResult.details("instanceId", instanceId));
    }

    static ServicesResult providerError(final String step, final ProviderException e)
    {
        return ServicesResult.error(502, "provider_error", step + " failed: " + e.getMessage(),
            ServicesResult.details("step", step, "provider", e.provider(), "status", e.status()));
    }

    /** Finds, else creates; after an ambiguous create failure (the provider may have acted) looks again. */
    private static String ensure(final Supplier<String> lookup, final Supplier<String> create)
    {
        final String existing = lookup.get();
        if (existing != null)
        {
            return existing;
        }
        try
        {
            return create.get();
        }
        catch (final ProviderException e)
        {
            if (!e.ambiguous())
            {
                throw e;
            }
            final String after = lookup.get();
            if (after != null)
            {
                return after;
            }
            throw e;
        }
    }

    private static void pause(final long millis)
    {
        try
        {
            Thread.sleep(millis); // a services worker, never an event loop
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ProviderException(TelnyxClient.PROVIDER, 0, "interrupted", false, true);
        }
    }

    private static void ignoreGone(final Runnable delete)
    {
        try
        {
            delete.run();
        }
        catch (final ProviderException e)
        {
            if (!e.gone())
            {
                throw e;
            }
        }
    }
}
