package io.mmapvec.export;

import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.util.Locale;

/** The element and field types of vector files, as exported columns see them. */
enum ColumnType {
  BYTE(1, ConstantDescs.CD_byte),
  SHORT(2, ConstantDescs.CD_short),
  CHAR(2, ConstantDescs.CD_char),
  INT(4, ConstantDescs.CD_int),
  LONG(8, ConstantDescs.CD_long),
  FLOAT(4, ConstantDescs.CD_float),
  DOUBLE(8, ConstantDescs.CD_double),
  BOOLEAN(1, ConstantDescs.CD_boolean);

  private final int byteSize;
  private final ClassDesc descriptor;

  ColumnType(int byteSize, ClassDesc descriptor) {
    this.byteSize = byteSize;
    this.descriptor = descriptor;
  }

  /** {@return the size of one value in bytes, also its alignment in a record} */
  int byteSize() {
    return byteSize;
  }

  /** {@return the JVM descriptor of the Java primitive type} */
  ClassDesc descriptor() {
    return descriptor;
  }

  /** {@return the Java name: byte, short, ..., boolean} */
  String javaName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * {@return the type of this Java name}
   *
   * @param javaName byte, short, char, int, long, float, double or boolean
   * @throws IllegalArgumentException for any other name
   */
  static ColumnType ofJavaName(String javaName) {
    return valueOf(javaName.toUpperCase(Locale.ROOT));
  }
}
