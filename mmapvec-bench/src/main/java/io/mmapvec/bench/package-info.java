/**
 * JMH benchmarks of mmapvec against in-heap baselines run in the same JVM (docs/BENCHMARKS.md).
 * Never published.
 *
 * <p><b>Threads:</b> each benchmark state is {@code Scope.Thread}: one thread per state, as JMH
 * runs it.
 */
package io.mmapvec.bench;
