package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the gateway says at start-up: REDIS_* and OTEL_ENABLED never ignored silently, the sanitized tlsDiag line. */
class StartupLinesTest
{
    private static List<String> startupLines(final Map<String, String> env)
    {
        final Logger logger = (Logger)LoggerFactory.getLogger(TelapiGateway.class);
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (TelapiGateway g = TelapiGateway.start(TelapiSettings.from(env), Clock.systemUTC()))
        {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
        finally
        {
            logger.detachAppender(appender);
        }
    }

    @Test
    void shouldSayRedisIsNotUsedAndWhereTelemetryGoes()
    {
        final List<String> lines = startupLines(Map.of("REDIS_HOST", "redis.internal", "REDIS_PASSWORD", "redis-pw-77",
            "OTEL_ENABLED", "true"));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("REDIS_HOST, REDIS_PASSWORD set but not used: Edgeplane keeps this state off-heap")),
            lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("OpenTelemetry: exporting TelAPI traces and metrics over OTLP/HTTP to "
            + "http://localhost:4318")), lines.toString());
        assertFalse(lines.toString().contains("redis-pw-77"));
        final List<String> quiet = startupLines(Map.of("OTEL_ENABLED", "false"));
        assertFalse(quiet.stream().anyMatch(l -> l.contains("REDIS") || l.contains("OpenTelemetry")), quiet.toString());
    }

    @Test
    void shouldLogOneSanitizedTlsBootstrapLine() throws Exception
    {
        final String pem = MediaCacheTlsTest.resource("media-ca.pem");
        final List<String> lines = startupLines(Map.of(
            "TTS_MEDIA_CACHE_BASE_URL", "https://media.internal:8443/cache",
            "TTS_MEDIA_CACHE_UPLOAD_TOKEN", "upload-secret-999",
            "TTS_MEDIA_CACHE_CA_BUNDLE", java.util.Base64.getEncoder().encodeToString(pem.getBytes()),
            "OTEL_ENABLED", "false"));
        final List<String> tls = lines.stream().filter(l -> l.startsWith(MediaCacheTls.STARTUP_LINE)).toList();
        assertEquals(1, tls.size(), lines.toString());
        final String line = tls.get(0);
        assertTrue(line.contains("mediaCacheTlsMode=" + MediaCacheTls.MODE_BASE64), line);
        assertTrue(line.contains("decodedCaBundleByteLength=" + pem.length()), line);
        assertTrue(line.contains("decodedCaLooksLikePem=true"), line);
        assertTrue(line.contains("mediaCacheHost=media.internal:8443"), line);
        assertFalse(line.contains("upload-secret-999") || line.contains("BEGIN CERTIFICATE") || line.contains("MIIB"), line);

        final String empty = startupLines(Map.of("TTS_MEDIA_CACHE_BASE_URL", "https://media.internal", "OTEL_ENABLED", "false"))
            .stream().filter(l -> l.startsWith(MediaCacheTls.STARTUP_LINE)).findFirst().orElseThrow();
        assertTrue(empty.contains("decodedCaBundleByteLength=0") && empty.contains("decodedCaLooksLikePem=false")
            && empty.contains("TTS_MEDIA_CACHE_CA_BUNDLE is empty"), empty);
    }
}
