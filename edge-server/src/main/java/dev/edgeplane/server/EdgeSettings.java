package dev.edgeplane.server;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every knob of the edge server as a name + default pair, read once from the environment
 * (Aeron {@code Configuration} style). Names the seeds give are the contract; the rest are
 * prefixed {@code EDGEPLANE_}. The README's configuration table lists the same names.
 *
 * <p>Immutable and thread-safe.
 */
public final class EdgeSettings
{
    public static final String DATA_DIR = "EDGEPLANE_DATA_DIR";
    public static final String DATA_DIR_DEFAULT = "./data";

    /** Comma list of surfaces to serve: control-plane, telapi, services, relay (default all). */
    public static final String SURFACES = "EDGEPLANE_SURFACES";
    public static final String BIND_ADDRESS = "EDGEPLANE_BIND_ADDRESS";
    public static final String BIND_ADDRESS_DEFAULT = "0.0.0.0";

    /** Event-loop threads; 0 means one per core. */
    public static final String IO_THREADS = "EDGEPLANE_IO_THREADS";
    /** auto (epoll where available, else NIO), epoll or nio. */
    public static final String TRANSPORT = "EDGEPLANE_TRANSPORT";

    public static final String MAX_BODY_BYTES = "EDGEPLANE_MAX_BODY_BYTES";
    public static final int MAX_BODY_BYTES_DEFAULT = 1 << 20;
    public static final String MAX_HEADER_BYTES = "EDGEPLANE_MAX_HEADER_BYTES";
    public static final int MAX_HEADER_BYTES_DEFAULT = 8 * 1024;
    public static final String MAX_INITIAL_LINE_BYTES = "EDGEPLANE_MAX_INITIAL_LINE_BYTES";
    public static final int MAX_INITIAL_LINE_BYTES_DEFAULT = 4 * 1024;
    /** A connection with no request in flight and no bytes for this long is closed. */
    public static final String IDLE_TIMEOUT_MS = "EDGEPLANE_IDLE_TIMEOUT_MS";
    public static final long IDLE_TIMEOUT_MS_DEFAULT = 60_000;
    /** A request whose head and body have not fully arrived this long after its first byte gets 408. */
    public static final String REQUEST_TIMEOUT_MS = "EDGEPLANE_REQUEST_TIMEOUT_MS";
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 10_000;
    /** How long graceful shutdown waits for in-flight requests before closing connections. */
    public static final String SHUTDOWN_GRACE_MS = "EDGEPLANE_SHUTDOWN_GRACE_MS";
    public static final long SHUTDOWN_GRACE_MS_DEFAULT = 10_000;
    /** Seconds a client is told to wait ({@code Retry-After}) when a shard queue is full. */
    public static final String RETRY_AFTER_S = "EDGEPLANE_RETRY_AFTER_S";
    public static final int RETRY_AFTER_S_DEFAULT = 1;
    /** Period of the background health probe (PostgreSQL ping, journal, stores). */
    public static final String HEALTH_PROBE_MS = "EDGEPLANE_HEALTH_PROBE_MS";
    public static final long HEALTH_PROBE_MS_DEFAULT = 1_000;

    /** true: one access-log line per answered request (logger {@code edgeplane.access}); off by default. */
    public static final String ACCESS_LOG = "EDGEPLANE_ACCESS_LOG";
    /** Most connections each listener holds open; 0: an equal share of the file-descriptor limit (ConnectionLimit). */
    public static final String MAX_CONNECTIONS = "EDGEPLANE_MAX_CONNECTIONS";

    /** PEM certificate chain and PKCS#8 key for TLS; both set turns TLS on (see {@link #TLS_LISTENERS}). */
    public static final String TLS_CERT_FILE = "EDGEPLANE_TLS_CERT_FILE";
    public static final String TLS_KEY_FILE = "EDGEPLANE_TLS_KEY_FILE";
    /** Listeners that speak TLS when a certificate is set (comma-separated surface names); blank: all. */
    public static final String TLS_LISTENERS = "EDGEPLANE_TLS_LISTENERS";
    /** How often the certificate and key files are checked for a change (they are also reloaded on SIGHUP). */
    public static final String TLS_RELOAD_MS = "EDGEPLANE_TLS_RELOAD_MS";
    public static final long TLS_RELOAD_MS_DEFAULT = 10_000;
    /** Listeners whose connections start with a HAProxy PROXY protocol header (v1 or v2); blank: none. */
    public static final String PROXY_PROTOCOL = "EDGEPLANE_PROXY_PROTOCOL";
    /**
     * Proxies whose word about the client is taken: a PROXY header only from these (when set), an
     * {@code X-Forwarded-For} only from these (never when unset).
     */
    public static final String TRUSTED_PROXIES = "EDGEPLANE_TRUSTED_PROXIES";
    /**
     * Browser origins ({@code scheme://host[:port]}, comma-separated) whose pages may open the
     * control plane's {@code /debug} monitor; an upgrade that carries any other {@code Origin} is
     * refused. Clients that send no {@code Origin} (tools, scripts) are not browsers and pass.
     */
    public static final String DEBUG_ORIGINS = "EDGEPLANE_DEBUG_ORIGINS";
    /**
     * Most seconds of warm-up traffic against a throwaway server before the listeners open ({@link WarmUp});
     * it ends sooner once the JIT has compiled the hot path. 0: none.
     */
    public static final String WARMUP_S = "EDGEPLANE_WARMUP_S";
    public static final long WARMUP_S_DEFAULT = 10;

    public static final String ADMIN_TOKEN = "ADMIN_TOKEN";
    public static final String CONTROL_PLANE_ALLOW_CIDRS = "CONTROL_PLANE_ALLOW_CIDRS";
    public static final String MEDIA_NODE_CIDRS = "MEDIA_NODE_CIDRS";
    public static final String LOOPBACK_CIDRS = "127.0.0.0/8,::1/128";

    private final Map<String, String> env;
    private final Path dataDir;
    private final EnumMap<SurfaceKind, Integer> ports = new EnumMap<>(SurfaceKind.class);
    private final Set<SurfaceKind> surfaces;
    private final String bindAddress;
    private final int ioThreads;
    private final String transport;
    private final int maxBodyBytes;
    private final int maxHeaderBytes;
    private final int maxInitialLineBytes;
    private final long idleTimeoutMs;
    private final long requestTimeoutMs;
    private final long shutdownGraceMs;
    private final int retryAfterSeconds;
    private final long healthProbeMs;
    private final int maxConnections;
    private final boolean accessLog;
    private final Path tlsCertFile;
    private final Path tlsKeyFile;
    private final Set<SurfaceKind> tlsListeners;
    private final long tlsReloadMs;
    private final Set<SurfaceKind> proxyProtocol;
    private final CidrAllowList trustedProxies;
    private final Set<String> debugOrigins;
    private final long warmUpSeconds;
    private final String adminToken;
    private final CidrAllowList controlPlaneAllow;
    private final CidrAllowList mediaNodes;

    private EdgeSettings(final Map<String, String> env)
    {
        this.env = Map.copyOf(env);
        this.dataDir = Path.of(value(DATA_DIR, DATA_DIR_DEFAULT)).toAbsolutePath().normalize();
        for (final SurfaceKind kind : SurfaceKind.values())
        {
            ports.put(kind, intValue(kind.portVariable(), kind.defaultPort(), 0, 65_535));
        }
        this.surfaces = surfaceList(SURFACES, value(SURFACES, ""), EnumSet.allOf(SurfaceKind.class));
        this.bindAddress = value(BIND_ADDRESS, BIND_ADDRESS_DEFAULT);
        this.ioThreads = intValue(IO_THREADS, 0, 0, 1024);
        this.transport = value(TRANSPORT, "auto").toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "epoll", "nio").contains(transport))
        {
            throw new IllegalArgumentException(TRANSPORT + " must be auto, epoll or nio, not '" + transport + "'");
        }
        this.maxBodyBytes = intValue(MAX_BODY_BYTES, MAX_BODY_BYTES_DEFAULT, 0, Integer.MAX_VALUE);
        this.maxHeaderBytes = intValue(MAX_HEADER_BYTES, MAX_HEADER_BYTES_DEFAULT, 1024, 1 << 20);
        this.maxInitialLineBytes = intValue(MAX_INITIAL_LINE_BYTES, MAX_INITIAL_LINE_BYTES_DEFAULT, 256, 1 << 20);
        this.idleTimeoutMs = longValue(IDLE_TIMEOUT_MS, IDLE_TIMEOUT_MS_DEFAULT);
        this.requestTimeoutMs = longValue(REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS_DEFAULT);
        this.shutdownGraceMs = longValue(SHUTDOWN_GRACE_MS, SHUTDOWN_GRACE_MS_DEFAULT);
        this.retryAfterSeconds = intValue(RETRY_AFTER_S, RETRY_AFTER_S_DEFAULT, 1, 3600);
        this.healthProbeMs = longValue(HEALTH_PROBE_MS, HEALTH_PROBE_MS_DEFAULT);
        this.maxConnections = intValue(MAX_CONNECTIONS, 0, 0, Integer.MAX_VALUE);
        this.accessLog = Boolean.parseBoolean(value(ACCESS_LOG, "false").trim());
        final String cert = value(TLS_CERT_FILE, null);
        final String key = value(TLS_KEY_FILE, null);
        if ((cert == null) != (key == null))
        {
            throw new IllegalArgumentException("TLS needs both " + TLS_CERT_FILE + " and " + TLS_KEY_FILE + ", or neither");
        }
        this.tlsCertFile = cert == null ? null : Path.of(cert).toAbsolutePath();
        this.tlsKeyFile = key == null ? null : Path.of(key).toAbsolutePath();
        this.tlsListeners = cert == null ? EnumSet.noneOf(SurfaceKind.class)
            : surfaceList(TLS_LISTENERS, value(TLS_LISTENERS, ""), EnumSet.allOf(SurfaceKind.class));
        this.tlsReloadMs = Math.max(100, longValue(TLS_RELOAD_MS, TLS_RELOAD_MS_DEFAULT));
        this.proxyProtocol = surfaceList(PROXY_PROTOCOL, value(PROXY_PROTOCOL, ""), EnumSet.noneOf(SurfaceKind.class));
        this.trustedProxies = CidrAllowList.parse(TRUSTED_PROXIES, value(TRUSTED_PROXIES, ""));
        this.debugOrigins = origins(DEBUG_ORIGINS, value(DEBUG_ORIGINS, ""));
        this.warmUpSeconds = Math.min(600, longValue(WARMUP_S, WARMUP_S_DEFAULT));
        this.adminToken = value(ADMIN_TOKEN, "");
        this.controlPlaneAllow = CidrAllowList.parse(CONTROL_PLANE_ALLOW_CIDRS, value(CONTROL_PLANE_ALLOW_CIDRS, LOOPBACK_CIDRS));
        this.mediaNodes = CidrAllowList.parse(MEDIA_NODE_CIDRS, value(MEDIA_NODE_CIDRS, LOOPBACK_CIDRS));
    }

    /** Reads the process environment. */
    public static EdgeSettings fromEnvironment()
    {
        return new EdgeSettings(System.getenv());
    }

    /** Reads the given variables (tests and the CLI pass their own). */
    public static EdgeSettings from(final Map<String, String> env)
    {
        return new EdgeSettings(env);
    }

    /** @return a copy with some variables replaced. */
    public EdgeSettings with(final Map<String, String> overrides)
    {
        final Map<String, String> merged = new HashMap<>(env);
        merged.putAll(overrides);
        return new EdgeSettings(merged);
    }

    /** @return the raw variables, for the layers that read their own (persistence, journal). */
    public Map<String, String> environment()
    {
        return env;
    }

    /** @return a variable's value, or {@code dflt} when unset or blank. */
    public String value(final String name, final String dflt)
    {
        final String v = env.get(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private long longValue(final String name, final long dflt)
    {
        final String v = value(name, null);
        if (v == null)
        {
            return dflt;
        }
        try
        {
            final long parsed = Long.parseLong(v);
            if (parsed < 0)
            {
                throw new NumberFormatException();
            }
            return parsed;
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be a non-negative integer, not '" + v + "'");
        }
    }

    private int intValue(final String name, final int dflt, final int min, final int max)
    {
        final long v = longValue(name, dflt);
        if (v < min || v > max)
        {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + v);
        }
        return (int)v;
    }

    private static Set<String> origins(final String variable, final String list)
    {
        final Set<String> origins = new HashSet<>();
        for (final String item : list.split(","))
        {
            final String origin = item.trim().toLowerCase(Locale.ROOT);
            if (origin.isEmpty())
            {
                continue;
            }
            if (!origin.matches("https?://[^/?#\\s]+"))
            {
                throw new IllegalArgumentException(variable + ": '" + item.trim() + "' is not an origin (scheme://host[:port])");
            }
            origins.add(origin);
        }
        return Set.copyOf(origins);
    }

    private static Set<SurfaceKind> surfaceList(final String variable, final String list, final Set<SurfaceKind> whenBlank)
    {
        if (list.isBlank())
        {
            return whenBlank;
        }
        final EnumSet<SurfaceKind> set = EnumSet.noneOf(SurfaceKind.class);
        for (final String name : list.split(","))
        {
            final String trimmed = name.trim();
            if (trimmed.isEmpty())
            {
                continue;
            }
            final SurfaceKind kind = SurfaceKind.byName(trimmed);
            if (kind == null)
            {
                throw new IllegalArgumentException(
                    variable + " lists unknown surface '" + trimmed + "' (known: control-plane, telapi, services, relay)");
            }
            set.add(kind);
        }
        return set;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public boolean serves(final SurfaceKind kind)
    {
        return surfaces.contains(kind);
    }

    public int port(final SurfaceKind kind)
    {
        return ports.get(kind);
    }

    public String bindAddress()
    {
        return bindAddress;
    }

    public int ioThreads()
    {
        return ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads;
    }

    public String transport()
    {
        return transport;
    }

    public int maxBodyBytes()
    {
        return maxBodyBytes;
    }

    public int maxHeaderBytes()
    {
        return maxHeaderBytes;
    }

    public int maxInitialLineBytes()
    {
        return maxInitialLineBytes;
    }

    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    public long shutdownGraceMs()
    {
        return shutdownGraceMs;
    }

    public int retryAfterSeconds()
    {
        return retryAfterSeconds;
    }

    public long healthProbeMs()
    {
        return healthProbeMs;
    }

    /** @return the PEM certificate chain when TLS is configured, else null. */
    public Path tlsCertFile()
    {
        return tlsCertFile;
    }

    /** @return whether {@code kind}'s listener speaks TLS. */
    public boolean tls(final SurfaceKind kind)
    {
        return tlsListeners.contains(kind);
    }

    /** @return the PKCS#8 PEM private key when TLS is configured, else null. */
    public Path tlsKeyFile()
    {
        return tlsKeyFile;
    }

    public long tlsReloadMs()
    {
        return tlsReloadMs;
    }

    /** @return whether {@code kind}'s listener expects a PROXY protocol header on every connection. */
    public boolean proxyProtocol(final SurfaceKind kind)
    {
        return proxyProtocol.contains(kind);
    }

    /**
     * @param origin a request's {@code Origin} header, or null when it has none.
     * @return whether a browser page from that origin may open the {@code /debug} monitor.
     */
    public boolean debugOriginAllowed(final String origin)
    {
        return origin == null || debugOrigins.contains(origin.trim().toLowerCase(Locale.ROOT));
    }

    /** @return most seconds of warm-up traffic before the listeners open (0: none). */
    public long warmUpSeconds()
    {
        return warmUpSeconds;
    }

    /** @return the proxies trusted to name the client (empty: none). */
    public CidrAllowList trustedProxies()
    {
        return trustedProxies;
    }

    /** @return whether every answered request is logged to {@code edgeplane.access}. */
    public boolean accessLog()
    {
        return accessLog;
    }

    /** @return the configured connection cap per listener, 0 for automatic. */
    public int maxConnections()
    {
        return maxConnections;
    }

    /** @return the admin token, empty when none is configured (then token access is off). */
    public String adminToken()
    {
        return adminToken;
    }

    public CidrAllowList controlPlaneAllow()
    {
        return controlPlaneAllow;
    }

    public CidrAllowList mediaNodes()
    {
        return mediaNodes;
    }
}
