package io.mmapvec.internal.format;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Where each field of a column group's manifest lives (docs/FORMAT.md, "Column group manifest"):
 * the identity block's offsets, the signature and byte-order marker, and its checksum. The commit
 * slots' own offsets are {@link ManifestSlots}'.
 *
 * <p><b>Threads:</b> constants and stateless functions; any thread.
 */
final class ManifestLayout {
  private ManifestLayout() {}

  static final long OFF_MAGIC = 0;
  static final long OFF_SIGNATURE = 8;
  static final long OFF_MARKER = 16;
  static final long OFF_FORMAT_VERSION = 18;
  static final long OFF_VERSION_MAJOR = 24;
  static final long OFF_VERSION_MINOR = 26;
  static final long OFF_VERSION_PATCH = 28;
  static final long OFF_CREATED = 32;
  static final long OFF_IDENTITY_CRC = 60;

  static final byte[] SIGNATURE = "mmapvgrp".getBytes(StandardCharsets.US_ASCII);
  static final short MARKER = 0x1234;
  static final short MARKER_SWAPPED = 0x3412;

  /** {@return the CRC32C of the identity block's bytes [0, 60)} */
  static int identityCrc(MemorySegment src) {
    return HeaderLayout.crc32c(src, 0, OFF_IDENTITY_CRC);
  }

  /**
   * {@return the text with anything but printable ASCII as \xNN}: how manifest messages quote a
   * name, a magic or a signature.
   */
  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7F) {
        b.append(c);
      } else {
        b.append(String.format("\\x%02x", (int) c));
      }
    }
    return b.toString();
  }
}
