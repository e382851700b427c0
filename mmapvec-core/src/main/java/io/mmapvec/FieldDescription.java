package io.mmapvec;

import java.util.Objects;

/**
 * One field of a record element as a file's header records it: enough to read the field without the
 * Java record class, from C, numpy or another language.
 *
 * @param name the record component's name
 * @param type the Java name of the field's primitive type: {@code byte}, {@code short}, {@code
 *     char}, {@code int}, {@code long}, {@code float}, {@code double} or {@code boolean}
 * @param offset the byte offset of the field inside its element
 * @param byteSize the field's size in bytes (1, 2, 4 or 8), which is also its alignment
 */
public record FieldDescription(String name, String type, long offset, long byteSize) {

  /**
   * Checks the parts.
   *
   * @throws NullPointerException if {@code name} or {@code type} is null
   */
  public FieldDescription {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
