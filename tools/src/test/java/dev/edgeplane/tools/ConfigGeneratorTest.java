package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.edgeplane.codec.Json;
import dev.edgeplane.controlplane.config.ConfigDocument;
import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.DeviceConfig;
import dev.edgeplane.persistence.config.DidConfig;
import dev.edgeplane.persistence.config.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code config generate}: the document the server's own validator accepts, deterministic from the seed. Applying it
 * through the admin API of a real server is covered by {@link LoadCommandTest}.
 */
class ConfigGeneratorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGenerateTheDefaultDocumentThatTheServerValidatorAccepts() throws Exception
    {
        final byte[] json = ConfigGenerateCommand.render(new ConfigGenerator.Options(100, 10, 10, 1, 1_000_000));

        final ConfigDocument.Parsed parsed = ConfigDocument.parse(json, 0, json.length);
        assertTrue(parsed.valid(), () -> new String(Json.write(parsed.problems()), StandardCharsets.UTF_8));
        assertEquals(100, parsed.accounts().size());
        final Set<String> dids = new HashSet<>();
        for (final AccountConfig account : parsed.accounts())
        {
            assertEquals(10, account.devices().size());
            assertEquals(10, account.dids().size());
            assertEquals(1_000_000, account.maxChannels());
            assertEquals(1, account.flows().size());
            assertEquals(2, account.trunks().size());
            long toFlow = 0;
            for (final DidConfig did : account.dids())
            {
                assertTrue(dids.add(did.number()), "DID " + did.number() + " twice");
                assertEquals(11, did.number().length(), did.number());
                assertTrue(did.number().startsWith("1"), did.number());
                toFlow += did.target().kind() == Target.Kind.FLOW ? 1 : 0;
            }
            assertEquals(5, toFlow, "half of the DIDs go to the flow");
        }
        final AccountConfig first = parsed.accounts().get(0);
        assertEquals("a1.bench.example", first.domain());
        final DeviceConfig device = first.devices().get(0);
        assertEquals("1001", device.username());
        assertEquals(dev.edgeplane.codec.SipDigest.ha1(dev.edgeplane.codec.DigestAlgorithm.MD5, "1001",
            "a1.bench.example", "pw-1-1"), device.ha1Md5());
        assertEquals("1010", first.devices().get(9).username());
        assertTrue(ConfigDocument.isId("acc_", first.id()), first.id());
        assertTrue(ConfigDocument.isId("dev_", device.id()), device.id());
    }

    @Test
    void shouldBeDeterministicFromTheSeed() throws Exception
    {
        final byte[] a = ConfigGenerateCommand.render(new ConfigGenerator.Options(3, 2, 2, 42, 10));
        final byte[] b = ConfigGenerateCommand.render(new ConfigGenerator.Options(3, 2, 2, 42, 10));
        final byte[] c = ConfigGenerateCommand.render(new ConfigGenerator.Options(3, 2, 2, 43, 10));

        assertArrayEquals(a, b);
        assertFalse(new String(a, StandardCharsets.UTF_8).equals(new String(c, StandardCharsets.UTF_8)));
        final CallDirectory directory = CallDirectory.parse(a);
        final CallDirectory other = CallDirectory.parse(c);
        assertNotEquals(directory.flows().get(0).accountId(), other.flows().get(0).accountId());
        assertEquals("+13100000000", directory.dids().get(0).number());
        assertEquals(other.dids().get(5).number(), directory.dids().get(5).number(), "DIDs do not depend on the seed");
        assertEquals(3, directory.flows().size());
        assertEquals(6, directory.devices().size());
    }

    @Test
    void shouldEncodeUlidShapedIds()
    {
        assertEquals("00000000000000000000000000", ConfigGenerator.ulid(0, 0, 0));
        assertEquals("7zzzzzzzzzzzzzzzzzzzzzzzzz", ConfigGenerator.ulid((1L << 48) - 1, 0xffff, -1L));
        // 2025-01-01T00:00:00Z is 01jgf… as a ULID timestamp.
        assertTrue(ConfigGenerator.ulid(1_735_689_600_000L, 1, 1).startsWith("01jgf"),
            ConfigGenerator.ulid(1_735_689_600_000L, 1, 1));
        assertEquals("0000000000" + "0000000000000001", ConfigGenerator.ulid(0, 0, 1));
        assertEquals("0000000000" + "0000000000000020", ConfigGenerator.ulid(0, 0, 64));
        assertEquals("0000000000" + "000g000000000000", ConfigGenerator.ulid(0, 1, 0), "the 16 high random bits");
    }

    @Test
    void shouldSendEveryDidToTheFlowWhenThereAreNoDevices()
    {
        final Map<String, Object> document = ConfigGenerator.generate(new ConfigGenerator.Options(1, 0, 3, 1, 5));
        final byte[] json = Json.write(document);
        final ConfigDocument.Parsed parsed = ConfigDocument.parse(json, 0, json.length);
        assertTrue(parsed.valid());
        for (final DidConfig did : parsed.accounts().get(0).dids())
        {
            assertEquals(Target.Kind.FLOW, did.target().kind());
        }
        assertThrows(IllegalArgumentException.class, () -> new ConfigGenerator.Options(0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConfigGenerator.Options(1, 1, 1, 1, 1_000_001));
    }

    @Test
    void shouldWriteTheDocumentToAFileFromTheCommandLine() throws Exception
    {
        final Path out = dir.resolve("bench.json");
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        final int exit;
        final int bad;
        try
        {
            exit = new CommandLine(new EdgeplaneCommand()).execute("config", "generate", "--accounts", "2",
                "--devices-per-account", "3", "--dids-per-account", "4", "--seed", "7", "--max-channels", "50",
                "--out", out.toString());
            bad = new CommandLine(new EdgeplaneCommand()).execute("config", "generate", "--accounts", "0");
        }
        finally
        {
            System.setErr(oldErr);
        }
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertEquals(2, bad);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--accounts must be at least 1"));
        final byte[] json = Files.readAllBytes(out);
        assertArrayEquals(ConfigGenerateCommand.render(new ConfigGenerator.Options(2, 3, 4, 7, 50)), json);
        final ConfigDocument.Parsed parsed = ConfigDocument.parse(json, 0, json.length);
        assertTrue(parsed.valid());
        assertEquals(50, parsed.accounts().get(1).maxChannels());
        assertEquals("a2.bench.example", parsed.accounts().get(1).domain());
    }
}
