package dev.edgeplane.persistence;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorSummaryTest
{
    @Test
    void shouldMaskCredentialsInMessages()
    {
        final String summary = ErrorSummary.of(new SQLException(
            "cannot reach postgres://app:hunter2@db:5432/edge with password=hunter2; user=app", "08001"));

        assertFalse(summary.contains("hunter2"), summary);
        assertTrue(summary.startsWith("08001: "), summary);
        assertTrue(summary.contains("postgres://app:***@db:5432/edge"), summary);
        assertTrue(summary.contains("password=***"), summary);
    }

    @Test
    void shouldReportReasonOfBatchFailureInsteadOfStatement()
    {
        final BatchUpdateException batch = new BatchUpdateException(
            "Batch entry 0 INSERT INTO event_log VALUES ('secret payload') was aborted", "57P01", new int[0]);
        batch.setNextException(new SQLException("terminating connection due to administrator command", "57P01"));

        final String summary = ErrorSummary.of(batch);

        assertEquals("57P01: terminating connection due to administrator command", summary);
    }

    @Test
    void shouldAppendRootCauseOnOneShortLine()
    {
        final RuntimeException failure = new RuntimeException("pool failed\nsecond line",
            new SQLException("Connection to localhost:1 refused", "08001"));

        final String summary = ErrorSummary.of(failure);

        assertEquals("pool failed second line (cause: 08001: Connection to localhost:1 refused)", summary);
        assertTrue(ErrorSummary.of(new RuntimeException("x".repeat(1000))).length() <= ErrorSummary.MAX_LENGTH);
        assertEquals("IllegalStateException", ErrorSummary.of(new IllegalStateException()));
        assertNull(ErrorSummary.of(null));
    }
}
