package io.mmapvec.internal.format;

/** The element (or record field) types the format knows, with their on-disk codes. */
public enum ElementType {
  /** {@code byte}, 1 byte. */
  BYTE(1, 1),
  /** {@code short}, 2 bytes. */
  SHORT(2, 2),
  /** {@code char}, 2 bytes (a UTF-16 code unit). */
  CHAR(3, 2),
  /** {@code int}, 4 bytes. */
  INT(4, 4),
  /** {@code long}, 8 bytes. */
  LONG(5, 8),
  /** {@code float}, 4 bytes (IEEE 754 binary32). */
  FLOAT(6, 4),
  /** {@code double}, 8 bytes (IEEE 754 binary64). */
  DOUBLE(7, 8),
  /** {@code boolean}, 1 byte. */
  BOOLEAN(8, 1),
  /** A record of primitives; size and alignment come from its field table. */
  STRUCT(16, 0);

  private final int code;
  private final int byteSize;

  ElementType(int code, int byteSize) {
    this.code = code;
    this.byteSize = byteSize;
  }

  /** {@return the code stored in the header} */
  public int code() {
    return code;
  }

  /** {@return the size in bytes of a primitive, 0 for STRUCT} */
  public int byteSize() {
    return byteSize;
  }

  /**
   * {@return the type with this code, or null if no type has it}
   *
   * @param code a code as stored in the header
   */
  public static ElementType ofCode(int code) {
    for (ElementType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  /** {@return the Java name of the type: long, double, ..., or struct} */
  public String javaName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
