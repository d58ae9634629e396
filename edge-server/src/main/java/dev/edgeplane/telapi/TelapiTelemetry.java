package dev.edgeplane.telapi;

import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;

import dev.edgeplane.server.HttpExchange;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

/**
 * OpenTelemetry for the TelAPI gateway when {@code OTEL_ENABLED} is true: traces and metrics exported
 * over OTLP/HTTP (protobuf) through the OpenTelemetry SDK to {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * (default {@code http://localhost:4318}, the collector sidecar), W3C {@code traceparent} honoured on
 * the TelAPI routes and propagated to ARI REST calls. When false, a no-op: spans cost nothing and
 * nothing is sent.
 *
 * <p>Spans: {@code POST /tokens/call} and {@code GET /ws/channel} (server), one per browser command
 * ({@code telapi.command <op>}, client, with the ARI call's status). Metrics (observable):
 * {@code telapi.channel.sessions}, {@code telapi.ari.connected}, {@code telapi.ari.events},
 * {@code telapi.events.delivered}, {@code telapi.events.unrouted}.
 *
 * <p>Thread-safe: the SDK's tracer and exporters are.
 */
public final class TelapiTelemetry implements AutoCloseable
{
    public static final String OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public static final String OTLP_ENDPOINT_DEFAULT = "http://localhost:4318";
    public static final String SERVICE_NAME = "OTEL_SERVICE_NAME";
    public static final String SERVICE_NAME_DEFAULT = "edgeplane-telapi";
    /** Standard SDK knobs, milliseconds. */
    public static final String BSP_SCHEDULE_DELAY = "OTEL_BSP_SCHEDULE_DELAY";
    public static final String METRIC_EXPORT_INTERVAL = "OTEL_METRIC_EXPORT_INTERVAL";

    private static final TextMapGetter<HttpExchange> HEADERS = new TextMapGetter<>()
    {
        @Override
        public Iterable<String> keys(final HttpExchange carrier)
        {
            return carrier.requestHeaders().names();
        }

        @Override
        public String get(final HttpExchange carrier, final String key)
        {
            return carrier == null ? null : carrier.header(key);
        }
    };
    private static final long SHUTDOWN_WAIT_SECONDS = 2;
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private final OpenTelemetry otel;
    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final String endpoint;

    private TelapiTelemetry(final OpenTelemetry otel, final OpenTelemetrySdk sdk, final String endpoint)
    {
        this.otel = otel;
        this.sdk = sdk;
        this.endpoint = endpoint;
        this.tracer = otel.getTracer("dev.edgeplane.telapi");
    }

    /** Builds the SDK when enabled (else a no-op) and registers the gateway's gauges. */
    static TelapiTelemetry start(final TelapiSettings settings, final Map<String, String> env, final ChannelHub hub)
    {
        if (!settings.otelEnabled())
        {
            return new TelapiTelemetry(OpenTelemetry.noop(), null, null);
        }
        final String base = value(env, OTLP_ENDPOINT, OTLP_ENDPOINT_DEFAULT).replaceAll("/+$", "");
        final Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), value(env, SERVICE_NAME, SERVICE_NAME_DEFAULT))));
        final SdkTracerProvider traces = SdkTracerProvider.builder().setResource(resource)
            .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces").build())
                .setScheduleDelay(Duration.ofMillis(millis(env, BSP_SCHEDULE_DELAY, 5000))).build())
            .build();
        final SdkMeterProvider metrics = SdkMeterProvider.builder().setResource(resource)
            // No retries for periodic metrics (the next period carries the same values), so a missing collector never
            // stretches a shutdown.
            .registerMetricReader(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder().setEndpoint(base + "/v1/metrics")
                    .setRetryPolicy(null).build())
                .setInterval(Duration.ofMillis(millis(env, METRIC_EXPORT_INTERVAL, 60_000))).build())
            .build();
        final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(traces).setMeterProvider(metrics).build();
        final Meter meter = sdk.getMeter("dev.edgeplane.telapi");
        meter.gaugeBuilder("telapi.channel.sessions").ofLongs().setDescription("Browser channel WebSockets open.")
            .buildWithCallback(m -> m.record(hub.sessions()));
        meter.gaugeBuilder("telapi.ari.connected").ofLongs().setDescription("1 while the ARI events WebSocket is up.")
            .buildWithCallback(m -> m.record(hub.ariConnected() ? 1 : 0));
        meter.counterBuilder("telapi.ari.events").setDescription("ARI events received.").buildWithCallback(m -> m.record(hub.eventsIn()));
        meter.counterBuilder("telapi.events.delivered").setDescription("ARI events queued to browsers.")
            .buildWithCallback(m -> m.record(hub.delivered()));
        meter.counterBuilder("telapi.events.unrouted").setDescription("ARI events no browser watched.")
            .buildWithCallback(m -> m.record(hub.unrouted()));
        return new TelapiTelemetry(sdk, sdk, base);
    }

    private static String value(final Map<String, String> env, final String name, final String dflt)
    {
        final String v = env.get(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private static long millis(final Map<String, String> env, final String name, final long dflt)
    {
        final String v = value(env, name, null);
        try
        {
            return v == null ? dflt : Math.max(1, Long.parseLong(v));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be milliseconds, not '" + v + "'");
        }
    }

    /** @return true when spans and metrics are exported. */
    public boolean exporting()
    {
        return sdk != null;
    }

    /** @return the OTLP base URL, or null when not exporting. */
    public String endpoint()
    {
        return endpoint;
    }

    /** Starts a server span for a request, a child of its W3C {@code traceparent} when it sends one. */
    Span serverSpan(final String name, final HttpExchange ex)
    {
        final Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), ex, HEADERS);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
    }

    /** Starts a client span for an outbound call (a new trace when {@code parent} is root). */
    Span clientSpan(final String name, final Context parent)
    {
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.CLIENT).startSpan();
    }

    /** Writes {@code traceparent} for a span into outbound headers. */
    static void inject(final Span span, final BiConsumer<String, String> header)
    {
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), header, (h, k, v) -> h.accept(k, v));
    }

    /** Ends a server span with its HTTP status (5xx marks it an error). */
    static void end(final Span span, final int status)
    {
        span.setAttribute(STATUS, (long)status);
        if (status >= 500)
        {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    @Override
    public void close()
    {
        if (sdk != null)
        {
            // Flushes what is batched, but never holds a graceful shutdown for long when the collector is away.
            sdk.shutdown().join(SHUTDOWN_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
