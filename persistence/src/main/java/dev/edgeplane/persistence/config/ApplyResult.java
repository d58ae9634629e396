package dev.edgeplane.persistence.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.edgeplane.codec.Problems;

/**
 * What {@link ConfigRepository#apply} did: either every account of the document was applied (and {@code versions}
 * holds each one's new version) or nothing changed and {@code problems} says why, with document paths such as
 * {@code accounts[0].dids[2].number}, ready for the {@code details} of a 400 error.
 *
 * <p>Immutable apart from {@code problems}, which the caller owns once it has the result (the codec's
 * {@link Problems} is a mutable, single-thread list): hand it on, do not share it between threads without a
 * happens-before edge.
 *
 * @param applied  true if the document was committed.
 * @param problems why it was not; empty when {@code applied}.
 * @param versions account id to its version after the apply, in document order; empty when not {@code applied}.
 */
public record ApplyResult(boolean applied, Problems problems, Map<String, Long> versions)
{
    /**
     * Copies {@code versions}, keeping its order.
     */
    public ApplyResult
    {
        Objects.requireNonNull(problems, "problems");
        versions = null == versions ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }
}
