package dev.edgeplane.controlplane.media;

/**
 * Where a generated prompt is published besides this node's media store: the TTS media cache of
 * seed 000 when {@code TTS_MEDIA_CACHE_BASE_URL} is set ({@link MediaHandlers} wires it).
 *
 * <p>Threading: called on the blocking pool; implementations block and are thread-safe.
 */
@FunctionalInterface
public interface MediaPublisher
{
    /** @return null when published, else why not (operator-facing, no secret). */
    String publish(String key, byte[] wav);
}
