package dev.edgeplane.controlplane.media;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Synthesizes with the local {@code espeak-ng} program (Debian package {@code espeak-ng}):
 * {@code espeak-ng -v <voice> -w <file> --stdin}, the text written to its standard input rather than
 * passed as an argument, so no text can be read as an option.
 *
 * <p>Voices: English is {@code en-us} (male) or {@code en-us+f3} (female); any other language tag
 * {@code xx} is {@code xx} or {@code xx+f3} ({@code es}, {@code es+f3}). The {@code +f3} variant is
 * espeak-ng's third female voice.
 *
 * <p>Thread-safe: each call runs its own process and its own temporary file. A run that outlives the
 * timeout is killed.
 */
public final class EspeakEngine implements TtsEngine
{
    public static final String PROGRAM = "espeak-ng";
    private static final int MAX_STDERR_BYTES = 4096;

    private final long timeoutMillis;

    public EspeakEngine(final long timeoutMillis)
    {
        this.timeoutMillis = timeoutMillis;
    }

    /** @return the {@code espeak-ng} executable found on the PATH, or null. */
    public static Path findProgram()
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            if (dir.isEmpty())
            {
                continue;
            }
            final Path candidate = Path.of(dir, PROGRAM);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /** @return the espeak-ng voice for a language and gender. */
    public static String voice(final String lang, final VoiceGender gender)
    {
        final String base = "en".equals(lang) ? "en-us" : lang;
        return gender == VoiceGender.FEMALE ? base + "+f3" : base;
    }

    @Override
    public String name()
    {
        return PROGRAM;
    }

    @Override
    public String unavailableReason()
    {
        // Looked up on each call: installing the package later needs no restart.
        return findProgram() == null ? PROGRAM + " is not installed (not found on the PATH)" : null;
    }

    @Override
    public byte[] synthesize(final String text, final String lang, final VoiceGender gender) throws TtsException
    {
        final Path program = findProgram();
        if (program == null)
        {
            throw new TtsException(unavailableReason());
        }
        Path wav = null;
        try
        {
            wav = Files.createTempFile("edgeplane-tts-", ".wav");
            final Process process = new ProcessBuilder(program.toString(), "-v", voice(lang, gender), "-w", wav.toString(), "--stdin")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            try
            {
                try (OutputStream in = process.getOutputStream())
                {
                    in.write(text.getBytes(StandardCharsets.UTF_8));
                }
                catch (final IOException e)
                {
                    // It exited early (a bad voice, say): its exit status and stderr say why.
                }
                if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS))
                {
                    throw new TtsException(PROGRAM + " did not finish within " + timeoutMillis + " ms");
                }
                if (process.exitValue() != 0)
                {
                    throw new TtsException(PROGRAM + " exited with " + process.exitValue() + ": " + stderr(process));
                }
            }
            finally
            {
                process.destroyForcibly();
            }
            final byte[] audio = Files.readAllBytes(wav);
            if (audio.length == 0)
            {
                throw new TtsException(PROGRAM + " wrote no audio for voice " + voice(lang, gender));
            }
            return audio;
        }
        catch (final IOException e)
        {
            throw new TtsException(PROGRAM + " could not run: " + e.getMessage(), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new TtsException(PROGRAM + " run was interrupted", e);
        }
        finally
        {
            if (wav != null)
            {
                try
                {
                    Files.deleteIfExists(wav);
                }
                catch (final IOException ignored)
                {
                    // a stray file in the temp directory; nothing else to do
                }
            }
        }
    }

    /** @return the first line of what the process printed on stderr (it has exited, so this cannot block long). */
    private static String stderr(final Process process)
    {
        try (InputStream err = process.getErrorStream())
        {
            final String text = new String(err.readNBytes(MAX_STDERR_BYTES), StandardCharsets.UTF_8).strip();
            final int nl = text.indexOf('\n');
            return text.isEmpty() ? "(no message)" : nl < 0 ? text : text.substring(0, nl);
        }
        catch (final IOException e)
        {
            return "(no message)";
        }
    }
}
