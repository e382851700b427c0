package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.ManifestLayout.MARKER;
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
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The only place that knows the bytes of a column group's manifest (docs/FORMAT.md, "Column group
 * manifest"). Native byte order, CRC32C checksums, like the vector header.
 *
 * <p>The manifest is a {@value #FILE_BYTES}-byte file: an identity block in its first page, two
 * commit slots of {@value #SLOT_BYTES} bytes at 4096 and 12288, and the published sequence word of
 * live group readers alone in the last page. A slot holds the group's sequence and one 64-byte
 * entry per column (name, element type and size, committed size). A group commit writes the
 * inactive slot after every column's data and own slot are durable; on open the valid slot with the
 * higher sequence wins.
 *
 * <p>This class holds the entry points, the limits and the decoded values; the bytes are {@link
 * ManifestLayout}'s (identity block), {@link ManifestSlots}' (a commit slot) and {@link
 * ManifestDecoder}'s (the checks, in order).
 *
 * <p><b>Threads:</b> stateless; any thread, as long as no other thread writes the segments passed
 * in at the same time. The methods keep no reference to the segments.
 */
public final class GroupManifestFormat {
  private GroupManifestFormat() {}

  /** The manifest format version this library writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /**
   * The manifest's size in bytes as this library creates it: the identity page, two slots, and the
   * page of the published sequence word.
   */
  public static final int FILE_BYTES = 4096 + 2 * 8192 + 4096;

  /**
   * The smallest manifest an open accepts: the identity page and two slots. A manifest written
   * before the published sequence page existed has this size; a writer extends it at open.
   */
  public static final int MIN_FILE_BYTES = 4096 + 2 * 8192;

  /**
   * Offset of the published sequence word ({@code u64}, alone in the last page): the sequence of
   * the newest group commit whose manifest slot is durable, stored by a writer (release) after the
   * slot's {@code fdatasync}, and at open after making the slot pages durable. Never made durable
   * itself; meaningful only while a writer holds the writer lock byte (docs/FORMAT.md).
   */
  public static final long PUBLISHED_SEQUENCE_OFFSET = 4096 + 2 * 8192;

  /** The first byte of the pages holding the two commit slots. */
  public static final long SLOT_PAGES_OFFSET = 4096;

  /** The length of the pages holding the two commit slots, {@code [4096, 20480)}. */
  public static final long SLOT_PAGES_BYTES = 2 * 8192;

  private static final VarHandle LONG = JAVA_LONG.varHandle();

  /** Bytes of one commit slot: a 64-byte slot head and up to {@link #MAX_COLUMNS} entries. */
  public static final int SLOT_BYTES = 8192;

  /** The most columns a group may have: as many 64-byte entries as fit after the slot head. */
  public static final int MAX_COLUMNS = (SLOT_BYTES - 64) / 64;

  /** The longest column name, in bytes. */
  public static final int MAX_NAME_BYTES = 31;

  /**
   * One column as a commit slot records it.
   *
   * @param name the column's name (its file is {@code name + ".vec"})
   * @param type the element type
   * @param elementSize the element size in bytes
   * @param size the committed size, in elements
   * @param columnSequence the sequence of the column file's own commit slot written by this group
   *     commit (or before it): a column file whose newest slot is older was not part of it
   */
  public record Column(
      String name, ElementType type, long elementSize, long size, long columnSequence) {
    /** Checks the name and the numbers. */
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      String problem = nameProblem(name);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      if (elementSize < 1 || elementSize > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("element size " + elementSize + " is not 1..2^32-1");
      }
      if (type != ElementType.STRUCT && elementSize != type.byteSize()) {
        throw new IllegalArgumentException(
            type.javaName() + " has " + type.byteSize() + " bytes, not " + elementSize);
      }
      if (size < 0) {
        throw new IllegalArgumentException("size " + size + " is negative");
      }
      if (columnSequence < 1) {
        throw new IllegalArgumentException("column sequence " + columnSequence + " is not >= 1");
      }
    }

    /** {@return the column's file name in the group directory: the name and ".vec"} */
    public String fileName() {
      return name + ".vec";
    }
  }

  /**
   * One commit: the group's sequence, when, every column in the group at that commit, and the
   * group's rewrite counter.
   *
   * @param sequence the group commit's sequence, from 1
   * @param commitTimeMillis when it was written
   * @param columns every column of the group at this commit, in column order
   * @param rewrites the rewrite counter: differs from the previous commit's when a commit changed
   *     elements below a column's previous committed size; 0 in a slot written before the counter
   *     existed
   */
  public record Commit(long sequence, long commitTimeMillis, List<Column> columns, long rewrites) {
    /**
     * A commit with rewrite counter 0.
     *
     * @param sequence the group commit's sequence
     * @param commitTimeMillis when it was written
     * @param columns the columns
     */
    public Commit(long sequence, long commitTimeMillis, List<Column> columns) {
      this(sequence, commitTimeMillis, columns, 0);
    }

    /** Checks the sequence, the column count and that names are distinct. */
    public Commit {
      columns = List.copyOf(columns);
      if (sequence < 1) {
        throw new IllegalArgumentException("sequence " + sequence + " is not 1..2^63-1");
      }
      if (columns.size() > MAX_COLUMNS) {
        throw new IllegalArgumentException(
            columns.size() + " columns, at most " + MAX_COLUMNS + " fit in a manifest slot");
      }
      Set<String> seen = new HashSet<>();
      for (Column c : columns) {
        if (!seen.add(c.name())) {
          throw new IllegalArgumentException("column '" + c.name() + "' appears twice");
        }
      }
    }
  }

  /**
   * A validated manifest.
   *
   * @param magic the application's magic
   * @param dataVersion the application's data version
   * @param createdMillis when the group was created
   * @param activeSlot the slot that won (0 or 1)
   * @param active the winning commit
   * @param otherProblem why the other slot did not win, when it is not valid ("is empty", ...), or
   *     null when it is valid and older
   */
  public record Manifest(
      String magic,
      DataVersion dataVersion,
      long createdMillis,
      int activeSlot,
      Commit active,
      String otherProblem) {}

  /**
   * {@return the problem with a column name, or null if it is valid} Valid: 1 to 31 characters from
   * {@code A-Z a-z 0-9 _ $ -}, not starting with {@code -}.
   *
   * @param name the name
   */
  public static String nameProblem(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_BYTES) {
      return "column name '" + escape(name) + "' must have 1 to " + MAX_NAME_BYTES + " characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '$'
              || (c == '-' && i > 0);
      if (!ok) {
        return "column name '" + escape(name) + "' may only use A-Z a-z 0-9 _ $ and - (not first)";
      }
    }
    return null;
  }

  /**
   * {@return the byte offset of commit slot 0 or 1}
   *
   * @param slot 0 or 1
   */
  public static long slotOffset(int slot) {
    return switch (slot) {
      case 0 -> 4096;
      case 1 -> 4096 + SLOT_BYTES;
      default -> throw new IllegalArgumentException("commit slot is " + slot + ", expected 0 or 1");
    };
  }

  /**
   * Writes a new manifest into {@code dst} ({@link #FILE_BYTES} long, zero-filled by the caller):
   * the identity block, slot 0 = (sequence 1, no columns), slot 1 empty.
   *
   * @param dst the destination
   * @param magic 8 printable ASCII characters
   * @param version the application's data version
   * @param nowMillis the creation time
   */
  public static void encodeNew(
      MemorySegment dst, String magic, DataVersion version, long nowMillis) {
    if (dst.byteSize() < FILE_BYTES) {
      throw new IllegalArgumentException(
          "buffer is " + dst.byteSize() + " bytes, need " + FILE_BYTES);
    }
    byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
    if (m.length != 8 || magic.length() != 8) {
      throw new IllegalArgumentException("magic must be 8 ASCII characters: '" + magic + "'");
    }
    MemorySegment.copy(MemorySegment.ofArray(m), 0, dst, OFF_MAGIC, 8);
    MemorySegment.copy(MemorySegment.ofArray(SIGNATURE), 0, dst, OFF_SIGNATURE, 8);
    dst.set(JAVA_SHORT_UNALIGNED, OFF_MARKER, MARKER);
    dst.set(JAVA_SHORT_UNALIGNED, OFF_FORMAT_VERSION, (short) FORMAT_VERSION);
    dst.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_MAJOR, (short) version.major());
    dst.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_MINOR, (short) version.minor());
    dst.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_PATCH, (short) version.patch());
    dst.set(JAVA_LONG_UNALIGNED, OFF_CREATED, nowMillis);
    dst.set(JAVA_INT_UNALIGNED, OFF_IDENTITY_CRC, ManifestLayout.identityCrc(dst));
    encodeSlot(dst.asSlice(slotOffset(0), SLOT_BYTES), new Commit(1, nowMillis, List.of()));
  }

  /**
   * Writes {@code commit} into {@code slot}, a {@link #SLOT_BYTES}-byte segment: the head, the
   * entries, zeros after them, and the checksum.
   *
   * @param slot the slot's bytes
   * @param commit what to write
   */
  public static void encodeSlot(MemorySegment slot, Commit commit) {
    if (slot.byteSize() != SLOT_BYTES) {
      throw new IllegalArgumentException(
          "slot is " + slot.byteSize() + " bytes, not " + SLOT_BYTES);
    }
    ManifestSlots.encode(slot, commit);
  }

  /**
   * Validates a manifest, in order: size, signature, byte order, format version, identity checksum,
   * magic, data version, then the slots ({@link ManifestDecoder}).
   *
   * @param src the file's bytes (at most {@link #FILE_BYTES} are read)
   * @param fileSize the file's size
   * @param magic the magic expected, or null to accept any
   * @param version the data version expected, or null to accept any
   * @param file the manifest file, for messages
   * @return the manifest with its winning commit
   * @throws VecFormatException naming the first check that failed and the file
   */
  public static Manifest decode(
      MemorySegment src, long fileSize, String magic, DataVersion version, Path file)
      throws VecFormatException {
    return ManifestDecoder.decode(src, fileSize, magic, version, file);
  }

  // ------------------------------------------------------------------- live readers

  /**
   * {@return the published sequence word, with acquire semantics; 0 if the mapping does not reach
   * it (a manifest of {@link #MIN_FILE_BYTES})}
   *
   * @param file a mapping of the manifest from offset 0
   */
  public static long publishedSequence(MemorySegment file) {
    if (file.byteSize() < PUBLISHED_SEQUENCE_OFFSET + 8) {
      return 0;
    }
    return (long) LONG.getAcquire(file, PUBLISHED_SEQUENCE_OFFSET);
  }

  /**
   * Stores the published sequence word with release semantics. Call only after the slot with this
   * sequence is durable.
   *
   * @param file a writable mapping of the manifest from offset 0, {@link #FILE_BYTES} long
   * @param sequence the sequence of a durable manifest slot
   */
  public static void publish(MemorySegment file, long sequence) {
    LONG.setRelease(file, PUBLISHED_SEQUENCE_OFFSET, sequence);
  }

  /**
   * {@return the sequence word of slot 0 or 1 as it is now, unchecked (acquire load)}
   *
   * @param file a mapping of the manifest from offset 0
   * @param slot 0 or 1
   */
  public static long sequenceWord(MemorySegment file, int slot) {
    return (long) LONG.getAcquire(file, slotOffset(slot));
  }

  /**
   * Reads manifest slot {@code slot} from a live mapping a writer may be writing right now: copies
   * its bytes twice with a fence between and accepts them only if both copies agree and the slot is
   * valid (the vector header's {@link LiveHeader#readSlot} for the manifest).
   *
   * @param file a mapping of the manifest from offset 0
   * @param slot 0 or 1
   * @return the commit, or null if the slot is empty, damaged, or kept changing while read
   */
  public static Commit readSlotLive(MemorySegment file, int slot) {
    MemorySegment src = file.asSlice(slotOffset(slot), SLOT_BYTES);
    byte[] first = new byte[SLOT_BYTES];
    byte[] second = new byte[SLOT_BYTES];
    for (int attempt = 0; attempt < 8; attempt++) {
      VarHandle.acquireFence();
      MemorySegment.copy(src, JAVA_BYTE, 0, first, 0, SLOT_BYTES);
      VarHandle.acquireFence();
      MemorySegment.copy(src, JAVA_BYTE, 0, second, 0, SLOT_BYTES);
      if (java.util.Arrays.equals(first, second)) {
        return ManifestSlots.read(MemorySegment.ofArray(first)).valid();
      }
      Thread.onSpinWait();
    }
    return null;
  }
}
