package io.mmapvec.export;

/**
 * One exported column: a primitive vector's elements, or one field of a record vector's elements.
 *
 * @param name the column name (a record component's name, or {@code value} for a primitive vector)
 * @param type the value type
 * @param offset the byte offset of the value inside its element
 */
record Column(String name, ColumnType type, long offset) {}
