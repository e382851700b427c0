package io.mmapvec.export;

import io.mmapvec.ByteVec;
import io.mmapvec.ColumnarVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.FieldDescription;
import io.mmapvec.FloatVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.ShortVec;
import io.mmapvec.StructVec;
import io.mmapvec.Vec;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecGroup;
import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.VecReader;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is exported, opened for reading through the public API and seen as columns over element
 * bytes: a vector file ({@link VecFiles#openReader}: shared lock, the last committed size, either
 * byte order; or, while a writer holds it, a live reader at the last durable commit), or a column
 * group directory ({@link VecGroup} opened read-only: the manifest's last commit, shared locks; a
 * group with {@code char} or {@code boolean} columns as a read-only {@link ColumnarVec}). The
 * columns' bytes stay valid until {@link #close()}. One thread at a time.
 */
final class Source implements Closeable {
  /** The column name of a primitive vector's elements. */
  static final String VALUE = "value";

  /** The value of {@link Metadata#ELEMENT_TYPE} for a column group. */
  static final String GROUP = "group";

  /** The bytes one column is read from: elements {@code stride} bytes apart. */
  private record Part(MemorySegment data, long stride) {}

  private final Path path;
  private final Closeable resource;
  private final ByteOrder order;
  private final long rows;
  private final List<Column> columns;
  private final Part[] parts;
  private final long rowBytes;
  private final Map<String, String> metadata;
  private final Check unchanged;

  /** Whether what was read is still what the source's commit holds; see {@link #unchanged()}. */
  @FunctionalInterface
  interface Check {
    boolean unchanged() throws IOException;
  }

  private Source(
      Path path,
      Closeable resource,
      ByteOrder order,
      long rows,
      List<Column> columns,
      Part[] parts,
      long rowBytes,
      Map<String, String> metadata,
      Check unchanged) {
    this.path = path;
    this.unchanged = unchanged;
    this.resource = resource;
    this.order = order;
    this.rows = rows;
    this.columns = columns;
    this.parts = parts;
    this.rowBytes = rowBytes;
    this.metadata = metadata;
  }

  /**
   * Opens {@code path} read-only and picks the columns.
   *
   * @param path a vector file, or a column group directory
   * @param selected column names to export in this order, or empty for all in file order; for a
   *     group, the name of a record column selects each of its components
   * @return the open source
   * @throws ExportException if a selected column does not exist, a group has no column, or the
   *     selected columns of a group differ in length
   * @throws IOException if the file cannot be opened (the core's typed exceptions: missing file,
   *     not a vector file or group, a group column missing or extra, locked by a writer)
   */
  static Source open(Path path, List<String> selected) throws IOException {
    return Files.isDirectory(path) ? openGroup(path, selected) : openVector(path, selected);
  }

  private static Source openVector(Path path, List<String> selected) throws IOException {
    VecReader reader;
    try {
      reader = VecFiles.openReader(path);
    } catch (VecLockedException e) {
      // A writer holds it: follow it as a live reader, at its last durable commit.
      try {
        return openLive(path, selected);
      } catch (IOException | RuntimeException live) {
        e.addSuppressed(live);
        throw e;
      }
    }
    try {
      VecDescription d = reader.description();
      Map<String, List<Column>> all = new LinkedHashMap<>();
      if (d.isStruct()) {
        for (FieldDescription f : d.fields()) {
          all.put(
              f.name(), List.of(new Column(f.name(), ColumnType.ofJavaName(f.type()), f.offset())));
        }
      } else {
        all.put(VALUE, List.of(new Column(VALUE, ColumnType.ofJavaName(d.elementType()), 0)));
      }
      List<Column> columns = select(path, all, selected);
      Part part = new Part(reader.elements(), d.elementSize());
      Part[] parts = new Part[columns.size()];
      java.util.Arrays.fill(parts, part);
      Map<String, String> m = new LinkedHashMap<>();
      m.put(Metadata.MAGIC, d.magic());
      m.put(Metadata.DATA_VERSION, d.dataVersion().toString());
      m.put(Metadata.ELEMENT_TYPE, d.elementType());
      m.put(Metadata.FORMAT_VERSION, Integer.toString(d.formatVersion()));
      return new Source(
          path,
          reader::close,
          reader.byteOrder(),
          reader.size(),
          columns,
          parts,
          d.elementSize(),
          java.util.Collections.unmodifiableMap(m),
          () -> true);
    } catch (IOException | RuntimeException | Error e) {
      closeAfter(reader::close, e);
      throw e;
    }
  }

  /**
   * Opens a vector file that a writer holds as a <em>live reader</em> (a read-only open through the
   * typed API, which shares the file with one writer): its size is the last durable commit's. The
   * writer may still rewrite elements in place meanwhile, so {@link #unchanged()} refreshes and
   * compares the rewrite counter: a commit that changed elements below the exported size since the
   * open makes it false.
   *
   * @throws IOException if the file cannot be opened so (for example the {@code FileChannel}
   *     fallback, which refuses live reading, or this JVM holds the file)
   */
  private static Source openLive(Path path, List<String> selected) throws IOException {
    VecDescription d = VecFiles.describe(path);
    VecOptions options =
        VecOptions.defaults()
            .withReadOnly(true)
            .withMagic(d.magic())
            .withDataVersion(
                d.dataVersion().major(), d.dataVersion().minor(), d.dataVersion().patch());
    Map<String, List<Column>> all = new LinkedHashMap<>();
    Vec vec;
    if (d.isStruct()) {
      List<Column> fields = new ArrayList<>();
      for (FieldDescription f : d.fields()) {
        Column c = new Column(f.name(), ColumnType.ofJavaName(f.type()), f.offset());
        fields.add(c);
        all.put(f.name(), List.of(c));
      }
      RecordClasses.Defined defined = RecordClasses.define(fields);
      vec = StructVec.open(path, defined.type(), options, defined.lookup());
    } else {
      ColumnType t = ColumnType.ofJavaName(d.elementType());
      all.put(VALUE, List.of(new Column(VALUE, t, 0)));
      vec =
          switch (t) {
            case BYTE -> ByteVec.open(path, options);
            case SHORT -> ShortVec.open(path, options);
            case INT -> IntVec.open(path, options);
            case LONG -> LongVec.open(path, options);
            case FLOAT -> FloatVec.open(path, options);
            case DOUBLE -> DoubleVec.open(path, options);
            case CHAR, BOOLEAN ->
                throw new ExportException(
                    path, "holds " + t.javaName() + ", which no vector opens");
          };
    }
    try {
      List<Column> columns = select(path, all, selected);
      Part part = new Part(vec.asSegment(), vec.elementSize());
      Part[] parts = new Part[columns.size()];
      java.util.Arrays.fill(parts, part);
      Map<String, String> m = new LinkedHashMap<>();
      m.put(Metadata.MAGIC, d.magic());
      m.put(Metadata.DATA_VERSION, d.dataVersion().toString());
      m.put(Metadata.ELEMENT_TYPE, d.elementType());
      m.put(Metadata.FORMAT_VERSION, Integer.toString(d.formatVersion()));
      long rewrites = vec.rewriteCount();
      Vec v = vec;
      return new Source(
          path,
          vec,
          ByteOrder.nativeOrder(),
          vec.size(),
          columns,
          parts,
          vec.elementSize(),
          java.util.Collections.unmodifiableMap(m),
          () -> {
            v.refresh();
            return v.rewriteCount() == rewrites;
          });
    } catch (IOException | RuntimeException | Error e) {
      closeAfter(vec, e);
      throw e;
    }
  }

  /**
   * Opens a group read-only. Its magic and data version (which a group open must name) are those of
   * its column files, which share them; a group without column files is opened with the defaults.
   */
  private static Source openGroup(Path dir, List<String> selected) throws IOException {
    VecOptions options = VecOptions.defaults().withReadOnly(true);
    Path someColumn = anyColumnFile(dir);
    if (someColumn != null) {
      VecDescription d = VecFiles.describe(someColumn);
      options =
          options
              .withMagic(d.magic())
              .withDataVersion(
                  d.dataVersion().major(), d.dataVersion().minor(), d.dataVersion().patch());
    }
    VecGroup group;
    try {
      group = VecGroup.openSnapshot(dir, options);
    } catch (VecFormatException e) {
      if (someColumn == null && e.reason() == VecFormatException.Reason.MAGIC_MISMATCH) {
        // Only a column file tells the group's magic, which a group open must name.
        throw new ExportException(dir, "is a column group without column files; nothing to export");
      }
      throw e;
    }
    try {
      List<String> names = group.names();
      if (names.isEmpty()) {
        throw new ExportException(dir, "is a column group without columns; nothing to export");
      }
      Map<String, VecDescription> described = new LinkedHashMap<>();
      for (String name : names) {
        described.put(name, VecFiles.describe(dir.resolve(name + ".vec")));
      }
      boolean charOrBoolean =
          described.values().stream()
              .anyMatch(
                  d ->
                      !d.isStruct()
                          && (d.elementType().equals("char") || d.elementType().equals("boolean")));
      boolean records = described.values().stream().anyMatch(VecDescription::isStruct);
      if (charOrBoolean && !records) {
        // No vector type holds char or boolean values; a ColumnarVec (which is what makes such
        // columns) reads every primitive column, so reopen the group as one.
        group.close();
        return openColumnar(dir, options, described, selected);
      }
      Map<String, List<Column>> all = new LinkedHashMap<>();
      Map<String, Opened> opened = new LinkedHashMap<>();
      for (String name : names) {
        VecDescription d = described.get(name);
        List<Column> cs = new ArrayList<>();
        Opened o;
        if (d.isStruct()) {
          List<Column> fields = new ArrayList<>();
          for (FieldDescription f : d.fields()) {
            ColumnType t = ColumnType.ofJavaName(f.type());
            fields.add(new Column(f.name(), t, f.offset()));
            cs.add(new Column(name + "." + f.name(), t, f.offset()));
          }
          RecordClasses.Defined defined = RecordClasses.define(fields);
          o = Opened.of(group.structVec(name, defined.type(), defined.lookup()));
        } else {
          ColumnType t = ColumnType.ofJavaName(d.elementType());
          cs.add(new Column(name, t, 0));
          if (t == ColumnType.CHAR || t == ColumnType.BOOLEAN) {
            // Only a ColumnarVec reads these, and this group also has record columns, so it is
            // none; refused below if selected.
            o = null;
          } else {
            o = Opened.of(primitive(group, name, t));
          }
        }
        opened.put(name, o);
        all.put(name, cs);
      }
      List<Column> columns = select(dir, all, selected);
      List<String> used = new ArrayList<>();
      for (Map.Entry<String, List<Column>> e : all.entrySet()) {
        if (e.getValue().stream().anyMatch(columns::contains)) {
          if (opened.get(e.getKey()) == null) {
            throw new ExportException(
                dir,
                "column '"
                    + e.getKey()
                    + "' holds "
                    + e.getValue().getFirst().type().javaName()
                    + ", which only a group of primitive columns (a ColumnarVec's) can give, and"
                    + " this group also has record columns; leave it out with --columns");
          }
          used.add(e.getKey());
        }
      }
      Map<Column, Part> partOf = new java.util.HashMap<>();
      for (Map.Entry<String, List<Column>> e : all.entrySet()) {
        Opened o = opened.get(e.getKey());
        if (o == null) {
          continue;
        }
        Part part = new Part(o.data(), o.elementSize());
        for (Column c : e.getValue()) {
          partOf.put(c, part);
        }
      }
      return groupSource(dir, group, options, group.sequence(), columns, used, opened, partOf);
    } catch (IOException | RuntimeException | Error e) {
      closeAfter(group, e);
      throw e;
    }
  }

  /**
   * Opens a group of primitive columns, some {@code char} or {@code boolean}, as the {@link
   * ColumnarVec} of a record made for its columns: the one public way to read those columns.
   */
  private static Source openColumnar(
      Path dir, VecOptions options, Map<String, VecDescription> described, List<String> selected)
      throws IOException {
    List<Column> fields = new ArrayList<>();
    for (Map.Entry<String, VecDescription> e : described.entrySet()) {
      fields.add(new Column(e.getKey(), ColumnType.ofJavaName(e.getValue().elementType()), 0));
    }
    RecordClasses.Defined defined = RecordClasses.define(fields);
    ColumnarVec<? extends Record> vec =
        ColumnarVec.open(dir, defined.type(), options, defined.lookup());
    try {
      Map<String, List<Column>> all = new LinkedHashMap<>();
      Map<String, Opened> opened = new LinkedHashMap<>();
      Map<Column, Part> partOf = new java.util.HashMap<>();
      for (Column c : fields) {
        all.put(c.name(), List.of(c));
        long size = c.type().byteSize();
        Opened o = new Opened(vec.size(), size, vec.columnSegment(c.name()));
        opened.put(c.name(), o);
        partOf.put(c, new Part(o.data(), size));
      }
      List<Column> columns = select(dir, all, selected);
      List<String> used = columns.stream().map(Column::name).toList();
      return groupSource(dir, vec, options, vec.sequence(), columns, used, opened, partOf);
    } catch (IOException | RuntimeException | Error e) {
      closeAfter(vec, e);
      throw e;
    }
  }

  /** The source over a group's selected columns, once they are open; checks their lengths. */
  private static Source groupSource(
      Path dir,
      Closeable resource,
      VecOptions options,
      long sequence,
      List<Column> columns,
      List<String> used,
      Map<String, Opened> opened,
      Map<Column, Part> partOf)
      throws ExportException {
    // Every selected column must have the same number of rows.
    String first = used.getFirst();
    long rows = opened.get(first).size();
    long rowBytes = 0;
    for (String name : used) {
      Opened o = opened.get(name);
      if (o.size() != rows) {
        throw new ExportException(
            dir,
            "columns differ in length: '"
                + first
                + "' has "
                + rows
                + " rows, '"
                + name
                + "' "
                + o.size()
                + "; export them separately with --columns");
      }
      rowBytes += o.elementSize();
    }
    Part[] parts = columns.stream().map(partOf::get).toArray(Part[]::new);
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Metadata.MAGIC, options.magic());
    m.put(Metadata.DATA_VERSION, options.dataVersion().toString());
    m.put(Metadata.ELEMENT_TYPE, GROUP);
    m.put(Metadata.GROUP_SEQUENCE, Long.toString(sequence));
    return new Source(
        dir,
        resource,
        ByteOrder.nativeOrder(),
        rows,
        columns,
        parts,
        rowBytes,
        java.util.Collections.unmodifiableMap(m),
        () -> true);
  }

  /**
   * One group column as opened through the group: at the manifest's commit.
   *
   * @param size its number of elements
   * @param elementSize bytes per element
   * @param data its elements' bytes
   */
  private record Opened(long size, long elementSize, MemorySegment data) {
    static Opened of(Vec v) {
      return new Opened(v.size(), v.elementSize(), v.asSegment());
    }
  }

  private static Vec primitive(VecGroup group, String name, ColumnType t) throws IOException {
    return switch (t) {
      case BYTE -> group.byteVec(name);
      case SHORT -> group.shortVec(name);
      case INT -> group.intVec(name);
      case LONG -> group.longVec(name);
      case FLOAT -> group.floatVec(name);
      case DOUBLE -> group.doubleVec(name);
      case CHAR, BOOLEAN -> throw new IllegalArgumentException(t + " has no vector type");
    };
  }

  /** {@return a column file of {@code dir} (not a leftover of an interrupted commit), or null} */
  private static Path anyColumnFile(Path dir) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.vec")) {
      for (Path p : files) {
        if (!p.getFileName().toString().startsWith(".")) {
          return p;
        }
      }
    }
    return null;
  }

  private static List<Column> select(
      Path path, Map<String, List<Column>> all, List<String> selected) throws ExportException {
    Map<String, Column> byName = new LinkedHashMap<>();
    for (List<Column> cs : all.values()) {
      for (Column c : cs) {
        byName.put(c.name(), c);
      }
    }
    List<Column> columns = new ArrayList<>();
    if (selected.isEmpty()) {
      columns.addAll(byName.values());
      return List.copyOf(columns);
    }
    for (String name : selected) {
      Column c = byName.get(name);
      List<Column> cs = c != null ? List.of(c) : all.get(name);
      if (cs == null) {
        throw new ExportException(
            path, "has no column '" + name + "'; its columns are " + byName.keySet());
      }
      for (Column one : cs) {
        if (columns.contains(one)) {
          throw new ExportException(path, "column '" + one.name() + "' is selected twice");
        }
        columns.add(one);
      }
    }
    return List.copyOf(columns);
  }

  private static void closeAfter(Closeable resource, Throwable e) {
    try {
      resource.close();
    } catch (IOException suppressed) {
      e.addSuppressed(suppressed);
    }
  }

  /** {@return the vector file or group directory} */
  Path path() {
    return path;
  }

  /** {@return the byte order of the values: the order of the machine that wrote the file} */
  ByteOrder order() {
    return order;
  }

  /** {@return the committed number of rows at open} */
  long rows() {
    return rows;
  }

  /**
   * {@return the source's element bytes per row: a vector's element size (padding included), or the
   * sum of the element sizes of a group's selected columns} Progress counts these.
   */
  long rowBytes() {
    return rowBytes;
  }

  /**
   * {@return the bytes column {@code i} is read from, at least {@code rows() * stride(i)} long,
   * read-only}
   *
   * @param i an index into {@link #columns()}
   */
  MemorySegment data(int i) {
    return parts[i].data();
  }

  /**
   * {@return the distance in bytes between two values of column {@code i}}
   *
   * @param i an index into {@link #columns()}
   */
  long stride(int i) {
    return parts[i].stride();
  }

  /** {@return the exported columns, in output order} */
  List<Column> columns() {
    return columns;
  }

  /** {@return key-value metadata saying where the data came from} */
  Map<String, String> metadata() {
    return metadata;
  }

  /**
   * {@return whether the exported elements are still those of the commit the source opened at}
   * Always true, except for a vector that a writer holds (read as a live reader): then false if a
   * commit since the open rewrote elements below the exported size (set, insert, remove, truncate),
   * so the values read may mix two commits. A rewrite the writer has not committed yet is not seen.
   *
   * @throws IOException if the live reader cannot look at the newest commit
   */
  boolean unchanged() throws IOException {
    return unchanged.unchanged();
  }

  @Override
  public void close() throws IOException {
    resource.close();
  }
}
