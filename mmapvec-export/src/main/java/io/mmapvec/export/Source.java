package io.mmapvec.export;

import io.mmapvec.FieldDescription;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.VecReader;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vector file opened for reading through the public API ({@link VecFiles#openReader}: shared
 * lock, the last committed size, either byte order), seen as columns over the bytes of its
 * elements. The columns stay valid until {@link #close()}. One thread at a time.
 */
final class Source implements Closeable {
  /** The column name of a primitive vector's elements. */
  static final String VALUE = "value";

  private final Path path;
  private final VecReader reader;
  private final VecDescription description;
  private final MemorySegment data;
  private final List<Column> columns;

  private Source(Path path, VecReader reader, MemorySegment data, List<Column> columns) {
    this.path = path;
    this.reader = reader;
    this.description = reader.description();
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
   * @throws IOException if the file cannot be opened (the core's typed exceptions: missing file,
   *     not a vector file, locked by a writer)
   */
  static Source open(Path path, List<String> selected) throws IOException {
    VecReader reader = VecFiles.openReader(path);
    try {
      VecDescription d = reader.description();
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
      return new Source(path, reader, reader.elements(), List.copyOf(columns));
    } catch (IOException | RuntimeException | Error e) {
      try {
        reader.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** {@return the file} */
  Path path() {
    return path;
  }

  /** {@return the header as read at open} */
  VecDescription description() {
    return description;
  }

  /** {@return the byte order of the values: the order of the machine that wrote the file} */
  ByteOrder order() {
    return reader.byteOrder();
  }

  /** {@return the committed number of elements at open} */
  long rows() {
    return reader.size();
  }

  /** {@return the size of one element in bytes, padding included} */
  long stride() {
    return description.elementSize();
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
    reader.close();
  }
}
