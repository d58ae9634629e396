package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.edgeplane.Edgeplane;
import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each surface's OpenAPI document ({@code docs/openapi/<surface>.yaml}) against the routes a real server registers
 * on that surface's listener: a route the server serves but the document leaves out, or an operation the document
 * describes but no listener serves, fails the build. The documents are also checked for what the comparison relies
 * on (OpenAPI 3.1, unique operation ids, every path template parameter declared, a response on every operation).
 *
 * <p>A path the route table matches with a final {@code *} (e.g. {@code /media/*}) cannot be written as an OpenAPI
 * path template; its path item names the registered pattern in {@code x-edgeplane-route}.
 */
class OpenApiRoutesTest
{
    private static final Path OPENAPI = Path.of("..", "docs", "openapi");
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern TEMPLATE = Pattern.compile("\\{([^}/]+)}");

    @TempDir
    static Path dataDir;
    static EdgeServer server;

    @BeforeAll
    static void start()
    {
        server = EdgeServer.start(EdgeSettings.from(TestServers.environment(dataDir, TestPostgres.freshDatabaseUrl("openapi"),
            Map.of("OTEL_ENABLED", "false"))), Edgeplane.surfaces());
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(SurfaceKind.class)
    void shouldDocumentExactlyTheRoutesTheListenerServes(final SurfaceKind kind) throws IOException
    {
        final JsonNode doc = read(kind);
        final Set<String> served = new TreeSet<>();
        for (final Route route : server.routes(kind))
        {
            served.add(route.method() + " " + route.pattern());
        }
        assertFalse(served.isEmpty(), kind.label() + " serves no route");

        final Set<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(e ->
        {
            final String pattern = e.getValue().path("x-edgeplane-route").asText(e.getKey());
            for (final String method : METHODS)
            {
                if (e.getValue().has(method))
                {
                    documented.add(method.toUpperCase(Locale.ROOT) + " " + pattern);
                }
            }
        });

        final Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        final Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);
        assertTrue(undocumented.isEmpty() && notServed.isEmpty(), file(kind) + " and the " + kind.label()
            + " listener disagree:\n  served but not documented: " + undocumented
            + "\n  documented but not served: " + notServed);
    }

    @ParameterizedTest
    @EnumSource(SurfaceKind.class)
    void shouldBeAnOpenApi31DocumentWhoseOperationsAreComplete(final SurfaceKind kind) throws IOException
    {
        final JsonNode doc = read(kind);
        assertTrue(doc.path("openapi").asText().startsWith("3.1."), file(kind) + ": openapi must be 3.1.x");
        assertFalse(doc.path("info").path("title").asText().isEmpty(), file(kind) + ": info.title");
        assertFalse(doc.path("info").path("version").asText().isEmpty(), file(kind) + ": info.version");

        final Set<String> operationIds = new HashSet<>();
        final List<String> problems = new ArrayList<>();
        doc.path("paths").fields().forEachRemaining(e ->
        {
            final String path = e.getKey();
            final JsonNode item = e.getValue();
            final Set<String> templated = new TreeSet<>();
            final Matcher m = TEMPLATE.matcher(path);
            while (m.find())
            {
                templated.add(m.group(1));
            }
            for (final String method : METHODS)
            {
                final JsonNode op = item.get(method);
                if (op == null)
                {
                    continue;
                }
                final String where = method.toUpperCase(Locale.ROOT) + " " + path;
                final String id = op.path("operationId").asText("");
                if (id.isEmpty() || !operationIds.add(id))
                {
                    problems.add(where + ": operationId missing or repeated ('" + id + "')");
                }
                if (!op.path("responses").isObject() || op.path("responses").isEmpty())
                {
                    problems.add(where + ": no responses");
                }
                final Set<String> declared = new TreeSet<>();
                for (final JsonNode list : List.of(item.path("parameters"), op.path("parameters")))
                {
                    list.forEach(p ->
                    {
                        final JsonNode param = resolve(doc, p);
                        if ("path".equals(param.path("in").asText()))
                        {
                            declared.add(param.path("name").asText());
                        }
                    });
                }
                if (!declared.equals(templated))
                {
                    problems.add(where + ": path parameters declared " + declared + " but the template has " + templated);
                }
            }
        });
        assertTrue(problems.isEmpty(), file(kind) + ":\n  " + String.join("\n  ", problems));
    }

    private static JsonNode resolve(final JsonNode doc, final JsonNode node)
    {
        final String ref = node.path("$ref").asText("");
        if (!ref.startsWith("#/"))
        {
            return node;
        }
        return doc.at(ref.substring(1));
    }

    private static Path file(final SurfaceKind kind)
    {
        return OPENAPI.resolve(kind.label() + ".yaml");
    }

    private static JsonNode read(final SurfaceKind kind) throws IOException
    {
        final Path file = file(kind);
        assertTrue(Files.isRegularFile(file), file + " is missing");
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }
}
