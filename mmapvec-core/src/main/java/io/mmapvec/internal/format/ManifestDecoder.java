package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.ManifestLayout.MARKER;
import static io.mmapvec.internal.format.ManifestLayout.MARKER_SWAPPED;
import static io.mmapvec.internal.format.ManifestLayout.OFF_CREATED;
import static io.mmapvec.internal.format.ManifestLayout.OFF_FORMAT_VERSION;
import static io.mmapvec.internal.format.ManifestLayout.OFF_IDENTITY_CRC;
import static io.mmapvec.internal.format.ManifestLayout.OFF_MAGIC;
import static io.mmapvec.internal.format.ManifestLayout.OFF_MARKER;
import static io.mmapvec.internal.format.ManifestLayout.OFF_SIGNATURE;
import static io.mmapvec.internal.format.ManifestLayout.OFF_VERSION_MAJOR;
import static io.mmapvec.internal.format.ManifestLayout.OFF_VERSION_MINOR;
import static io.mmapvec.internal.format.ManifestLayout.OFF_VERSION_PATCH;
import static io.mmapvec.internal.format.ManifestLayout.SIGNATURE;
import static io.mmapvec.internal.format.ManifestLayout.escape;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.internal.format.GroupManifestFormat.Manifest;
import io.mmapvec.internal.format.ManifestSlots.SlotRead;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and checks a column group's manifest, in the order docs/FORMAT.md gives: size, signature,
 * byte order, format version, identity checksum, magic, data version, then both commit slots
 * ({@link ManifestSlots}); the valid slot with the higher sequence wins. The first failed check is
 * thrown as a {@link VecFormatException} naming the file.
 *
 * <p><b>Threads:</b> stateless; any thread, as long as no other thread writes the bytes read.
 */
final class ManifestDecoder {
  private ManifestDecoder() {}

  /** See {@link GroupManifestFormat#decode}. */
  static Manifest decode(
      MemorySegment src, long fileSize, String magic, DataVersion version, Path file)
      throws VecFormatException {
    if (fileSize < GroupManifestFormat.MIN_FILE_BYTES
        || src.byteSize() < GroupManifestFormat.MIN_FILE_BYTES) {
      if (fileSize >= 16 && src.byteSize() >= 16 && !signatureMatches(src)) {
        throw notAManifest(src, file);
      }
      throw new VecFormatException(
          Reason.TRUNCATED,
          "group manifest is "
              + fileSize
              + " bytes, expected at least "
              + GroupManifestFormat.MIN_FILE_BYTES,
          file);
    }
    if (!signatureMatches(src)) {
      throw notAManifest(src, file);
    }
    short marker = src.get(JAVA_SHORT_UNALIGNED, OFF_MARKER);
    if (marker == MARKER_SWAPPED) {
      String other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "big" : "little";
      throw new VecFormatException(
          Reason.BYTE_ORDER_MISMATCH,
          "group manifest's byte-order marker is 0x3412, expected 0x1234: written on a "
              + other
              + "-endian machine",
          file);
    }
    if (marker != MARKER) {
      throw new VecFormatException(
          Reason.BAD_BYTE_ORDER_MARKER,
          "group manifest's byte-order marker is 0x"
              + String.format("%04x", marker & 0xFFFF)
              + ", expected 0x1234",
          file);
    }
    int formatVersion = Short.toUnsignedInt(src.get(JAVA_SHORT_UNALIGNED, OFF_FORMAT_VERSION));
    if (formatVersion != GroupManifestFormat.FORMAT_VERSION) {
      throw new VecFormatException(
          Reason.UNSUPPORTED_FORMAT_VERSION,
          "group manifest format version is "
              + formatVersion
              + ", expected "
              + GroupManifestFormat.FORMAT_VERSION,
          file);
    }
    int storedCrc = src.get(JAVA_INT_UNALIGNED, OFF_IDENTITY_CRC);
    int crc = ManifestLayout.identityCrc(src);
    if (storedCrc != crc) {
      throw new VecFormatException(
          Reason.CHECKSUM_MISMATCH,
          "group manifest's identity checksum is "
              + FormatText.hex32(storedCrc)
              + ", computed "
              + FormatText.hex32(crc)
              + ": the identity block is damaged",
          file);
    }
    String foundMagic =
        new String(src.asSlice(OFF_MAGIC, 8).toArray(JAVA_BYTE), StandardCharsets.ISO_8859_1);
    if (magic != null && !foundMagic.equals(magic)) {
      throw new VecFormatException(
          Reason.MAGIC_MISMATCH,
          "group magic is '" + escape(foundMagic) + "', expected '" + escape(magic) + "'",
          file);
    }
    DataVersion found =
        new DataVersion(
            Short.toUnsignedInt(src.get(JAVA_SHORT_UNALIGNED, OFF_VERSION_MAJOR)),
            Short.toUnsignedInt(src.get(JAVA_SHORT_UNALIGNED, OFF_VERSION_MINOR)),
            Short.toUnsignedInt(src.get(JAVA_SHORT_UNALIGNED, OFF_VERSION_PATCH)));
    if (version != null && !found.equals(version)) {
      throw new VecFormatException(
          Reason.DATA_VERSION_MISMATCH,
          "group data version is " + found + ", expected " + version,
          file);
    }
    SlotRead s0 = ManifestSlots.read(slot(src, 0));
    SlotRead s1 = ManifestSlots.read(slot(src, 1));
    if (s0.valid() == null && s1.valid() == null) {
      throw new VecFormatException(
          Reason.CHECKSUM_MISMATCH,
          "both group commit slots are invalid: slot 0 "
              + s0.problem()
              + ", slot 1 "
              + s1.problem(),
          file);
    }
    int active;
    if (s0.valid() == null) {
      active = 1;
    } else if (s1.valid() == null) {
      active = 0;
    } else {
      active = s1.valid().sequence() > s0.valid().sequence() ? 1 : 0;
    }
    SlotRead win = active == 0 ? s0 : s1;
    SlotRead other = active == 0 ? s1 : s0;
    return new Manifest(
        foundMagic,
        found,
        src.get(JAVA_LONG_UNALIGNED, OFF_CREATED),
        active,
        win.valid(),
        other.problem());
  }

  private static MemorySegment slot(MemorySegment src, int slot) {
    return src.asSlice(GroupManifestFormat.slotOffset(slot), GroupManifestFormat.SLOT_BYTES);
  }

  private static boolean signatureMatches(MemorySegment src) {
    return Arrays.equals(src.asSlice(OFF_SIGNATURE, 8).toArray(JAVA_BYTE), SIGNATURE);
  }

  private static VecFormatException notAManifest(MemorySegment src, Path file) {
    String found =
        new String(src.asSlice(OFF_SIGNATURE, 8).toArray(JAVA_BYTE), StandardCharsets.ISO_8859_1);
    return new VecFormatException(
        Reason.NOT_A_GROUP,
        "signature is '" + escape(found) + "', expected 'mmapvgrp': not a column group manifest",
        file);
  }
}
