/**
 * mmapvec: growable vectors of primitives and of records of primitives, whose bytes live in a
 * memory-mapped file.
 *
 * <p>Only {@code io.mmapvec} is exported; everything under {@code io.mmapvec.internal} may change
 * without notice.
 */
module io.mmapvec {
  requires jdk.jfr;

  exports io.mmapvec;
}
