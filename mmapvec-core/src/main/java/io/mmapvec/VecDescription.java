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
 * <p>Element {@code i} of the file starts at byte {@code dataOffset() + i * elementSize()}; the
 * {@code size()} elements there are the committed ones.
 *
 * @param file the file, as given
 * @param magic the application's eight ASCII characters
 * @param dataVersion the application's data version
 * @param formatVersion the version of the mmapvec file format
 * @param byteOrder the byte order of the file's integers and elements (always this machine's: a
 *     file of the other order is refused with {@link
 *     VecFormatException.Reason#BYTE_ORDER_MISMATCH})
 * @param elementType the Java name of the element type: {@code byte}, {@code short}, {@code char},
 *     {@code int}, {@code long}, {@code float}, {@code double}, {@code boolean}, or {@code struct}
 *     for records
 * @param elementSize the size of one element in bytes, padding included
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
 */
public record VecDescription(
    Path file,
    String magic,
    DataVersion dataVersion,
    int formatVersion,
    ByteOrder byteOrder,
    String elementType,
    long elementSize,
    long elementByteAlignment,
    List<FieldDescription> fields,
    long size,
    long capacity,
    long fileByteSize,
    long dataOffset,
    int pageSizeAtCreate,
    Instant created,
    Commit active,
    Optional<Commit> other) {

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
}
