package io.mmapvec.export;

import io.mmapvec.ByteVec;
import io.mmapvec.DataVersion;
import io.mmapvec.DoubleVec;
import io.mmapvec.FieldDescription;
import io.mmapvec.FloatVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.ShortVec;
import io.mmapvec.Vec;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.VecOptions;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vector file opened read-only through the public API (shared lock, the last committed size),
 * seen as columns over the bytes of its elements. The columns stay valid until {@link #close()}.
 * One thread at a time.
 */
final class Source implements Closeable {
  /** The column name of a primitive vector's elements. */
  static final String VALUE = "value";

  private final Path path;
  private final VecDescription description;
  private final Vec vec;
  private final MemorySegment data;
  private final List<Column> columns;

  private Source(
      Path path, VecDescription description, Vec vec, MemorySegment data, List<Column> columns) {
    this.path = path;
    this.description = description;
    this.vec = vec;
    this.data = data;
    this.columns = columns;
  }

  /**
   * Opens {@code path} read-only and picks the columns.
   *
   * @param path a vector file
   * @param selected column names to export in this order, or empty for all in file order
   * @return the open source
   * @throws ExportException if a selected column does not exist
   * @throws IOException if the file cannot be described or opened (the core's typed exceptions:
   *     missing file, not a vector file, locked by a writer)
   */
  static Source open(Path path, List<String> selected) throws IOException {
    VecDescription d = VecFiles.describe(path);
    Map<String, Column> all = new LinkedHashMap<>();
    if (d.isStruct()) {
      for (FieldDescription f : d.fields()) {
        all.put(f.name(), new Column(f.name(), ColumnType.ofJavaName(f.type()), f.offset()));
      }
    } else {
      all.put(VALUE, new Column(VALUE, ColumnType.ofJavaName(d.elementType()), 0));
    }
    List<Column> columns = new ArrayList<>();
    if (selected.isEmpty()) {
      columns.addAll(all.values());
    } else {
      for (String name : selected) {
        Column c = all.get(name);
        if (c == null) {
          throw new ExportException(
              path, "has no column '" + name + "'; its columns are " + all.keySet());
        }
        if (columns.contains(c)) {
          throw new ExportException(path, "column '" + name + "' is selected twice");
        }
        columns.add(c);
      }
    }
    DataVersion v = d.dataVersion();
    VecOptions options =
        VecOptions.defaults()
            .withMagic(d.magic())
            .withDataVersion(v.major(), v.minor(), v.patch())
            .withReadOnly(true);
    Vec vec =
        switch (d.elementType()) {
          case "byte" -> ByteVec.open(path, options);
          case "short" -> ShortVec.open(path, options);
          case "int" -> IntVec.open(path, options);
          case "long" -> LongVec.open(path, options);
          case "float" -> FloatVec.open(path, options);
          case "double" -> DoubleVec.open(path, options);
          case "struct" -> RecordClasses.define(List.copyOf(all.values())).open(path, options);
          default ->
              throw new ExportException(
                  path, "holds elements of type " + d.elementType() + ", which cannot be exported");
        };
    try {
      return new Source(path, d, vec, vec.asSegment(), List.copyOf(columns));
    } catch (RuntimeException e) {
      vec.close();
      throw e;
    }
  }

  /** {@return the file} */
  Path path() {
    return path;
  }

  /** {@return the header as read before opening} */
  VecDescription description() {
    return description;
  }

  /** {@return the committed number of elements at open} */
  long rows() {
    return vec.size();
  }

  /** {@return the size of one element in bytes, padding included} */
  long stride() {
    return vec.elementByteSize();
  }

  /** {@return the elements' bytes, {@code rows() * stride()} long, read-only} */
  MemorySegment data() {
    return data;
  }

  /** {@return the exported columns, in output order} */
  List<Column> columns() {
    return columns;
  }

  /** {@return key-value metadata saying where the data came from} */
  Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Metadata.MAGIC, description.magic());
    m.put(Metadata.DATA_VERSION, description.dataVersion().toString());
    m.put(Metadata.ELEMENT_TYPE, description.elementType());
    m.put(Metadata.FORMAT_VERSION, Integer.toString(description.formatVersion()));
    return m;
  }

  @Override
  public void close() throws IOException {
    vec.close();
  }
}
