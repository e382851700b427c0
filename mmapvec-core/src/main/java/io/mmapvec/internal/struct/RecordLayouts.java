package io.mmapvec.internal.struct;

import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.format.FieldLayout;
import io.mmapvec.internal.format.HeaderFormat;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that turns a Java record class into an element layout: its components in
 * declaration order, laid out the way a C compiler lays out a struct of the same fields in the same
 * order, so the file's bytes are readable as {@code #[repr(C)]} structs in Rust, plain structs in C
 * and structured dtypes in numpy.
 *
 * <p>The rules are C's: each field's alignment is its size (natural alignment); a field starts at
 * the next multiple of its alignment after the previous field's end; the element's alignment is its
 * largest field alignment and its size the end of the last field rounded up to that alignment (so
 * that in an array every element, and every field in it, is aligned). {@code boolean} is one byte
 * holding 0 or 1, {@code char} two bytes (a UTF-16 code unit).
 *
 * <p><b>Threads:</b> stateless; every method may be called from any thread.
 */
public final class RecordLayouts {
  private RecordLayouts() {}

  /** The component types a record element may have, for messages. */
  public static final String SUPPORTED = "byte, short, char, int, long, float, double and boolean";

  /**
   * {@return the C layout of the record class {@code type}}
   *
   * @param type a record class whose components are all primitives
   * @throws IllegalArgumentException if {@code type} is not a record class, has no components, has
   *     a component that is not a primitive (naming it), or does not fit in the header's field
   *     table (more than {@value HeaderFormat#MAX_FIELDS} components, or a component name longer
   *     than {@value HeaderFormat#MAX_FIELD_NAME_BYTES} bytes of UTF-8)
   */
  public static ElementLayout of(Class<?> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(
          type.getName() + " is not a record class; StructVec holds records of primitives");
    }
    RecordComponent[] components = type.getRecordComponents();
    if (components.length == 0) {
      throw new IllegalArgumentException(
          "record "
              + type.getName()
              + " has no components; a StructVec element needs at least one");
    }
    if (components.length > HeaderFormat.MAX_FIELDS) {
      throw new IllegalArgumentException(
          "record "
              + type.getName()
              + " has "
              + components.length
              + " components, the file header holds at most "
              + HeaderFormat.MAX_FIELDS);
    }
    List<FieldLayout> fields = new ArrayList<>(components.length);
    long end = 0;
    long alignment = 1;
    for (RecordComponent c : components) {
      ElementType t = typeOf(c.getType());
      if (t == null) {
        throw new IllegalArgumentException(
            "record component "
                + type.getName()
                + "."
                + c.getName()
                + " has type "
                + c.getGenericType().getTypeName()
                + "; StructVec supports only components of type "
                + SUPPORTED);
      }
      int nameBytes = c.getName().getBytes(StandardCharsets.UTF_8).length;
      if (nameBytes > HeaderFormat.MAX_FIELD_NAME_BYTES) {
        throw new IllegalArgumentException(
            "record component "
                + type.getName()
                + "."
                + c.getName()
                + " has a name of "
                + nameBytes
                + " bytes of UTF-8, the file header holds at most "
                + HeaderFormat.MAX_FIELD_NAME_BYTES);
      }
      long size = t.byteSize();
      long offset = alignUp(end, size);
      fields.add(new FieldLayout(c.getName(), t, offset));
      end = offset + size;
      alignment = Math.max(alignment, size);
    }
    return new ElementLayout(ElementType.STRUCT, alignUp(end, alignment), alignment, fields);
  }

  /**
   * {@return the field type of a record component of class {@code c}, or null if it has none}
   *
   * @param c a component's class, such as {@code double.class}
   */
  public static ElementType typeOf(Class<?> c) {
    if (c == byte.class) {
      return ElementType.BYTE;
    } else if (c == short.class) {
      return ElementType.SHORT;
    } else if (c == char.class) {
      return ElementType.CHAR;
    } else if (c == int.class) {
      return ElementType.INT;
    } else if (c == long.class) {
      return ElementType.LONG;
    } else if (c == float.class) {
      return ElementType.FLOAT;
    } else if (c == double.class) {
      return ElementType.DOUBLE;
    } else if (c == boolean.class) {
      return ElementType.BOOLEAN;
    }
    return null;
  }

  /**
   * {@return the Java class of a field type, such as {@code double.class}}
   *
   * @param t a primitive type (not STRUCT)
   * @throws IllegalArgumentException if {@code t} is STRUCT
   */
  public static Class<?> javaType(ElementType t) {
    return switch (t) {
      case BYTE -> byte.class;
      case SHORT -> short.class;
      case CHAR -> char.class;
      case INT -> int.class;
      case LONG -> long.class;
      case FLOAT -> float.class;
      case DOUBLE -> double.class;
      case BOOLEAN -> boolean.class;
      case STRUCT -> throw new IllegalArgumentException("STRUCT is not a field type");
    };
  }

  /**
   * {@return the aligned value layout of a field type, in native byte order}
   *
   * @param t a primitive type (not STRUCT)
   * @throws IllegalArgumentException if {@code t} is STRUCT
   */
  public static ValueLayout valueLayout(ElementType t) {
    return switch (t) {
      case BYTE -> ValueLayout.JAVA_BYTE;
      case SHORT -> ValueLayout.JAVA_SHORT;
      case CHAR -> ValueLayout.JAVA_CHAR;
      case INT -> ValueLayout.JAVA_INT;
      case LONG -> ValueLayout.JAVA_LONG;
      case FLOAT -> ValueLayout.JAVA_FLOAT;
      case DOUBLE -> ValueLayout.JAVA_DOUBLE;
      case BOOLEAN -> ValueLayout.JAVA_BOOLEAN;
      case STRUCT -> throw new IllegalArgumentException("STRUCT is not a field type");
    };
  }

  private static long alignUp(long offset, long alignment) {
    return (offset + alignment - 1) / alignment * alignment;
  }
}
