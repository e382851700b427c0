package io.mmapvec.export;

/**
 * The key-value metadata keys of exported files (Parquet footer, Arrow schema), read back by the
 * importer.
 */
final class Metadata {
  /** The source file's eight-character magic. */
  static final String MAGIC = "mmapvec.magic";

  /** The source file's data version, {@code major.minor.patch}. */
  static final String DATA_VERSION = "mmapvec.dataVersion";

  /**
   * The source's element type: a primitive's Java name, {@code struct}, or {@code group} for a
   * column group directory.
   */
  static final String ELEMENT_TYPE = "mmapvec.elementType";

  /** The mmapvec file format version of the source (informational). */
  static final String FORMAT_VERSION = "mmapvec.formatVersion";

  /** A column group's sequence number of the commit that was exported (groups only). */
  static final String GROUP_SEQUENCE = "mmapvec.groupSequence";

  private Metadata() {}
}
