package dev.edgeplane.controlplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Literal address and CIDR parsing, canonical text, coverage, and the allowlist's lookup index. */
class IpBlockTest
{
    @Test
    void shouldParseIpv4LiteralsStrictly()
    {
        assertEquals("192.0.2.1", IpBlock.address("192.0.2.1").text());
        assertEquals("0.0.0.0", IpBlock.address("0.0.0.0").text());
        assertEquals("255.255.255.255", IpBlock.address("255.255.255.255").text());
        for (final String bad : new String[] {"", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.4 ",
            " 1.2.3.4", "a.b.c.d", "1.2.3.-4", "\u0661.2.3.4", "1.2.3.4/32", "localhost", "example.com", "1234.1.1.1", "127.1"})
        {
            assertNull(IpBlock.address(bad), bad);
        }
        assertNull(IpBlock.address(null));
    }

    @Test
    void shouldRenderIpv6InRfc5952Form() throws Exception
    {
        final String[][] cases = {
            {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
            {"::", "::"},
            {"::1", "::1"},
            {"1::", "1::"},
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
            {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
            {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
            {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
            {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
            {"fe80::1:2", "fe80::1:2"},
        };
        for (final String[] c : cases)
        {
            final IpBlock a = IpBlock.address(c[0]);
            assertNotNull(a, c[0]);
            assertEquals(c[1], a.text(), c[0]);
            assertFalse(a.isV4(), c[0]);
            // Same 128 bits as the JDK reads them (literals only: no name service involved).
            assertArrayEquals(InetAddress.getByName(c[0]).getAddress(), InetAddress.getByName(a.text()).getAddress(), c[0]);
        }
    }

    @Test
    void shouldTreatIpv4MappedAddressesAsIpv4()
    {
        assertEquals("192.0.2.1", IpBlock.address("::ffff:192.0.2.1").text());
        assertEquals("192.0.2.1", IpBlock.address("::FFFF:c000:0201").text());
        assertTrue(IpBlock.address("::ffff:192.0.2.1").isV4());
        assertEquals(IpBlock.address("192.0.2.1"), IpBlock.address("::ffff:192.0.2.1"));
    }

    @Test
    void shouldRejectMalformedIpv6()
    {
        for (final String bad : new String[] {":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1::", "1::2:", "[::1]",
            "fe80::1%eth0", "g::1", "1:2:3:4:5:6:7", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:8::", ":", "::1:",
            "1:2:3:4:5:6:1.2.3.4:8", "::\u0661"})
        {
            assertNull(IpBlock.address(bad), bad);
        }
        assertNotNull(IpBlock.address("1:2:3:4:5:6:1.2.3.4"));
    }

    @Test
    void shouldParseBlocksAndClearHostBits()
    {
        assertEquals("10.0.0.0/8", IpBlock.block("10.1.2.3/8").text());
        assertEquals("10.0.0.1", IpBlock.block("10.0.0.1/32").text());
        assertTrue(IpBlock.block("10.0.0.1/32").isAddress());
        assertEquals("0.0.0.0/0", IpBlock.block("0.0.0.0/0").text());
        assertEquals("2001:db8::/32", IpBlock.block("2001:DB8:1::/32").text());
        assertEquals("10.0.0.0/8", IpBlock.block("::ffff:10.0.0.0/104").text());
        assertEquals("::/0", IpBlock.block("::/0").text());
        for (final String bad : new String[] {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "::/129", "/8",
            "10.0.0.0/8/8", "10.0.0.0/1234", "host.example/8", "10.0.0.0/ 8"})
        {
            assertNull(IpBlock.block(bad), bad);
        }
    }

    @Test
    void shouldCoverOnlyAddressesOfTheSameFamilyInsideTheBlock()
    {
        final IpBlock net = IpBlock.block("10.0.0.0/8");
        assertTrue(net.covers(IpBlock.address("10.255.1.1")));
        assertFalse(net.covers(IpBlock.address("11.0.0.1")));
        assertFalse(IpBlock.block("::/0").covers(IpBlock.address("1.2.3.4")), "IPv6 blocks never cover IPv4");
        assertFalse(IpBlock.block("0.0.0.0/0").covers(IpBlock.address("::1")));
        assertTrue(IpBlock.block("2001:db8::/32").covers(IpBlock.address("2001:db8:ffff::1")));
        assertFalse(IpBlock.block("2001:db8::/32").covers(IpBlock.address("2001:db9::1")));
        assertTrue(IpBlock.block("203.0.113.7").covers(IpBlock.address("::ffff:203.0.113.7")));
    }

    /** The index answers exactly what a scan of every entry would, for random blocks and addresses. */
    @Test
    void shouldAgreeWithALinearScan()
    {
        final Random random = new Random(42);
        final List<AllowList.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 400; i++)
        {
            final String text = random.nextBoolean()
                ? "10." + random.nextInt(4) + "." + random.nextInt(4) + "." + random.nextInt(4) + "/" + (24 + random.nextInt(9))
                : "2001:db8:" + Integer.toHexString(random.nextInt(4)) + "::" + Integer.toHexString(random.nextInt(4))
                    + "/" + (112 + random.nextInt(17));
            entries.add(new AllowList.Entry(IpBlock.block(text), null, Instant.EPOCH));
        }
        final AllowList list = new AllowList(1, entries);
        int covered = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final String text = random.nextBoolean()
                ? "10." + random.nextInt(6) + "." + random.nextInt(6) + "." + random.nextInt(6)
                : "2001:db8:" + Integer.toHexString(random.nextInt(6)) + "::" + Integer.toHexString(random.nextInt(6));
            final IpBlock address = IpBlock.address(text);
            final boolean expected = entries.stream().anyMatch(e -> e.block().covers(address));
            assertEquals(expected, list.covers(text), text);
            covered += expected ? 1 : 0;
        }
        assertTrue(covered > 1000 && covered < 19_000, "the sample exercises both answers: " + covered);
        assertFalse(AllowList.EMPTY.covers("10.0.0.1"));
        assertFalse(list.covers("not an address"));
    }
}
