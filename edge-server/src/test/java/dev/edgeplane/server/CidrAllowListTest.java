package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class CidrAllowListTest
{
    private static boolean allows(final CidrAllowList list, final String ip) throws Exception
    {
        return list.contains(InetAddress.getByName(ip));
    }

    @Test
    void shouldMatchIpv4AndIpv6Blocks() throws Exception
    {
        final CidrAllowList list = CidrAllowList.parse("X", "127.0.0.0/8, 10.1.0.0/16,192.168.5.7, 2001:db8::/32");
        assertTrue(allows(list, "127.3.4.5"));
        assertTrue(allows(list, "10.1.255.1"));
        assertFalse(allows(list, "10.2.0.1"));
        assertTrue(allows(list, "192.168.5.7"));
        assertFalse(allows(list, "192.168.5.8"));
        assertTrue(allows(list, "2001:db8:1::1"));
        assertFalse(allows(list, "2001:db9::1"));
    }

    @Test
    void shouldMatchNonOctetPrefixes() throws Exception
    {
        final CidrAllowList list = CidrAllowList.parse("X", "172.16.0.0/12");
        assertTrue(allows(list, "172.31.255.255"));
        assertFalse(allows(list, "172.32.0.0"));
        assertFalse(allows(list, "172.15.255.255"));
    }

    @Test
    void shouldTreatIpv4MappedIpv6AsIpv4() throws Exception
    {
        final CidrAllowList list = CidrAllowList.parse("X", "127.0.0.0/8");
        assertTrue(allows(list, "::ffff:127.0.0.1"));
    }

    @Test
    void shouldAllowNobodyWhenBlank() throws Exception
    {
        assertFalse(allows(CidrAllowList.parse("X", " "), "127.0.0.1"));
    }

    @Test
    void shouldRejectHostNamesAndBadPrefixesNamingTheVariable()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> CidrAllowList.parse("MEDIA_NODE_CIDRS", "example.com/8"));
        assertTrue(e.getMessage().startsWith("MEDIA_NODE_CIDRS"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CidrAllowList.parse("X", "10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> CidrAllowList.parse("X", "10.0.0.0/x"));
    }

    @Test
    void shouldReadSettingsWithDefaultsAndRejectBadValues()
    {
        final EdgeSettings defaults = EdgeSettings.from(java.util.Map.of());
        assertEquals(3000, defaults.port(SurfaceKind.CONTROL_PLANE));
        assertEquals(3001, defaults.port(SurfaceKind.TELAPI));
        assertEquals(3002, defaults.port(SurfaceKind.SERVICES));
        assertEquals(8080, defaults.port(SurfaceKind.RELAY));
        assertTrue(defaults.serves(SurfaceKind.RELAY));

        final EdgeSettings some = EdgeSettings.from(java.util.Map.of("EDGEPLANE_SURFACES", "telapi, relay", "PORT", "4000"));
        assertFalse(some.serves(SurfaceKind.CONTROL_PLANE));
        assertTrue(some.serves(SurfaceKind.TELAPI));
        assertEquals(4000, some.port(SurfaceKind.SERVICES));

        assertThrows(IllegalArgumentException.class, () -> EdgeSettings.from(java.util.Map.of("EDGEPLANE_SURFACES", "sip")));
        assertThrows(IllegalArgumentException.class, () -> EdgeSettings.from(java.util.Map.of("TELAPI_PORT", "70000")));
        assertThrows(IllegalArgumentException.class, () -> EdgeSettings.from(java.util.Map.of("EDGEPLANE_TRANSPORT", "uring")));
        assertThrows(IllegalArgumentException.class, () -> EdgeSettings.from(java.util.Map.of("EDGEPLANE_IDLE_TIMEOUT_MS", "-1")));
    }
}
