package dev.edgeplane.telapi;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the TelAPI surface runs, built from {@link TelapiSettings}: web-user and call token
 * checks, the WebRTC configuration, the ARI client and its fan-out hub, and the TTS media cache
 * client, OpenTelemetry export; and the start-up lines that say what is used and what is not
 * ({@code REDIS_*}, {@code OTEL_ENABLED}, the media cache {@code tlsDiag}).
 *
 * <p>Immutable after {@link #start}; its parts document their own threading.
 */
public final class TelapiGateway implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(TelapiGateway.class);

    private final TelapiSettings settings;
    private final WebUserTokens webUsers;
    private final CallTokens callTokens;
    private final Map<String, Object> webrtc;
    private final ChannelHub hub;
    private final AriClient ari;
    private final TtsMediaCache mediaCache;
    private final TelapiTelemetry telemetry;

    private TelapiGateway(final TelapiSettings settings, final Clock clock)
    {
        this.settings = settings;
        this.webUsers = new WebUserTokens(settings.jwtSecret(), clock);
        this.callTokens = settings.jwtSecret() == null ? null : new CallTokens(settings.jwtSecret(), settings.callTokenTtl(), clock);
        this.webrtc = webrtc(settings.domainTelpro());
        this.hub = new ChannelHub();
        this.ari = settings.ariUrl() == null ? null : new AriClient(settings, hub);
        hub.ari(ari);
        this.mediaCache = TtsMediaCache.from(settings);
        this.telemetry = TelapiTelemetry.start(settings, settings.environment(), hub);
    }

    /** Builds the gateway, logs what it uses, and connects to ARI when {@code ARI_URL} is set. */
    public static TelapiGateway start(final TelapiSettings settings, final Clock clock)
    {
        final TelapiGateway g = new TelapiGateway(settings, clock);
        g.announce();
        if (g.ari != null)
        {
            g.ari.start();
        }
        return g;
    }

    private void announce()
    {
        final List<String> redis = settings.redisVariablesSet();
        if (!redis.isEmpty())
        {
            LOG.info("{} set but not used: Edgeplane keeps this state off-heap (Chronicle Map under EDGEPLANE_DATA_DIR/state) "
                + "instead of Redis", String.join(", ", redis));
        }
        if (telemetry.exporting())
        {
            LOG.info("OpenTelemetry: exporting TelAPI traces and metrics over OTLP/HTTP to {} (W3C traceparent honoured on the "
                + "TelAPI listener only; the other listeners do not read it yet)", telemetry.endpoint());
        }
        if (settings.jwtSecret() == null)
        {
            LOG.warn("JWT_SECRET is not set: POST /tokens/call and /ws/channel answer 401/503 until it is");
        }
        if (settings.domainTelpro() == null)
        {
            LOG.warn("DOMAIN_TELPRO is not set: POST /tokens/call answers 503 (no WebRTC configuration)");
        }
        if (settings.ariUrl() == null)
        {
            LOG.warn("ARI_URL is not set: GET /ws/channel answers 503");
        }
        if (mediaCache != null)
        {
            LOG.info("{} tlsDiag={}", MediaCacheTls.STARTUP_LINE, diagText(mediaCache.diag()));
        }
        else
        {
            LOG.info("{} tlsDiag={}", MediaCacheTls.STARTUP_LINE, "{mediaCacheTlsMode=disabled (TTS_MEDIA_CACHE_BASE_URL unset)}");
        }
    }

    static String diagText(final Map<String, Object> diag)
    {
        final StringBuilder b = new StringBuilder("{");
        for (final Map.Entry<String, Object> e : diag.entrySet())
        {
            if (b.length() > 1)
            {
                b.append(", ");
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.append('}').toString();
    }

    /**
     * The WebRTC configuration of a call token, from {@code DOMAIN_TELPRO}: Asterisk's WebSocket SIP
     * transport ({@code wss://<domain>:8089/ws}, Asterisk's default TLS HTTP port and path), the SIP
     * domain, and a STUN server on the same host (3478).
     */
    static Map<String, Object> webrtc(final String domain)
    {
        if (domain == null)
        {
            return null;
        }
        final String host = domain.replaceFirst("^[a-z]+://", "").replaceFirst("/.*$", "");
        final Map<String, Object> ice = new LinkedHashMap<>();
        ice.put("urls", List.of("stun:" + hostOnly(host) + ":3478"));
        final Map<String, Object> w = new LinkedHashMap<>();
        w.put("domain", host);
        w.put("sipDomain", hostOnly(host));
        w.put("wsServer", "wss://" + (host.contains(":") ? host : host + ":8089") + "/ws");
        w.put("iceServers", List.of(ice));
        return w;
    }

    private static String hostOnly(final String host)
    {
        final int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    public TelapiSettings settings()
    {
        return settings;
    }

    public WebUserTokens webUsers()
    {
        return webUsers;
    }

    /** @return null when {@code JWT_SECRET} is unset. */
    public CallTokens callTokens()
    {
        return callTokens;
    }

    /** @return null when {@code DOMAIN_TELPRO} is unset. */
    public Map<String, Object> webrtc()
    {
        return webrtc;
    }

    public ChannelHub hub()
    {
        return hub;
    }

    /** @return null when {@code ARI_URL} is unset. */
    public AriClient ari()
    {
        return ari;
    }

    /** @return the OpenTelemetry exporter (a no-op when {@code OTEL_ENABLED=false}). */
    public TelapiTelemetry telemetry()
    {
        return telemetry;
    }

    /** @return null when {@code TTS_MEDIA_CACHE_BASE_URL} is unset. */
    public TtsMediaCache mediaCache()
    {
        return mediaCache;
    }

    @Override
    public void close()
    {
        if (ari != null)
        {
            ari.close();
        }
        hub.close();
        telemetry.close();
        if (mediaCache != null)
        {
            mediaCache.close();
        }
    }
}
