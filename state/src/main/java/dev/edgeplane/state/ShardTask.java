package dev.edgeplane.state;

/**
 * A unit of work that mutates shard-owned state.
 *
 * <p>Threading: {@link #execute()} runs only on the owning shard's writer thread, so it may read and
 * write that shard's state without locks. It must not block (no JDBC, no socket I/O): anything slow
 * goes through the journal or another asynchronous path.
 */
@FunctionalInterface
public interface ShardTask
{
    /** Runs the task on the shard writer thread. */
    void execute();
}
