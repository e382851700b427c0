package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.FormatText.describeField;
import static io.mmapvec.internal.format.FormatText.escape;
import static io.mmapvec.internal.format.FormatText.quote;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Which element layouts format v1 can describe. The encoder checks a layout whole; the decoder
 * checks its two parts as it reads, so every layout that can be written can be read back and no
 * other.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class LayoutRules {
  private LayoutRules() {}

  /** {@return what is wrong with {@code layout} for format v1, or null if nothing is} */
  static String layoutProblem(ElementLayout layout) {
    Objects.requireNonNull(layout.type(), "layout.type");
    List<FieldLayout> fields = layout.fields();
    String problem =
        headProblem(layout.type(), layout.elementSize(), layout.byteAlignment(), fields.size());
    for (int i = 0; problem == null && i < fields.size(); i++) {
      problem =
          fieldProblem(i, Objects.requireNonNull(fields.get(i), "field"), layout.elementSize());
    }
    return problem;
  }

  /** {@return what is wrong with the element's type, size, alignment and field count, or null} */
  static String headProblem(ElementType type, long size, long alignment, int fieldCount) {
    if (size < 1 || size > HeaderLayout.MAX_U32) {
      return "element size is " + size + " bytes, expected 1 to " + HeaderLayout.MAX_U32;
    }
    if (alignment != 1 && alignment != 2 && alignment != 4 && alignment != 8) {
      return "element alignment is " + alignment + " bytes, expected 1, 2, 4 or 8";
    }
    if (size % alignment != 0) {
      return "element size " + size + " is not a multiple of its alignment " + alignment;
    }
    if (type != ElementType.STRUCT) {
      if (size != type.byteSize() || alignment != type.byteSize()) {
        return type.javaName()
            + " elements have size "
            + size
            + " and alignment "
            + alignment
            + " bytes, expected "
            + type.byteSize()
            + " and "
            + type.byteSize();
      }
      if (fieldCount != 0) {
        return type.javaName() + " elements have " + fieldCount + " fields, expected none";
      }
    } else if (fieldCount < 1 || fieldCount > HeaderFormat.MAX_FIELDS) {
      return "struct elements have "
          + fieldCount
          + " fields, expected 1 to "
          + HeaderFormat.MAX_FIELDS;
    }
    return null;
  }

  /**
   * {@return what is wrong with field {@code index} of an element of {@code size} bytes, or null}
   */
  static String fieldProblem(int index, FieldLayout f, long size) {
    String name = Objects.requireNonNull(f.name(), "field name");
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (name.isEmpty() || nameBytes.length > HeaderFormat.MAX_FIELD_NAME_BYTES) {
      return "field "
          + index
          + " name '"
          + escape(name)
          + "' is "
          + nameBytes.length
          + " bytes of UTF-8, expected 1 to "
          + HeaderFormat.MAX_FIELD_NAME_BYTES;
    }
    if (name.indexOf('\0') >= 0 || !StandardCharsets.UTF_8.newEncoder().canEncode(name)) {
      return "field " + index + " name " + quote(name) + " holds a NUL or an unpaired surrogate";
    }
    if (f.type() == null || f.type() == ElementType.STRUCT) {
      return "field "
          + index
          + " '"
          + escape(name)
          + "' has type "
          + (f.type() == null ? "null" : f.type().javaName())
          + ", expected a primitive";
    }
    if (f.offset() < 0 || f.offset() > size - f.type().byteSize()) {
      return "field "
          + index
          + " "
          + describeField(name, f.type(), f.type().code(), f.offset())
          + " does not fit in a "
          + size
          + "-byte element";
    }
    return null;
  }
}
