package io.mmapvec.bench;

import java.io.Closeable;
import java.io.IOException;

/**
 * The one small interface every contender of the peer benchmarks implements: a growable run of
 * longs. Each contender runs in its own JVM fork, so every call site through this interface sees
 * one implementation and the JIT inlines it: the interface costs nothing, and all contenders run
 * the same benchmark loops.
 */
interface LongStore extends Closeable {
  /** Appends {@code value}. */
  void add(long value);

  /** {@return the element at {@code index}} */
  long get(long index);

  /** Replaces the element at {@code index}. */
  void set(long index, long value);

  /** {@return the number of elements appended} */
  long size();

  /**
   * Makes everything written so far durable, the contender's way ({@code msync}, {@code force}, a
   * commit).
   *
   * <p>Does nothing for the heap contenders.
   *
   * @throws IOException if that fails
   */
  void sync() throws IOException;
}
