package io.mmapvec;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a vector file holds, read from its header by {@link VecFiles#describe(Path)} without the
 * Java class of its elements: identity, element layout (for record elements, every field's name,
 * type and offset), committed size and the commit slots. Immutable.
 *
 * <p>Element {@code i} of the file starts at byte {@code dataOffset() + i * elementByteSize()}; the
 * {@code size()} elements there are the committed ones.
 *
 * @param file the file, as given
 * @param magic the application's eight ASCII characters
 * @param dataVersion the application's data version
 * @param formatVersion the version of the mmapvec file format
 * @param byteOrder the byte order of the file's integers and elements; a vector of the other order
 *     than this machine's does not open ({@link VecFormatException.Reason#BYTE_ORDER_MISMATCH}):
 *     {@link VecFiles#convert} makes a copy that does
 * @param elementType the Java name of the element type: {@code byte}, {@code short}, {@code char},
 *     {@code int}, {@code long}, {@code float}, {@code double}, {@code boolean}, or {@code struct}
 *     for records
 * @param elementByteSize the size of one element in bytes, padding included
 * @param elementByteAlignment the alignment of an element in bytes (1, 2, 4 or 8)
 * @param fields the fields of a record element in declaration order; empty for primitives
 * @param size the committed number of elements: what a vector opened on the file holds
 * @param capacity how many elements the file has room for without growing
 * @param fileByteSize the file's size in bytes
 * @param dataOffset the byte offset of element 0 in the file
 * @param pageSizeAtCreate the page size of the machine that created the file (informational)
 * @param created when the file was created (informational)
 * @param active the commit slot that won: valid, with the higher sequence
 * @param other the other commit slot, when it is valid (empty when never written or damaged)
 * @param lock who held locks on the file when it was described, as the kernel listed them
 */
public record VecDescription(
    Path file,
    String magic,
    DataVersion dataVersion,
    int formatVersion,
    ByteOrder byteOrder,
    String elementType,
    long elementByteSize,
    long elementByteAlignment,
    List<FieldDescription> fields,
    long size,
    long capacity,
    long fileByteSize,
    long dataOffset,
    int pageSizeAtCreate,
    Instant created,
    Commit active,
    Optional<Commit> other,
    LockState lock) {

  /**
   * Copies the field list, so the description is immutable.
   *
   * @throws NullPointerException if a reference part is null
   */
  public VecDescription {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(magic, "magic");
    Objects.requireNonNull(dataVersion, "dataVersion");
    Objects.requireNonNull(byteOrder, "byteOrder");
    Objects.requireNonNull(elementType, "elementType");
    fields = List.copyOf(fields);
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(other, "other");
    Objects.requireNonNull(lock, "lock");
  }

  /** {@return whether the elements are records (type {@code struct}, with fields)} */
  public boolean isStruct() {
    return !fields.isEmpty();
  }

  /**
   * One of the header's two commit slots: a committed size, made durable after the data it covers.
   * Each sync writes the slot that did not win last time, with the next sequence number.
   *
   * @param slot 0 or 1
   * @param sequence the slot's sequence number; the higher one wins
   * @param size the committed number of elements
   * @param time when the commit was written (informational)
   */
  public record Commit(int slot, long sequence, long size, Instant time) {
    /**
     * Checks the parts.
     *
     * @throws NullPointerException if {@code time} is null
     */
    public Commit {
      Objects.requireNonNull(time, "time");
    }
  }

  /**
   * Who held the file's advisory locks at one moment, as the kernel lists them ({@code /proc/locks}
   * on Linux). For reports only: it can change as soon as it is read, and only a lock taken at open
   * decides who may write.
   *
   * @param holder free, a writer, readers, or unknown where the system does not list locks
   * @param pids the holders' process ids where the kernel shows them, in ascending order (none for
   *     a lock listed without a pid, such as an OFD lock on recent kernels)
   */
  public record LockState(Holder holder, List<Long> pids) {
    /** Who holds the locks. */
    public enum Holder {
      /** No lock is held: no vector has the file open. */
      FREE,
      /** A writer holds the exclusive lock: a vector has the file open for writing. */
      WRITER,
      /** Only shared locks are held: one or more read-only vectors have the file open. */
      READERS,
      /** The system does not say (not Linux, or the lock list cannot be read). */
      UNKNOWN
    }

    /**
     * Copies the pid list, so the state is immutable.
     *
     * @throws NullPointerException if a part is null
     */
    public LockState {
      Objects.requireNonNull(holder, "holder");
      pids = List.copyOf(pids);
    }
  }
}
