package io.mmapvec.bench;

/**
 * The JVM flags of the peer benchmarks' forks, one constant each so that every {@code @Fork} lists
 * the same ones (docs/BENCHMARKS.md records them). mmapvec needs only native access; Chronicle
 * Bytes and lmdbjava reach into JDK internals and need the opens and exports below on JDK 25.
 */
final class PeerFlags {
  private PeerFlags() {}

  /** mmapvec's own flag: the FFM downcalls to libc. */
  static final String NATIVE = "--enable-native-access=ALL-UNNAMED";

  /** Chronicle Bytes (direct buffers, cleaners) and lmdbjava (buffer addresses). */
  static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";

  /** Chronicle Bytes (file channel internals) and lmdbjava. */
  static final String OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";

  /** Chronicle Bytes (reflection on core classes). */
  static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";

  /** Chronicle Bytes (reflection). */
  static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";

  /** Chronicle Bytes (reflection on collections). */
  static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";

  /** Chronicle Bytes (cleaners of mapped memory). */
  static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";

  /** Chronicle Bytes (sun.nio.ch.DirectBuffer). */
  static final String EXPORT_NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

  /** Chronicle Bytes (jdk.internal.misc). */
  static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

  /** Chronicle, Agrona, lmdbjava and MapDB use sun.misc.Unsafe: JDK 25 warns without this. */
  static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";
}
