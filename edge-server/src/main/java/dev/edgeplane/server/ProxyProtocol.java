package dev.edgeplane.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HAProxy PROXY protocol (v1 text and v2 binary) on a listener that sits behind a proxy: the
 * connection's first bytes name the client, and the allowlists, bans and rate limits see that
 * address instead of the proxy's ({@link #clientAddress}). A connection without a valid header is
 * closed; when trusted proxies are configured, a connection from anywhere else is closed before it is
 * read. A {@code LOCAL} header (the proxy's own health check) keeps the proxy's address.
 */
final class ProxyProtocol
{
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocol.class);
    private static final AttributeKey<InetSocketAddress> CLIENT = AttributeKey.valueOf("edgeplane.proxied-client");

    private ProxyProtocol()
    {
    }

    /** Puts the header decoder and its reader first in a new connection's pipeline. */
    static void install(final Channel channel, final CidrAllowList trusted)
    {
        channel.pipeline().addLast("proxy-decoder", new HAProxyMessageDecoder()).addLast("proxy-header", new HeaderReader(trusted));
    }

    /** @return the client a PROXY header named, else the socket's peer. */
    static SocketAddress clientAddress(final Channel channel)
    {
        final InetSocketAddress proxied = channel.attr(CLIENT).get();
        return proxied != null ? proxied : channel.remoteAddress();
    }

    private static final class HeaderReader extends ChannelInboundHandlerAdapter
    {
        private final CidrAllowList trusted;

        HeaderReader(final CidrAllowList trusted)
        {
            this.trusted = trusted;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            if (!trusted.isEmpty() && !trusted.contains(ctx.channel().remoteAddress()))
            {
                LOG.debug("PROXY protocol: {} is not a trusted proxy; closing", ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (!(msg instanceof HAProxyMessage header))
            {
                ctx.fireChannelRead(msg); // after the header: the connection's own bytes
                return;
            }
            try
            {
                if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null)
                {
                    final java.net.InetAddress address = addressOf(header.sourceAddress());
                    if (address == null)
                    {
                        ctx.close();
                        return;
                    }
                    ctx.channel().attr(CLIENT).set(new InetSocketAddress(address, header.sourcePort()));
                }
            }
            finally
            {
                header.release();
            }
            ctx.pipeline().remove(this);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            LOG.debug("PROXY protocol: bad header from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        private static java.net.InetAddress addressOf(final String text)
        {
            final byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
            if (bytes == null)
            {
                return null;
            }
            try
            {
                return java.net.InetAddress.getByAddress(bytes);
            }
            catch (final java.net.UnknownHostException e)
            {
                return null;
            }
        }
    }
}
