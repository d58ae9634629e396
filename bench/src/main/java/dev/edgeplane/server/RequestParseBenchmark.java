package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One {@code POST /route} as Kamailio's libcurl sends it, parsed into method, target, the headers a
 * handler reads and the body: by the server's {@link RequestParser} (issue 11's hand-written decoder)
 * and, for comparison, by Netty's {@code HttpRequestDecoder} it replaced (in an embedded channel,
 * messages released as the old connection did).
 *
 * <p>In the server's package (this module's copy of it) because the parser is package-private.
 * Mode: average time per request in nanoseconds; {@code -prof gc} gives bytes allocated per request.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class RequestParseBenchmark
{
    private static final byte[] ROUTE = ("POST /route HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nAccept: */*\r\n"
        + "Content-Type: application/json\r\nX-Request-Id: 8f14e45fceea167a\r\nContent-Length: 113\r\n\r\n"
        + "{\"callId\":\"a84b4c76e66710\",\"from\":\"1001\",\"fromDomain\":\"acme.sip.io\",\"to\":\"+12025550123\",\"sourceIp\":\"203.0.113.7\"}")
        .getBytes(StandardCharsets.US_ASCII);

    private ByteBuf wire;
    private RequestParser parser;
    private EmbeddedChannel netty;
    private final byte[] body = new byte[512];

    @Setup
    public void setUp()
    {
        wire = Unpooled.directBuffer(ROUTE.length).writeBytes(ROUTE);
        parser = new RequestParser(4096, 8192);
        netty = new EmbeddedChannel(new HttpRequestDecoder());
    }

    @TearDown
    public void tearDown()
    {
        wire.release();
        netty.finishAndReleaseAll();
    }

    @Benchmark
    public void requestParser(final Blackhole bh)
    {
        final ByteBuf in = wire.readerIndex(0);
        int r;
        int length = 0;
        while ((r = parser.next(in)) != RequestParser.END)
        {
            if (r == RequestParser.HEAD)
            {
                final RequestHead head = parser.head();
                bh.consume(head.method());
                bh.consume(head.uri());
                bh.consume(head.header("content-type"));
                bh.consume(head.header("x-request-id"));
            }
            else if (r == RequestParser.DATA)
            {
                in.getBytes(parser.dataIndex(), body, length, parser.dataLength());
                length += parser.dataLength();
            }
            else
            {
                throw new IllegalStateException("parser result " + r);
            }
        }
        bh.consume(length);
    }

    @Benchmark
    public void nettyHttpRequestDecoder(final Blackhole bh)
    {
        netty.writeInbound(wire.retainedDuplicate().readerIndex(0));
        Object msg;
        int length = 0;
        while ((msg = netty.readInbound()) != null)
        {
            if (msg instanceof HttpRequest request)
            {
                bh.consume(request.method().name());
                bh.consume(request.uri());
                bh.consume(request.headers().get("content-type"));
                bh.consume(request.headers().get("x-request-id"));
            }
            if (msg instanceof HttpContent content)
            {
                final ByteBuf data = content.content();
                final int n = data.readableBytes();
                data.readBytes(body, length, n);
                length += n;
            }
            ReferenceCountUtil.release(msg);
        }
        bh.consume(length);
    }
}
