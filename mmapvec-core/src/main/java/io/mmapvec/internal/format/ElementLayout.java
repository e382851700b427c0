package io.mmapvec.internal.format;

import java.util.List;

/**
 * The layout of one element as the header records it.
 *
 * @param type the element type
 * @param elementSize the element size in bytes (a multiple of the alignment)
 * @param byteAlignment the element alignment in bytes (1, 2, 4 or 8)
 * @param fields the fields of a STRUCT element in declaration order; empty for primitives
 */
public record ElementLayout(
    ElementType type, long elementSize, long byteAlignment, List<FieldLayout> fields) {

  /** Copies the field list, so the layout is immutable. */
  public ElementLayout {
    fields = List.copyOf(fields);
  }

  /**
   * {@return the layout of a primitive element type: its own size and alignment, no fields}
   *
   * @param primitive any type but STRUCT
   * @throws IllegalArgumentException if {@code primitive} is STRUCT
   */
  public static ElementLayout of(ElementType primitive) {
    if (primitive == ElementType.STRUCT) {
      throw new IllegalArgumentException("STRUCT needs fields");
    }
    return new ElementLayout(primitive, primitive.byteSize(), primitive.byteSize(), List.of());
  }

  /**
   * {@return a short human description, e.g. "long (8 bytes)" or "struct{long t@0, ...} (24
   * bytes)"}
   */
  public String describe() {
    if (type != ElementType.STRUCT) {
      return type.javaName() + " (" + elementSize + " bytes)";
    }
    StringBuilder b = new StringBuilder("struct{");
    for (int i = 0; i < fields.size(); i++) {
      FieldLayout f = fields.get(i);
      b.append(i == 0 ? "" : ", ")
          .append(f.type().javaName())
          .append(' ')
          .append(f.name())
          .append('@')
          .append(f.offset());
    }
    return b.append("} (")
        .append(elementSize)
        .append(" bytes, align ")
        .append(byteAlignment)
        .append(')')
        .toString();
  }
}
