package dev.edgeplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/** The sign-in throttle's windows, bounds and keys, without a server. */
class SignInThrottleTest
{
    private static final long WINDOW = 60_000;

    @Test
    void shouldRefuseUntilTheWindowEndsAndForgiveASuccess()
    {
        final SignInThrottle t = new SignInThrottle(2, 100, WINDOW, 1_000);
        assertEquals(0, t.admit("a@x", "10.0.0.1", 0));
        assertEquals(0, t.admit("a@x", "10.0.0.1", 1_000));
        assertEquals(59, t.admit("a@x", "10.0.0.1", 1_500), "seconds left in the window, rounded up");
        assertEquals(0, t.admit("a@x", "10.0.0.1", WINDOW), "a new window");
        t.succeeded("a@x", "10.0.0.1");
        assertEquals(0, t.admit("a@x", "10.0.0.1", WINDOW + 1));
        assertEquals(0, t.admit("a@x", "10.0.0.1", WINDOW + 2), "a success clears the account's count");
    }

    @Test
    void shouldNotCountAnAccountGuessTheAddressRefused()
    {
        final SignInThrottle t = new SignInThrottle(2, 1, WINDOW, 1_000);
        assertEquals(0, t.admit("a@x", "10.0.0.1", 0));
        assertTrue(t.admit("b@x", "10.0.0.1", 0) > 0);
        assertEquals(0, t.admit("b@x", "10.0.0.2", 0));
        assertEquals(0, t.admit("b@x", "10.0.0.3", 0), "the refused guess did not use one of b's two");
    }

    @Test
    void shouldStayBoundedRefuseNewKeysWhenFullAndFreeThemWhenSwept()
    {
        final SignInThrottle t = new SignInThrottle(5, 1_000, WINDOW, 4);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(0, t.admit("user" + i + "@x", "10.0.0.1", 0));
        }
        assertTrue(t.admit("user4@x", "10.0.0.1", 1) > 0, "a full store refuses a new key rather than not count it");
        assertEquals(0, t.admit("user0@x", "10.0.0.1", 1), "keys it holds still count");
        assertTrue(t.size() <= 8);
        t.sweep(WINDOW);
        assertEquals(0, t.size(), "ended windows are swept");
        assertEquals(0, t.admit("user4@x", "10.0.0.1", WINDOW), "a full store with ended windows makes room itself");
    }

    @Test
    void shouldKeyAnIpv6ClientByItsSlash64AndFoldTheEmail() throws Exception
    {
        final String a = SignInThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2:aaaa::1"), 1));
        final String b = SignInThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2:ffff::9"), 2));
        final String c = SignInThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:3::1"), 3));
        assertEquals(a, b);
        assertTrue(!a.equals(c));
        assertEquals("192.0.2.7", SignInThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("::ffff:192.0.2.7"), 4)));
        assertEquals(SignInThrottle.accountKey("User@Example.com "), SignInThrottle.accountKey("user@example.com"));
    }
}
