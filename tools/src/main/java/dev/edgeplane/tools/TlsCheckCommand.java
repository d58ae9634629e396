package dev.edgeplane.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.edgeplane.telapi.MediaCacheTls;
import dev.edgeplane.telapi.TelapiSettings;
import dev.edgeplane.telapi.TtsMediaCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane tls-check}: reproduces the TTS media cache client's TLS handshake with exactly the
 * server's trust (the decoded {@code TTS_MEDIA_CACHE_CA_BUNDLE}), prints the sanitized {@code tlsDiag}
 * and the certificate chain the media host presents, and explains a failure (the seed's
 * {@code check-tts-media-cache-tls.sh}). Exit 0: handshake and an HTTP answer; 1: it failed; 2: the
 * settings cannot work.
 */
@Command(name = "tls-check", mixinStandardHelpOptions = true,
    description = "Check TLS to the TTS media cache with the same trust as the server, and explain a failure.")
final class TlsCheckCommand implements Callable<Integer>
{
    @Option(names = "--env-file", description = "KEY=VALUE file overlaid on the process environment.")
    Path envFile;

    @Option(names = "--base-url", description = "Overrides TTS_MEDIA_CACHE_BASE_URL.")
    String baseUrl;

    @Option(names = "--ca-bundle-file", description = "Reads TTS_MEDIA_CACHE_CA_BUNDLE (raw or base64 PEM) from a file.")
    Path caBundleFile;

    @Option(names = "--timeout-ms", defaultValue = "5000", description = "Connect / request timeout (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Map<String, String> env = EnvFile.effective(System.getenv(), envFile);
        if (baseUrl != null)
        {
            env.put(TelapiSettings.MEDIA_CACHE_BASE_URL, baseUrl);
        }
        if (caBundleFile != null)
        {
            env.put(TelapiSettings.MEDIA_CACHE_CA_BUNDLE, Files.readString(caBundleFile));
        }
        final TelapiSettings settings = TelapiSettings.from(env);
        if (settings.mediaCacheBaseUrl() == null)
        {
            out.println("TTS_MEDIA_CACHE_BASE_URL is not set (or pass --base-url): nothing to check");
            out.flush();
            return 2;
        }
        try (TtsMediaCache cache = new TtsMediaCache(settings.mediaCacheBaseUrl(), settings.mediaCacheUploadToken(),
            MediaCacheTls.fromBundle(settings.mediaCacheCaBundle()), Duration.ofMillis(timeoutMs)))
        {
            out.println(MediaCacheTls.STARTUP_LINE + " tlsDiag=" + cache.diag());
            if (cache.configProblem() != null)
            {
                out.println("FAIL: " + cache.configProblem());
                out.flush();
                return 2;
            }
            final int port = cache.base().getPort() > 0 ? cache.base().getPort() : 443;
            try
            {
                final List<String> chain = MediaCacheTls.presentedChain(cache.base().getHost(), port, (int)timeoutMs);
                out.println("the media host presents " + chain.size() + " certificate(s):");
                for (final String line : chain)
                {
                    out.println("  " + line);
                }
            }
            catch (final java.io.IOException e)
            {
                out.println("could not read the media host's certificates: " + e);
            }
            final TtsMediaCache.Result r = cache.probe();
            if (r.status() == 0)
            {
                out.println("FAIL: " + r.error());
                out.flush();
                return 1;
            }
            out.println("OK: TLS handshake with " + cache.base().getHost() + ":" + port + " verified; HEAD / answered " + r.status());
            out.flush();
            return 0;
        }
    }
}
