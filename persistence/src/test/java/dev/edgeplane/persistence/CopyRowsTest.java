package dev.edgeplane.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** COPY text rows against a real PostgreSQL: what goes in is what comes out, and a conflict refuses the batch. */
class CopyRowsTest
{
    private static Database database;

    @BeforeAll
    static void open() throws SQLException
    {
        database = Database.open(TestPostgres.freshDatabase("copy_rows_test"));
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement())
        {
            s.execute("CREATE TABLE copy_probe (id bigint PRIMARY KEY, label text, at timestamptz, doc jsonb)");
        }
    }

    @AfterAll
    static void close()
    {
        database.close();
    }

    @Test
    void shouldRoundTripTextTimestampsNullsAndJsonThroughCopy() throws SQLException
    {
        final String awkward = "tab\there, line\nbreak, cr\r, back\\slash, nul\0, é ✓ 🎧";
        final byte[] json = "{\"a\":\"x\\\\y\\\"z\\n\",\"nul\":\"\\u0000\",\"n\":-1.5e3}".getBytes(StandardCharsets.UTF_8);
        final long at = Instant.parse("2026-12-04T15:03:37.042Z").toEpochMilli();
        final long farFuture = Instant.parse("+12345-06-07T08:09:05.006Z").toEpochMilli(); // a five-digit year
        final CopyRows rows = new CopyRows()
            .number(-7).text(awkward).timestamp(at).json(json, 0, json.length).endRow()
            .number(-8).text("far").timestamp(farFuture).json(json, 0, 0).endRow()
            .number(Long.MAX_VALUE).text(null).timestamp(0).json(json, 0, 0).endRow();
        try (Connection c = database.dataSource().getConnection())
        {
            c.setAutoCommit(false);
            rows.copyInto(c, "COPY copy_probe (id, label, at, doc) FROM STDIN");
            c.commit();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id, label, at, doc->>'a', doc->>'nul', (doc->>'n')::float8 FROM copy_probe WHERE id IN (-7, 9223372036854775807) ORDER BY id"))
            {
                r.next();
                assertEquals(-7, r.getLong(1));
                assertEquals(awkward.replace('\0', '\ufffd'), r.getString(2));
                assertEquals(at, r.getObject(3, OffsetDateTime.class).toInstant().toEpochMilli());
                assertEquals("x\\y\"z\n", r.getString(4));
                assertEquals("\ufffd", r.getString(5), "a JSON NUL escape (refused by jsonb) becomes U+FFFD");
                assertEquals(-1500.0, r.getDouble(6));
                r.next();
                assertEquals(Long.MAX_VALUE, r.getLong(1));
                assertNull(r.getString(2));
                assertNull(r.getObject(3));
                assertNull(r.getString(4));
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT at FROM copy_probe WHERE id = -8"))
            {
                r.next();
                assertEquals(farFuture, r.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli());
            }
        }
    }

    @Test
    void shouldRefuseAKeyAlreadyThereAsAUniqueViolationAndWriteNothingOfTheBatch() throws SQLException
    {
        try (Connection c = database.dataSource().getConnection())
        {
            c.setAutoCommit(false);
            new CopyRows().number(100).text("first").timestamp(1).json(new byte[0], 0, 0).endRow()
                .copyInto(c, "COPY copy_probe (id, label, at, doc) FROM STDIN");
            c.commit();
            final SQLException e = assertThrows(SQLException.class, () ->
                new CopyRows().number(101).text("new").timestamp(1).json(new byte[0], 0, 0).endRow()
                    .number(100).text("again").timestamp(1).json(new byte[0], 0, 0).endRow()
                    .copyInto(c, "COPY copy_probe (id, label, at, doc) FROM STDIN"));
            assertEquals("23505", e.getSQLState(), "the flusher rewrites the batch on exactly this state");
            c.rollback();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id, label FROM copy_probe WHERE id IN (100, 101) ORDER BY id"))
            {
                r.next();
                assertEquals("first", r.getString(2));
                assertFalse(r.next(), "nothing of the refused batch is there");
            }
        }
    }

    @Test
    void shouldRethrowErrorsOtherThanADuplicateKey() throws SQLException
    {
        try (Connection c = database.dataSource().getConnection())
        {
            c.setAutoCommit(false);
            final SQLException e = assertThrows(SQLException.class, () -> new CopyRows().text("not-a-number").endRow()
                .copyInto(c, "COPY copy_probe (id) FROM STDIN"));
            assertEquals("22P02", e.getSQLState());
            c.rollback();
        }
    }
}
