package io.mmapvec.export;

/** How Parquet pages are compressed. Arrow files are always written uncompressed (mappable). */
public enum Compression {
  /** Zstandard (level 3): small files, fast; read by every current Parquet reader. The default. */
  ZSTD,
  /** Snappy: the long-time Parquet default, for old readers. */
  SNAPPY,
  /** No compression. */
  NONE
}
