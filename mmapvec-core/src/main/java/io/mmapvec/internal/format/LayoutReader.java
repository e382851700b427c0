package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.FormatText.shortDescription;
import static io.mmapvec.internal.format.HeaderLayout.u32;
import static io.mmapvec.internal.format.HeaderLayout.u8;

import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Check i of the header: the element layout, first compared with the expected one when given
 * (naming the first difference), then checked for sense ({@link LayoutRules}). The field table is
 * read once, and only once the field count is known to fit in the first page.
 *
 * <p><b>Threads:</b> confined to the thread decoding the header.
 */
final class LayoutReader {
  private final ElementLayout expected;
  private final Path file;
  private final int typeCode;
  private final ElementType type;
  private final long size;
  private final long alignment;
  private final long count;
  private final FieldTable table;

  LayoutReader(MemorySegment src, Identity expected, Path file) {
    this.expected = expected == null ? null : expected.layout();
    this.file = file;
    this.typeCode = u8(src, HeaderLayout.OFF_TYPE_CODE);
    this.type = ElementType.ofCode(typeCode);
    this.size = u32(src, HeaderLayout.OFF_ELEMENT_SIZE);
    this.alignment = u32(src, HeaderLayout.OFF_ELEMENT_ALIGNMENT);
    this.count = u32(src, HeaderLayout.OFF_FIELD_COUNT);
    this.table = count <= HeaderFormat.MAX_FIELDS ? FieldTable.read(src, (int) count) : null;
  }

  /** {@return the validated layout} */
  ElementLayout read() throws VecFormatException {
    if (expected != null) {
      checkMatchesExpected();
    }
    if (type == null) {
      throw FieldTable.invalid(
          "element type code is " + typeCode + ", " + FormatText.knownCodes(), file);
    }
    if (count > HeaderFormat.MAX_FIELDS) {
      throw FieldTable.invalid(
          "field count is " + count + ", expected at most " + HeaderFormat.MAX_FIELDS, file);
    }
    String headProblem = LayoutRules.headProblem(type, size, alignment, (int) count);
    if (headProblem != null) {
      throw FieldTable.invalid(headProblem, file);
    }
    return new ElementLayout(type, size, alignment, table.validate(size, file));
  }

  /** The file's layout against the expected one: the fields first, then the element's head. */
  private void checkMatchesExpected() throws VecFormatException {
    String difference = null;
    if (type == ElementType.STRUCT && expected.type() == ElementType.STRUCT && table != null) {
      difference = table.differenceFrom(expected.fields());
    }
    if (difference == null) {
      difference = headDifference();
    }
    if (difference != null) {
      throw new VecFormatException(Reason.ELEMENT_TYPE_MISMATCH, difference, file);
    }
  }

  /**
   * {@return the first difference between the file's type, size, alignment, field count and the
   * expected ones, or null}
   */
  private String headDifference() {
    String opened = "opened as " + shortDescription(expected.type(), expected.elementSize());
    if (type == null) {
      return "file holds elements of unknown type code " + typeCode + ", " + opened;
    }
    if (type != expected.type() || size != expected.elementSize()) {
      return "file holds " + shortDescription(type, size) + ", " + opened;
    }
    if (alignment != expected.byteAlignment()) {
      return "file holds "
          + type.javaName()
          + " elements aligned to "
          + alignment
          + " bytes, opened as "
          + type.javaName()
          + " aligned to "
          + expected.byteAlignment()
          + " bytes";
    }
    List<FieldLayout> wanted = expected.fields();
    if (count != wanted.size()) {
      return "file holds "
          + type.javaName()
          + " elements with "
          + count
          + " fields, opened as "
          + type.javaName()
          + " with "
          + wanted.size()
          + " fields";
    }
    return null;
  }
}
