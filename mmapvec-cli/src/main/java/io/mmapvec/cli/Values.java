package io.mmapvec.cli;

import io.mmapvec.FieldDescription;
import io.mmapvec.VecDescription;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Reads the values of a vector file's elements without its Java class: one {@link Column} per
 * record field, or a single column named {@code value} for a vector of primitives.
 */
final class Values {
  private Values() {}

  /**
   * One column of an element.
   *
   * @param name the field name ({@code value} for primitives)
   * @param type the Java name of the type
   * @param offset the byte offset inside the element
   * @param byteSize the size in bytes
   */
  record Column(String name, String type, long offset, long byteSize) {
    /** {@return whether the type is {@code float} or {@code double}} */
    boolean isFloating() {
      return type.equals("float") || type.equals("double");
    }
  }

  /**
   * {@return the columns of the file's elements}
   *
   * @param d the file's description
   */
  static List<Column> columns(VecDescription d) {
    if (!d.isStruct()) {
      return List.of(new Column("value", d.elementType(), 0, d.elementByteSize()));
    }
    return d.fields().stream()
        .map((FieldDescription f) -> new Column(f.name(), f.type(), f.offset(), f.byteSize()))
        .toList();
  }

  /**
   * {@return the value at byte {@code at} as a double (integers converted, booleans 0 or 1, chars
   * their code unit)}
   *
   * @param s the elements
   * @param at the byte offset of the value
   * @param c its column
   * @param order the file's byte order
   */
  static double asDouble(MemorySegment s, long at, Column c, ByteOrder order) {
    return switch (c.type()) {
      case "float" -> s.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order), at);
      case "double" -> s.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order), at);
      default -> asLong(s, at, c, order);
    };
  }

  /**
   * {@return the integer value at byte {@code at}: bytes, shorts, ints and longs signed, chars as
   * their unsigned code unit, booleans as the stored byte (0 or 1 when sound)}
   *
   * @param s the elements
   * @param at the byte offset of the value
   * @param c its column, of an integer, char or boolean type
   * @param order the file's byte order
   */
  static long asLong(MemorySegment s, long at, Column c, ByteOrder order) {
    return switch (c.type()) {
      case "byte" -> s.get(ValueLayout.JAVA_BYTE, at);
      case "boolean" -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at));
      case "short" -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order), at);
      case "char" -> s.get(ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(order), at);
      case "int" -> s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), at);
      case "long" -> s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order), at);
      default -> throw new IllegalArgumentException("not an integer column: " + c);
    };
  }

  /**
   * {@return the value at byte {@code at} as text: numbers as Java prints them, booleans as {@code
   * true}/{@code false} (any byte but 0 is true), chars as the character}
   *
   * @param s the elements
   * @param at the byte offset of the value
   * @param c its column
   * @param order the file's byte order
   */
  static String asText(MemorySegment s, long at, Column c, ByteOrder order) {
    return switch (c.type()) {
      case "float" -> Float.toString(s.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order), at));
      case "double" ->
          Double.toString(s.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order), at));
      case "boolean" -> Boolean.toString(s.get(ValueLayout.JAVA_BYTE, at) != 0);
      case "char" -> String.valueOf(s.get(ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(order), at));
      default -> Long.toString(asLong(s, at, c, order));
    };
  }

  /** {@return "little" or "big"} */
  static String orderName(ByteOrder order) {
    return order == ByteOrder.BIG_ENDIAN ? "big" : "little";
  }
}
