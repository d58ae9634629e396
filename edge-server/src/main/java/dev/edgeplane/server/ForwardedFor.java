package dev.edgeplane.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

import io.netty.util.NetUtil;

/**
 * Reads the client out of an {@code X-Forwarded-For} list sent by a trusted proxy: from the right
 * (the hop nearest to us), skipping trusted proxies, the first other address is the client. Anything
 * that is not a literal address ends the walk at the last trusted hop, so a forged or garbled entry can
 * only name a proxy, never an arbitrary client.
 */
final class ForwardedFor
{
    private ForwardedFor()
    {
    }

    static SocketAddress client(final String header, final CidrAllowList trusted, final SocketAddress peer)
    {
        SocketAddress client = peer;
        int end = header.length();
        while (end > 0)
        {
            final int comma = header.lastIndexOf(',', end - 1);
            final String entry = header.substring(comma + 1, end).trim();
            end = comma < 0 ? 0 : comma;
            final byte[] bytes = NetUtil.createByteArrayFromIpAddressString(entry);
            if (bytes == null)
            {
                return client;
            }
            final InetAddress address;
            try
            {
                address = InetAddress.getByAddress(bytes);
            }
            catch (final UnknownHostException e)
            {
                return client;
            }
            client = new InetSocketAddress(address, 0);
            if (!trusted.contains(address))
            {
                return client;
            }
        }
        return client;
    }
}
