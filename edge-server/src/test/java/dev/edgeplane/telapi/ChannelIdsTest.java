package dev.edgeplane.telapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Which channels an ARI event names (the fan-out key), read without building a tree. */
class ChannelIdsTest
{
    private static String[] ids(final String json)
    {
        return ChannelHub.channelIds(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldFindEveryChannelAnEventNames()
    {
        assertArrayEquals(new String[] {"c1", null, null, null, null},
            ids("{\"type\":\"ChannelStateChange\",\"channel\":{\"name\":\"x\",\"caller\":{\"id\":\"no\"},\"id\":\"c1\",\"state\":\"Up\"}}"));
        assertArrayEquals(new String[] {null, "c2", "c3", null, null},
            ids("{\"type\":\"Dial\",\"peer\":{\"id\":\"c2\"},\"caller\":{\"id\":\"c3\"},\"dialstatus\":\"RINGING\"}"));
        assertArrayEquals(new String[] {null, null, null, "c4", null},
            ids("{\"type\":\"PlaybackStarted\",\"playback\":{\"id\":\"p\",\"target_uri\":\"channel:c4\"}}"));
        assertArrayEquals(new String[] {null, null, null, null, null},
            ids("{\"type\":\"PlaybackStarted\",\"playback\":{\"target_uri\":\"bridge:b1\"},\"bridge\":{\"id\":\"b1\"},\"channel\":\"not-an-object\"}"));
        // An id nested deeper than the event's own channel object does not count.
        assertArrayEquals(new String[] {null, null, null, null, null},
            ids("{\"type\":\"X\",\"other\":{\"channel\":{\"id\":\"deep\"}}}"));
    }

    @Test
    void shouldRefuseWhatIsNotAnObject()
    {
        assertNull(ids("[1,2]"));
        assertNull(ids("{\"type\":"));
    }
}
