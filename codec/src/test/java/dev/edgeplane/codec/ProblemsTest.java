package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProblemsTest
{
    @Test
    void shouldKeepProblemsInOrderAcrossGrowth()
    {
        final Problems p = new Problems();
        assertTrue(p.isEmpty());
        for (int i = 0; i < 100; i++)
        {
            p.add("f" + i, "m" + i);
        }
        assertEquals(100, p.size());
        assertEquals("f0", p.path(0));
        assertEquals("m99", p.message(99));
        assertThrows(IndexOutOfBoundsException.class, () -> p.path(100));
        assertThrows(IndexOutOfBoundsException.class, () -> p.message(-1));
        p.clear();
        assertTrue(p.isEmpty());
        assertThrows(IndexOutOfBoundsException.class, () -> p.path(0));
    }
}
