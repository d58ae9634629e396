package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** With {@code EDGEPLANE_ACCESS_LOG=true} every answered request is one line with its outcome; queries are never logged. */
class AccessLogTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldLogOneLinePerAnsweredRequest() throws Exception
    {
        final Logger access = (Logger)LoggerFactory.getLogger("edgeplane.access");
        final ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try (EdgeServer server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("access_log"),
            Map.of(EdgeSettings.ACCESS_LOG, "true")))
        {
            final int telapi = server.port(SurfaceKind.TELAPI);
            final HttpResponse<String> ok = TestServers.get(telapi, "/metrics?token=secret-value");
            final HttpResponse<String> missing = TestServers.get(telapi, "/no/such/thing");
            assertEquals(200, ok.statusCode());
            assertEquals(404, missing.statusCode());

            final List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(2, logged.size(), String.valueOf(logged));
            final String first = logged.get(0);
            assertTrue(first.startsWith("surface=telapi method=GET path=/metrics route=/metrics status=200 latency_us="), first);
            assertTrue(first.contains("request_id=" + ok.headers().firstValue("x-request-id").orElseThrow()), first);
            assertTrue(first.contains("client=127.0.0.1"), first);
            assertFalse(first.contains("secret-value"), "the query string is not logged: " + first);
            assertTrue(logged.get(1).contains("path=/no/such/thing route=- status=404"), logged.get(1));
        }
        finally
        {
            access.detachAppender(lines);
        }
    }
}
