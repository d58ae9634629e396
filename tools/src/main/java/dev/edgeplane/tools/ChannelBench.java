package dev.edgeplane.tools;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The TelAPI channel WebSocket benchmark: holds {@code sockets} browser WebSockets spread over
 * {@code channels} ARI channels on a running gateway, plays Asterisk ({@link AriEmulator}) emitting
 * {@code rate} channel events per second open-loop, and measures fan-out messages per second and the
 * delay from an event's intended emission time to its arrival in a browser (coordinated omission
 * corrected: a late emitter counts against the latency). Every frame is checked to belong to the
 * socket's own channel.
 *
 * <p>Threading: clients on their own Netty loops, the emitter on the calling thread.
 */
final class ChannelBench
{
    record Options(URI server, String jwtSecret, String ariHost, int ariPort, int sockets, int channels, int rate,
        int warmupSeconds, int durationSeconds, int clientThreads)
    {
    }

    private final Options o;
    private final PrintWriter out;
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder received = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger hellos = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private volatile boolean measuring;
    /** Only events intended at or after this are measured (warm-up backlog is not). */
    private volatile long measureFromNanos = Long.MAX_VALUE;

    ChannelBench(final Options options, final PrintWriter out)
    {
        this.o = options;
        this.out = out;
    }

    private final class Browser extends SimpleChannelInboundHandler<Object>
    {
        private final String channelMarker;

        Browser(final String channelId)
        {
            this.channelMarker = "\"id\":\"" + channelId + "\"";
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE)
            {
                open.incrementAndGet();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof TextWebSocketFrame text)
            {
                final long now = System.nanoTime();
                final ByteBuf buf = text.content();
                final String s = buf.toString(StandardCharsets.UTF_8);
                final int ts = s.indexOf("\"bench_ts\":");
                if (ts < 0)
                {
                    if (s.startsWith("{\"type\":\"hello\""))
                    {
                        hellos.incrementAndGet();
                    }
                    return;
                }
                if (!s.contains(channelMarker))
                {
                    misrouted.increment();
                }
                if (measuring)
                {
                    final int start = ts + 11;
                    int end = start;
                    while (end < s.length() && Character.isDigit(s.charAt(end)))
                    {
                        end++;
                    }
                    final long intended = Long.parseLong(s, start, end, 10);
                    if (intended >= measureFromNanos)
                    {
                        latency.recordValue(Math.max(0, now - intended));
                        received.increment();
                    }
                }
            }
            else if (msg instanceof CloseWebSocketFrame)
            {
                closedByServer.incrementAndGet();
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            open.decrementAndGet();
        }
    }

    int run() throws Exception
    {
        final Algorithm hs256 = Algorithm.HMAC256(o.jwtSecret().getBytes(StandardCharsets.UTF_8));
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(o.clientThreads(), NioIoHandler.newFactory());
        try (AriEmulator ari = new AriEmulator(o.ariHost(), o.ariPort()))
        {
            out.printf("ARI emulator on %s:%d; waiting for the gateway's events WebSocket (start it with ARI_URL=http://%s:%d)%n",
                o.ariHost(), o.ariPort(), o.ariHost(), o.ariPort());
            out.flush();
            final long ariDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ari.eventSockets() == 0)
            {
                if (System.nanoTime() > ariDeadline)
                {
                    out.println("FAIL: the gateway did not connect to the ARI emulator within 60 s");
                    return 1;
                }
                Thread.sleep(50);
            }

            // Connect: at most 256 handshakes in flight.
            final long t0 = System.nanoTime();
            final Semaphore inFlight = new Semaphore(256);
            final List<Channel> channels = new ArrayList<>(o.sockets());
            final Instant exp = Instant.now().plusSeconds(3600);
            for (int i = 0; i < o.sockets(); i++)
            {
                final String channelId = "bench-" + (i % o.channels());
                final String token = JWT.create().withIssuer("telapi").withAudience("telapi:ws/channel").withSubject("bench-user-" + i)
                    .withExpiresAt(exp).withJWTId("bench-" + i).withClaim("channel", channelId).sign(hs256);
                final URI uri = URI.create(o.server() + "/ws/channel?token=" + token);
                inFlight.acquire();
                final Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>()
                    {
                        @Override
                        protected void initChannel(final SocketChannel c)
                        {
                            c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(uri,
                                    WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 16)),
                                new Browser(channelId));
                        }
                    })
                    .connect(uri.getHost(), uri.getPort()).addListener(f -> inFlight.release()).sync().channel();
                channels.add(ch);
            }
            final long helloDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (hellos.get() < o.sockets() && System.nanoTime() < helloDeadline)
            {
                Thread.sleep(20);
            }
            final double connectSeconds = (System.nanoTime() - t0) / 1e9;
            out.printf("%d of %d browser sockets open (%d hellos) in %.1f s%n", open.get(), o.sockets(), hellos.get(), connectSeconds);
            out.flush();

            // Emit open-loop: every millisecond, the events due by now, stamped with their intended time.
            final int perChannel = o.sockets() / o.channels();
            final long totalSeconds = o.warmupSeconds() + o.durationSeconds();
            final long start = System.nanoTime();
            final long measureFrom = start + TimeUnit.SECONDS.toNanos(o.warmupSeconds());
            final long end = start + TimeUnit.SECONDS.toNanos(totalSeconds);
            final double intervalNanos = 1e9 / o.rate();
            long sent = 0;
            long sentMeasured = 0;
            final byte[][] batch = new byte[Math.max(16, o.rate() / 100)][];
            long measureStartNanos = 0;
            while (true)
            {
                final long now = System.nanoTime();
                if (now >= end)
                {
                    break;
                }
                if (!measuring && now >= measureFrom)
                {
                    measureStartNanos = start + (long)(sent * intervalNanos);
                    measureFromNanos = measureStartNanos;
                    sentMeasured = 0;
                    measuring = true;
                }
                int n = 0;
                while (n < batch.length)
                {
                    final long intended = start + (long)(sent * intervalNanos);
                    if (intended > now)
                    {
                        break;
                    }
                    batch[n++] = ("{\"type\":\"ChannelVarset\",\"variable\":\"BENCH\",\"value\":\"" + sent
                        + "\",\"channel\":{\"id\":\"bench-" + (sent % o.channels()) + "\",\"state\":\"Up\"},\"bench_ts\":" + intended + "}")
                        .getBytes(StandardCharsets.UTF_8);
                    sent++;
                    if (measuring)
                    {
                        sentMeasured++;
                    }
                }
                if (n > 0)
                {
                    ari.emit(batch.clone(), n);
                }
                else
                {
                    LockSupport.parkNanos(200_000);
                }
            }
            final long emittedUntil = System.nanoTime();
            final long drainDeadline = emittedUntil + TimeUnit.SECONDS.toNanos(10);
            final long expectedNow = sentMeasured * (o.sockets() / o.channels());
            while (received.sum() < expectedNow && System.nanoTime() < drainDeadline)
            {
                Thread.sleep(10); // let the last events arrive (or give up after 10 s)
            }
            measuring = false;
            final double seconds = (emittedUntil - measureStartNanos) / 1e9;
            final Histogram h = latency.getIntervalHistogram();
            final long expected = sentMeasured * perChannel;
            out.printf("sockets held %d/%d (closed by the server: %d), channels %d (%d browsers each)%n",
                open.get(), o.sockets(), closedByServer.get(), o.channels(), perChannel);
            out.printf("ARI events emitted %d/s for %d s; browser messages delivered %d of %d expected (%.0f msg/s offered); misrouted %d%n",
                o.rate(), o.durationSeconds(), received.sum(), expected, expected / seconds, misrouted.sum());
            out.printf("latency ARI event (intended emission) -> browser, ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6,
                h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6);
            out.flush();
            for (final Channel c : channels)
            {
                c.close();
            }
            return misrouted.sum() == 0 ? 0 : 1;
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
