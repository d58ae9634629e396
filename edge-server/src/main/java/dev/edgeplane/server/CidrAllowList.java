package dev.edgeplane.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IPv4/IPv6 CIDR blocks, e.g. {@code 127.0.0.0/8,::1/128,10.1.0.0/16}.
 *
 * <p>Immutable and thread-safe. Parsing takes literal addresses only (no DNS look-ups).
 * An IPv4-mapped IPv6 peer ({@code ::ffff:10.0.0.1}) is matched as its IPv4 address.
 */
public final class CidrAllowList
{
    private final byte[][] networks;
    private final int[] prefixes;
    private final String text;

    private CidrAllowList(final byte[][] networks, final int[] prefixes, final String text)
    {
        this.networks = networks;
        this.prefixes = prefixes;
        this.text = text;
    }

    /**
     * @param variable the setting's name, for the error message.
     * @param list     comma-separated CIDRs or bare addresses; blank means "nobody".
     */
    public static CidrAllowList parse(final String variable, final String list)
    {
        final List<byte[]> nets = new ArrayList<>();
        final List<Integer> prefixes = new ArrayList<>();
        for (final String raw : list.split(","))
        {
            final String entry = raw.trim();
            if (entry.isEmpty())
            {
                continue;
            }
            final int slash = entry.indexOf('/');
            final String host = slash < 0 ? entry : entry.substring(0, slash);
            final byte[] address = literal(variable, host);
            final int max = address.length * 8;
            int prefix = max;
            if (slash >= 0)
            {
                try
                {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                }
                catch (final NumberFormatException e)
                {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > max)
                {
                    throw new IllegalArgumentException(variable + ": bad prefix length in '" + entry + "'");
                }
            }
            nets.add(address);
            prefixes.add(prefix);
        }
        final int[] p = new int[prefixes.size()];
        for (int i = 0; i < p.length; i++)
        {
            p[i] = prefixes.get(i);
        }
        return new CidrAllowList(nets.toArray(new byte[0][]), p, list.trim());
    }

    private static byte[] literal(final String variable, final String host)
    {
        final boolean looksLiteral = !host.isEmpty()
            && (host.indexOf(':') >= 0 || host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.'));
        if (looksLiteral)
        {
            try
            {
                return unmap(InetAddress.getByName(host).getAddress());
            }
            catch (final UnknownHostException ignored)
            {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(variable + ": '" + host + "' is not an IP address");
    }

    private static byte[] unmap(final byte[] address)
    {
        if (address.length == 16)
        {
            for (int i = 0; i < 10; i++)
            {
                if (address[i] != 0)
                {
                    return address;
                }
            }
            if ((address[10] & 0xFF) == 0xFF && (address[11] & 0xFF) == 0xFF)
            {
                return new byte[] {address[12], address[13], address[14], address[15]};
            }
        }
        return address;
    }

    /** @return true when the list names nobody. */
    public boolean isEmpty()
    {
        return networks.length == 0;
    }

    /** @return true when the peer's address lies in one of the blocks. */
    public boolean contains(final SocketAddress peer)
    {
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null && contains(inet.getAddress());
    }

    /** @return true when the address lies in one of the blocks. */
    public boolean contains(final InetAddress address)
    {
        final byte[] bytes = unmap(address.getAddress());
        for (int i = 0; i < networks.length; i++)
        {
            if (networks[i].length == bytes.length && matches(networks[i], bytes, prefixes[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(final byte[] network, final byte[] address, final int prefix)
    {
        final int whole = prefix >>> 3;
        for (int i = 0; i < whole; i++)
        {
            if (network[i] != address[i])
            {
                return false;
            }
        }
        final int rest = prefix & 7;
        if (rest == 0)
        {
            return true;
        }
        final int mask = 0xFF << (8 - rest) & 0xFF;
        return (network[whole] & mask) == (address[whole] & mask);
    }

    @Override
    public String toString()
    {
        return text;
    }
}
