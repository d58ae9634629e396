package dev.edgeplane.persistence;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JournalSettingsTest
{
    @Test
    void shouldDefaultToNoFsyncTwoMillisBatchesAndSixtyFourMebibyteSegments()
    {
        final JournalSettings settings = JournalSettings.fromEnvironment(Map.of());

        assertEquals(JournalSettings.FsyncPolicy.NONE, settings.fsyncPolicy());
        assertEquals(2, settings.batchIntervalMillis());
        assertEquals(64 << 20, settings.segmentSizeBytes());
        assertEquals(JournalSettings.defaults().toString(), settings.toString());
    }

    @Test
    void shouldReadEveryVariable()
    {
        final JournalSettings settings = JournalSettings.fromEnvironment(Map.of(
            "EDGEPLANE_JOURNAL_FSYNC", "Always",
            "EDGEPLANE_JOURNAL_FSYNC_INTERVAL_MS", "10",
            "EDGEPLANE_JOURNAL_SEGMENT_MB", "1"));

        assertEquals(JournalSettings.FsyncPolicy.ALWAYS, settings.fsyncPolicy());
        assertEquals(10, settings.batchIntervalMillis());
        assertEquals(1 << 20, settings.segmentSizeBytes());
        assertEquals(JournalSettings.FsyncPolicy.NONE,
            JournalSettings.fromEnvironment(Map.of("EDGEPLANE_JOURNAL_FSYNC", "none")).fsyncPolicy());
        assertEquals(JournalSettings.FsyncPolicy.BATCH,
            JournalSettings.fromEnvironment(Map.of("EDGEPLANE_JOURNAL_FSYNC", " batch ")).fsyncPolicy());
    }

    @Test
    void shouldRejectUnknownFsyncPolicyNamingVariableAndAllowedValues()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> JournalSettings.fromEnvironment(Map.of("EDGEPLANE_JOURNAL_FSYNC", "sometimes")));

        assertEquals("EDGEPLANE_JOURNAL_FSYNC must be one of none, batch, always (got 'sometimes')", ex.getMessage());
    }

    @Test
    void shouldRejectOutOfRangeNumbers()
    {
        final IllegalArgumentException interval = assertThrows(IllegalArgumentException.class,
            () -> JournalSettings.fromEnvironment(Map.of("EDGEPLANE_JOURNAL_FSYNC_INTERVAL_MS", "0")));
        final IllegalArgumentException segment = assertThrows(IllegalArgumentException.class,
            () -> JournalSettings.fromEnvironment(Map.of("EDGEPLANE_JOURNAL_SEGMENT_MB", "lots")));

        assertEquals("EDGEPLANE_JOURNAL_FSYNC_INTERVAL_MS must be an integer between 1 and 10000 (got '0')",
            interval.getMessage());
        assertEquals("EDGEPLANE_JOURNAL_SEGMENT_MB must be an integer between 1 and 1024 (got 'lots')",
            segment.getMessage());
    }

    @Test
    void shouldValidateProgrammaticSettings()
    {
        assertEquals(4096, JournalSettings.defaults().withSegmentSizeBytes(4096).segmentSizeBytes());
        assertThrows(IllegalArgumentException.class, () -> JournalSettings.defaults().withSegmentSizeBytes(1001));
        assertThrows(IllegalArgumentException.class, () -> JournalSettings.defaults().withSegmentSizeBytes(128));
        assertThrows(IllegalArgumentException.class, () -> JournalSettings.defaults().withBatchIntervalMillis(0));
    }
}
