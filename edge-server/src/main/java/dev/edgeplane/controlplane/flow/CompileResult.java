package dev.edgeplane.controlplane.flow;

import dev.edgeplane.codec.Problems;

/**
 * The result of {@link FlowCompiler#compile}: the compiled flow, or every problem found in the
 * definition. {@code problems} is never null: it is empty exactly when {@code flow} is present,
 * so a caller may copy the problems into its own list without checking which case it has.
 *
 * <p>Immutable once returned (the compiler does not touch the problems again); safe to share
 * after publication.
 *
 * @param flow     the compiled flow, or null if the definition has problems.
 * @param problems the problems, paths relative to the definition; empty on success.
 */
public record CompileResult(CompiledFlow flow, Problems problems)
{
    /**
     * Checks that there is a flow exactly when there is no problem.
     */
    public CompileResult
    {
        if (problems == null)
        {
            throw new NullPointerException("problems");
        }
        if ((flow == null) != (problems.size() > 0))
        {
            throw new IllegalArgumentException("a result has a flow exactly when it has no problem");
        }
    }

    /**
     * @return true if the definition compiled.
     */
    public boolean ok()
    {
        return flow != null;
    }
}
