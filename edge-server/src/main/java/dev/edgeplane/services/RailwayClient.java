package dev.edgeplane.services;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Railway's public GraphQL API v2 ({@code RAILWAY_API_URL}, bearer {@code RAILWAY_API_TOKEN}, project
 * {@code RAILWAY_PROJECT_ID}). A GraphQL answer with an {@code errors} array is a failure even with HTTP 200; an
 * error saying "not found" marks the resource {@link ProviderException#gone() gone}.
 *
 * <p>The environment is {@code RAILWAY_ENVIRONMENT_ID}, or the id of the environment named
 * {@code RAILWAY_ENVIRONMENT_NAME}, resolved once through {@code environments(projectId)}.
 *
 * <p>Thread-safe. Blocking.
 */
final class RailwayClient
{
    static final String PROVIDER = "railway";

    /** Railway's {@code DeploymentStatus} enum. */
    static final List<String> DEPLOYMENT_STATUSES = List.of("BUILDING", "CRASHED", "DEPLOYING", "FAILED", "INITIALIZING",
        "NEEDS_APPROVAL", "QUEUED", "REMOVED", "REMOVING", "SKIPPED", "SLEEPING", "SUCCESS", "WAITING");

    private static final String PROJECT = """
        query project($id: String!) {
          project(id: $id) {
            id
            services { edges { node { id name serviceInstances { edges { node {
              environmentId source { image } domains { serviceDomains { domain } } latestDeployment { id status } } } } } } }
            volumes { edges { node { id name volumeInstances { edges { node { serviceId mountPath } } } } } }
          }
        }""";
    private static final String ENVIRONMENTS = """
        query environments($projectId: String!) {
          environments(projectId: $projectId) { edges { node { id name } } }
        }""";
    private static final String SERVICE_CREATE = """
        mutation serviceCreate($input: ServiceCreateInput!) {
          serviceCreate(input: $input) { id name }
        }""";
    private static final String VOLUME_CREATE = """
        mutation volumeCreate($input: VolumeCreateInput!) {
          volumeCreate(input: $input) { id name }
        }""";
    private static final String VOLUME_DELETE = """
        mutation volumeDelete($volumeId: String!) {
          volumeDelete(volumeId: $volumeId)
        }""";
    private static final String DOMAINS = """
        query domains($projectId: String!, $environmentId: String!, $serviceId: String!) {
          domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) { serviceDomains { id domain } }
        }""";
    private static final String DOMAIN_CREATE = """
        mutation serviceDomainCreate($input: ServiceDomainCreateInput!) {
          serviceDomainCreate(input: $input) { id domain }
        }""";
    private static final String VARIABLES_UPSERT = """
        mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) {
          variableCollectionUpsert(input: $input)
        }""";
    private static final String DEPLOY = """
        mutation serviceInstanceDeploy($serviceId: String!, $environmentId: String!) {
          serviceInstanceDeploy(serviceId: $serviceId, environmentId: $environmentId)
        }""";
    private static final String REDEPLOY = """
        mutation serviceInstanceRedeploy($serviceId: String!, $environmentId: String!) {
          serviceInstanceRedeploy(serviceId: $serviceId, environmentId: $environmentId)
        }""";
    private static final String SERVICE_DELETE = """
        mutation serviceDelete($id: String!) {
          serviceDelete(id: $id)
        }""";
    private static final String DEPLOYMENTS = """
        query deployments($input: DeploymentListInput!) {
          deployments(first: 1, input: $input) { edges { node { id status staticUrl createdAt } } }
        }""";

    /** A service as the project reports it. */
    record Service(String id, String name, List<String> environmentIds, String image, String domain, String deployStatus)
    {
    }

    /** A volume and the service it is mounted on (null when detached). */
    record Volume(String id, String serviceId)
    {
    }

    /** What {@code project(id)} reports: services and volumes. */
    record Project(String id, List<Service> services, List<Volume> volumes)
    {
        Service serviceNamed(final String name)
        {
            return services.stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
        }

        List<Service> servicesNamed(final String name)
        {
            return services.stream().filter(s -> name.equals(s.name())).toList();
        }

        List<Volume> volumesOf(final String serviceId)
        {
            return volumes.stream().filter(v -> serviceId.equals(v.serviceId())).toList();
        }
    }

    private final ProviderHttp http;
    private final ServicesSettings settings;
    private volatile String environmentId;

    RailwayClient(final ServicesSettings settings)
    {
        this.settings = settings;
        this.http = new ProviderHttp(PROVIDER, settings.railwayUrl(), settings.railwayToken(), settings);
        this.environmentId = settings.railwayEnvironmentId();
    }

    String projectId()
    {
        final String id = settings.railwayProjectId();
        if (id.isEmpty())
        {
            throw ProviderException.notConfigured(PROVIDER, ServicesSettings.RAILWAY_PROJECT_ID);
        }
        return id;
    }

    /** @return the environment id, resolving {@code RAILWAY_ENVIRONMENT_NAME} on first use. */
    String environmentId()
    {
        String id = environmentId;
        if (id != null)
        {
            return id;
        }
        final String name = settings.railwayEnvironmentName();
        if (name == null)
        {
            throw ProviderException.notConfigured(PROVIDER, ServicesSettings.RAILWAY_ENVIRONMENT_ID + " (or "
                + ServicesSettings.RAILWAY_ENVIRONMENT_NAME + ")");
        }
        final Object data = graphql(ENVIRONMENTS, Map.of("projectId", projectId()), true);
        for (final Object node : Trees.nodes(Trees.at(data, "environments")))
        {
            if (name.equals(Trees.str(node, "name")))
            {
                id = Trees.str(node, "id");
                environmentId = id;
                return id;
            }
        }
        throw new ProviderException(PROVIDER, 200, "no environment named '" + name + "' in the project", false, false);
    }

    Project project()
    {
        final Object data = graphql(PROJECT, Map.of("id", projectId()), true);
        final Object project = Trees.at(data, "project");
        if (project == null)
        {
            throw new ProviderException(PROVIDER, 200, "project not found", true, false);
        }
        final List<Service> services = new ArrayList<>();
        for (final Object s : Trees.nodes(Trees.at(project, "services")))
        {
            final List<String> envs = new ArrayList<>();
            String image = null;
            String domain = null;
            String status = null;
            for (final Object inst : Trees.nodes(Trees.at(s, "serviceInstances")))
            {
                envs.add(Trees.str(inst, "environmentId"));
                final boolean ours = environmentId == null || environmentId.equals(Trees.str(inst, "environmentId"));
                if (ours || image == null)
                {
                    image = Trees.str(inst, "source", "image");
                    final List<?> domains = Trees.list(inst, "domains", "serviceDomains");
                    domain = domains.isEmpty() ? null : Trees.str(domains.get(0), "domain");
                    status = Trees.str(inst, "latestDeployment", "status");
                }
            }
            services.add(new Service(Trees.str(s, "id"), Trees.str(s, "name"), envs, image, domain, status));
        }
        final List<Volume> volumes = new ArrayList<>();
        for (final Object v : Trees.nodes(Trees.at(project, "volumes")))
        {
            final List<Object> instances = Trees.nodes(Trees.at(v, "volumeInstances"));
            volumes.add(new Volume(Trees.str(v, "id"), instances.isEmpty() ? null : Trees.str(instances.get(0), "serviceId")));
        }
        return new Project(Trees.str(project, "id"), services, volumes);
    }

    /** serviceCreate from a Docker image; not idempotent (callers look the name up first). @return the service id. */
    String createService(final String name, final String image)
    {
        final Map<String, Object> input = new LinkedHashMap<>();
        input.put("projectId", projectId());
        input.put("environmentId", environmentId());
        input.put("name", name);
        input.put("source", Map.of("image", image));
        final String id = Trees.str(graphql(SERVICE_CREATE, Map.of("input", input), false), "serviceCreate", "id");
        if (id == null)
        {
            throw new ProviderException(PROVIDER, 200, "serviceCreate answered without an id", false, true);
        }
        return id;
    }

    /** volumeCreate mounted on the service; not idempotent. @return the volume id. */
    String createVolume(final String serviceId)
    {
        final Map<String, Object> input = new LinkedHashMap<>();
        input.put("projectId", projectId());
        input.put("environmentId", environmentId());
        input.put("serviceId", serviceId);
        input.put("mountPath", settings.volumeMountPath());
        final String id = Trees.str(graphql(VOLUME_CREATE, Map.of("input", input), false), "volumeCreate", "id");
        if (id == null)
        {
            throw new ProviderException(PROVIDER, 200, "volumeCreate answered without an id", false, true);
        }
        return id;
    }

    void deleteVolume(final String volumeId)
    {
        graphql(VOLUME_DELETE, Map.of("volumeId", volumeId), true);
    }

    /** @return the service's first Railway domain, or null. */
    String findDomain(final String serviceId)
    {
        final Object data = graphql(DOMAINS, Map.of("projectId", projectId(), "environmentId", environmentId(),
            "serviceId", serviceId), true);
        final List<?> domains = Trees.list(data, "domains", "serviceDomains");
        return domains.isEmpty() ? null : Trees.str(domains.get(0), "domain");
    }

    /** serviceDomainCreate; not idempotent. @return the domain name. */
    String createDomain(final String serviceId)
    {
        final Map<String, Object> input = Map.of("serviceId", serviceId, "environmentId", environmentId());
        final String domain = Trees.str(graphql(DOMAIN_CREATE, Map.of("input", input), false), "serviceDomainCreate", "domain");
        if (domain == null)
        {
            throw new ProviderException(PROVIDER, 200, "serviceDomainCreate answered without a domain", false, true);
        }
        return domain;
    }

    /** variableCollectionUpsert: sets (merges) the variables; idempotent. */
    void upsertVariables(final String serviceId, final Map<String, String> variables, final boolean skipDeploys)
    {
        final Map<String, Object> input = new LinkedHashMap<>();
        input.put("projectId", projectId());
        input.put("environmentId", environmentId());
        input.put("serviceId", serviceId);
        input.put("variables", new LinkedHashMap<>(variables));
        input.put("skipDeploys", skipDeploys);
        graphql(VARIABLES_UPSERT, Map.of("input", input), true);
    }

    void deploy(final String serviceId)
    {
        graphql(DEPLOY, Map.of("serviceId", serviceId, "environmentId", environmentId()), true);
    }

    void redeploy(final String serviceId)
    {
        graphql(REDEPLOY, Map.of("serviceId", serviceId, "environmentId", environmentId()), true);
    }

    void deleteService(final String serviceId)
    {
        graphql(SERVICE_DELETE, Map.of("id", serviceId), true);
    }

    /** @return the latest deployment's status (one of {@link #DEPLOYMENT_STATUSES}), or null when never deployed. */
    String latestDeploymentStatus(final String serviceId)
    {
        final Map<String, Object> input = Map.of("projectId", projectId(), "serviceId", serviceId,
            "environmentId", environmentId());
        final List<Object> nodes = Trees.nodes(Trees.at(graphql(DEPLOYMENTS, Map.of("input", input), true), "deployments"));
        return nodes.isEmpty() ? null : Trees.str(nodes.get(0), "status");
    }

    /** Posts one GraphQL document; an {@code errors} array is a failure whatever the HTTP status. @return {@code data}. */
    private Object graphql(final String query, final Map<String, Object> variables, final boolean idempotent)
    {
        if (!http.hasCredentials())
        {
            throw ProviderException.notConfigured(PROVIDER, ServicesSettings.RAILWAY_API_TOKEN);
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("variables", variables);
        final String operation = operation(query);
        final ProviderHttp.Answer answer;
        try
        {
            answer = http.call("POST", "", body, idempotent);
        }
        catch (final ProviderException e)
        {
            throw new ProviderException(PROVIDER, e.status(), operation + ": " + e.getMessage(), e.gone(), e.ambiguous());
        }
        final List<?> errors = Trees.list(answer.body(), "errors");
        if (!errors.isEmpty())
        {
            final String message = String.valueOf(Trees.str(errors.get(0), "message"));
            final boolean gone = message.toLowerCase(Locale.ROOT).contains("not found");
            final String token = settings.railwayToken();
            final String safe = token.length() >= 4 ? shorten(message).replace(token, "***") : shorten(message);
            throw new ProviderException(PROVIDER, answer.status(), operation + ": " + safe, gone, false);
        }
        return Trees.at(answer.body(), "data");
    }

    private static String operation(final String query)
    {
        final String[] words = query.trim().split("[\\s($]+", 3);
        return words.length > 1 ? words[1] : "graphql";
    }

    private static String shorten(final String s)
    {
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }
}
