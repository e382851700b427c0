package io.mmapvec.internal.format;

/**
 * One field of a record element: its name, primitive type and byte offset inside the element.
 *
 * @param name the record component name (at most 31 bytes of UTF-8)
 * @param type a primitive type (never STRUCT)
 * @param offset the byte offset inside the element
 */
public record FieldLayout(String name, ElementType type, long offset) {}
