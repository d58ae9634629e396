package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local store on real files: atomic publication, clean aborts, start-up sweep, snapshots, key collisions. */
class MediaStoreTest
{
    @TempDir
    Path root;

    static MediaStore.PutResult put(final MediaStore store, final String key, final byte[] content) throws Exception
    {
        final MediaStore.Upload upload = store.begin(key);
        assertNotNull(upload, "begin " + key);
        upload.write(ByteBuffer.wrap(content));
        return upload.commit();
    }

    static byte[] read(final MediaStore store, final String key) throws Exception
    {
        try (MediaStore.StoredObject o = store.open(key))
        {
            return o == null ? null : o.read(0, (int)o.size());
        }
    }

    /** @return every regular file under the root, relative, sorted. */
    static List<String> files(final Path root) throws Exception
    {
        try (Stream<Path> s = Files.walk(root))
        {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void shouldPublishOnlyOnCommit() throws Exception
    {
        final LocalMediaStore store = new LocalMediaStore(root);
        final byte[] content = "hello, media".getBytes(StandardCharsets.UTF_8);
        final MediaStore.Upload upload = store.begin("greetings/hello.txt");
        upload.write(ByteBuffer.wrap(content, 0, 5));
        assertFalse(store.exists("greetings/hello.txt"));
        assertNull(store.open("greetings/hello.txt"));
        upload.write(ByteBuffer.wrap(content, 5, content.length - 5));
        final MediaStore.PutResult r = upload.commit();

        assertEquals(content.length, r.size());
        assertFalse(r.replaced());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), r.sha256());
        assertArrayEquals(content, read(store, "greetings/hello.txt"));
        assertEquals(List.of("greetings/hello.txt"), files(root));
        try (MediaStore.StoredObject o = store.open("greetings/hello.txt"))
        {
            assertEquals("text/plain; charset=utf-8", o.contentType().toString());
            assertEquals(r.etag(), o.etag());
            assertTrue(o.etag().startsWith("\"") && o.etag().endsWith("\""));
            assertArrayEquals("lo, m".getBytes(StandardCharsets.UTF_8), o.read(3, 5));
        }
        upload.abort(); // after a commit: a no-op
        assertTrue(store.exists("greetings/hello.txt"));
    }

    @Test
    void shouldLeaveNothingBehindOnAbort() throws Exception
    {
        final LocalMediaStore store = new LocalMediaStore(root);
        final MediaStore.Upload upload = store.begin("vm/rec.wav");
        upload.write(ByteBuffer.wrap(new byte[10_000]));
        assertEquals(1, files(root).size(), "the temporary file exists while writing");
        upload.abort();
        upload.abort();
        assertEquals(List.of(), files(root));
        assertFalse(store.exists("vm/rec.wav"));
        assertThrows(IllegalStateException.class, upload::commit);
    }

    @Test
    void shouldReplaceAndReportIt() throws Exception
    {
        final LocalMediaStore store = new LocalMediaStore(root);
        final MediaStore.PutResult first = put(store, "a.wav", new byte[] {1, 2, 3});
        final MediaStore.PutResult second = put(store, "a.wav", new byte[] {4, 5, 6});
        assertFalse(first.replaced());
        assertTrue(second.replaced());
        assertNotEquals(first.etag(), second.etag(), "a new version has a new entity tag");
        assertArrayEquals(new byte[] {4, 5, 6}, read(store, "a.wav"));
        assertEquals(List.of("a.wav"), files(root));
    }

    @Test
    void shouldKeepServingTheVersionAReaderOpened() throws Exception
    {
        final LocalMediaStore store = new LocalMediaStore(root);
        put(store, "moh.mp3", "old version".getBytes(StandardCharsets.UTF_8));
        try (MediaStore.StoredObject old = store.open("moh.mp3"))
        {
            put(store, "moh.mp3", "the new, longer version".getBytes(StandardCharsets.UTF_8));
            assertEquals("old version", new String(old.read(0, (int)old.size()), StandardCharsets.UTF_8));
            assertTrue(store.delete("moh.mp3"));
            assertEquals("old version", new String(old.read(0, (int)old.size()), StandardCharsets.UTF_8));
        }
        assertNull(store.open("moh.mp3"));
        assertFalse(store.delete("moh.mp3"));
    }

    @Test
    void shouldSweepUnfinishedUploadsOfAnEarlierProcessAtStartUp() throws Exception
    {
        final LocalMediaStore before = new LocalMediaStore(root);
        put(before, "prompts/en/male/menu.wav", new byte[] {1});
        final MediaStore.Upload dying = before.begin("prompts/en/male/goodbye.wav"); // the process "dies" here
        dying.write(ByteBuffer.wrap(new byte[1234]));
        Files.writeString(root.resolve(LocalMediaStore.TEMP_PREFIX + "dead~7"), "left over");
        assertEquals(3, files(root).size());

        final LocalMediaStore after = new LocalMediaStore(root);
        assertEquals(List.of("prompts/en/male/menu.wav"), files(root));
        assertTrue(after.exists("prompts/en/male/menu.wav"));
        assertFalse(after.exists("prompts/en/male/goodbye.wav"));
        dying.abort(); // closes the channel; the file is already gone
    }

    @Test
    void shouldRefuseKeysThatCollideWithTheLayout() throws Exception
    {
        final LocalMediaStore store = new LocalMediaStore(root);
        put(store, "a", new byte[] {1});
        put(store, "x/y", new byte[] {2});
        assertNull(store.begin("a/b"), "a prefix of the key is an object");
        assertNull(store.begin("a/b/c"), "a prefix of the key is an object");
        assertNull(store.begin("x"), "objects live under the key");
        assertNull(store.open("x"), "a folder is not an object");
        assertNull(store.open("a/b"), "nothing can live under an object");
        assertFalse(store.exists("a/b"));
        assertFalse(store.exists("x"));
        assertThrows(IllegalArgumentException.class, () -> store.begin("../escape"));
        assertThrows(IllegalArgumentException.class, () -> store.open("/etc/passwd"));
        assertEquals(List.of("a", "x/y"), files(root));
    }

    @Test
    void shouldNeverShowAReaderAPartialObjectUnderConcurrentReplacement() throws Exception
    {
        final LocalMediaStore store = new LocalMediaStore(root);
        put(store, "hot.wav", version(0));
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong reads = new AtomicLong();
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try
        {
            final List<Future<?>> tasks = new ArrayList<>();
            for (int w = 0; w < 2; w++)
            {
                final int writer = w;
                tasks.add(pool.submit(() ->
                {
                    for (int v = 1; !stop.get(); v++)
                    {
                        put(store, "hot.wav", version((v * 2 + writer) % 200));
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 2; r++)
            {
                tasks.add(pool.submit(() ->
                {
                    while (!stop.get())
                    {
                        final byte[] seen = read(store, "hot.wav");
                        assertNotNull(seen, "the key never disappears while it is being replaced");
                        final int v = seen[0] & 0xFF;
                        assertArrayEquals(version(v), seen, "a reader saw a mix or a prefix of versions");
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            Thread.sleep(1_500);
            stop.set(true);
            for (final Future<?> f : tasks)
            {
                f.get();
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertTrue(reads.get() > 10, "readers ran: " + reads.get());
        assertEquals(List.of("hot.wav"), files(root));
    }

    /** Version v: (v+1) * 1000 bytes, all equal to v. */
    private static byte[] version(final int v)
    {
        final byte[] b = new byte[(v + 1) * 1000];
        Arrays.fill(b, (byte)v);
        return b;
    }
}
