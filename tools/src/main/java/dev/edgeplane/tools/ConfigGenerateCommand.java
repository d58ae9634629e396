package dev.edgeplane.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.edgeplane.codec.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeplane config generate}: prints a large generated configuration document ({@link ConfigGenerator}) for
 * benchmarks, to be applied with {@code config apply} and driven with {@code load --config}.
 *
 * <p>Threading: picocli calls {@link #call()} once on the main thread.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Print a generated benchmark configuration document (deterministic from --seed).",
        "Accounts a<i>.bench.example; devices 1001.. with password pw-<i>-<j>; unique DIDs +1<10 digits>, half to a"
            + " gather -> hangup flow, the rest to the devices; trunks +1 and +44."})
final class ConfigGenerateCommand implements Callable<Integer>
{
    /** The admin API's limit on a document ({@code AdminConfigHandlers.MAX_DOCUMENT_BYTES}). */
    private static final int ADMIN_API_MAX_BYTES = 8 << 20;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--accounts", defaultValue = "100", description = "Accounts (default ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--devices-per-account", defaultValue = "10", description = "Devices per account (default ${DEFAULT-VALUE}).")
    int devicesPerAccount;

    @Option(names = "--dids-per-account", defaultValue = "10", description = "DIDs per account (default ${DEFAULT-VALUE}).")
    int didsPerAccount;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated ids (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-channels", defaultValue = "1000000",
        description = "Every account's max_channels (default ${DEFAULT-VALUE}, so benchmarks are not limited by CAC).")
    int maxChannels;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the document here (default: standard output).")
    Path out;

    @Override
    public Integer call() throws IOException
    {
        final ConfigGenerator.Options options;
        try
        {
            options = new ConfigGenerator.Options(accounts, devicesPerAccount, didsPerAccount, seed, maxChannels);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        final byte[] document = render(options);
        if (out == null)
        {
            System.out.write(document);
            System.out.flush();
        }
        else
        {
            Files.write(out, document);
        }
        if (document.length > ADMIN_API_MAX_BYTES)
        {
            System.err.printf("config generate: the document is %d bytes; POST /admin/config accepts at most %d,"
                + " so apply it in parts (fewer --accounts per document)%n", document.length, ADMIN_API_MAX_BYTES);
        }
        return 0;
    }

    /**
     * @param options what to generate.
     * @return the document, pretty-printed UTF-8 JSON with a final newline.
     * @throws IOException never for the in-memory target; declared by the generator.
     */
    static byte[] render(final ConfigGenerator.Options options) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        try (JsonGenerator g = Json.factory().createGenerator((OutputStream)bytes, JsonEncoding.UTF8))
        {
            // The layout of examples/demo-config.json: "key": value, one array element per line, two-space indent.
            final DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
            g.setPrettyPrinter(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter));
            Json.writeValue(g, ConfigGenerator.generate(options));
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }
}
