package dev.edgeplane.tools;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/**
 * {@code edgeplane config apply FILE} and {@code edgeplane config export ACCOUNT_ID}: import and
 * export of the control-plane configuration document through a running server's admin API, so the
 * server validates the document and every node sees the change (NOTIFY). The admin token comes from
 * {@code --admin-token} or {@code ADMIN_TOKEN}. {@code edgeplane config generate} ({@link ConfigGenerateCommand}) prints
 * a large generated document for benchmarks and needs no server.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Apply or export the control-plane configuration document (through the admin API), or generate one.",
    subcommands = {ConfigCommand.Apply.class, ConfigCommand.Export.class, ConfigGenerateCommand.class})
final class ConfigCommand
{
    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000", description = "Control-plane base URL (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--admin-token", description = "Admin token (default: the ADMIN_TOKEN environment variable).")
    String adminToken;

    private HttpResponse<String> send(final HttpRequest.Builder request) throws IOException, InterruptedException
    {
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(request.header("x-admin-token", token()).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private String token()
    {
        return adminToken != null ? adminToken : System.getenv().getOrDefault("ADMIN_TOKEN", "");
    }

    /** @return 2 (usage error) with a message when no token is configured, else 0. */
    private int checkToken()
    {
        if (token().isBlank())
        {
            System.err.println("no admin token: pass --admin-token or set ADMIN_TOKEN");
            return 2;
        }
        return 0;
    }

    private static int report(final HttpResponse<String> response)
    {
        if (response.statusCode() == 200)
        {
            System.out.println(response.body());
            return 0;
        }
        System.err.println("HTTP " + response.statusCode() + ": " + response.body());
        return 1;
    }

    /** {@code config apply FILE}. */
    @Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Validate and apply a configuration document; prints the applied account versions or every problem.")
    static final class Apply implements Callable<Integer>
    {
        @ParentCommand
        ConfigCommand parent;

        @Parameters(paramLabel = "FILE", description = "The configuration document (JSON).")
        Path file;

        @Override
        public Integer call() throws IOException, InterruptedException
        {
            if (parent.checkToken() != 0)
            {
                return 2;
            }
            final byte[] document = Files.readAllBytes(file);
            return report(parent.send(HttpRequest.newBuilder(URI.create(parent.url + "/admin/config"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(document))));
        }
    }

    /** {@code config export ACCOUNT_ID}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
        description = "Print one account's configuration document (HA1 values, never passwords).")
    static final class Export implements Callable<Integer>
    {
        @ParentCommand
        ConfigCommand parent;

        @Parameters(paramLabel = "ACCOUNT_ID", description = "The account id (acc_…).")
        String accountId;

        @Override
        public Integer call() throws IOException, InterruptedException
        {
            if (parent.checkToken() != 0)
            {
                return 2;
            }
            return report(parent.send(HttpRequest.newBuilder(URI.create(parent.url + "/admin/config/" + accountId)).GET()));
        }
    }
}
