package io.mmapvec.export;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.mmapvec.ByteVec;
import io.mmapvec.ColumnarVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.FloatVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.ShortVec;
import io.mmapvec.StructVec;
import io.mmapvec.Vec;
import io.mmapvec.VecGroup;
import io.mmapvec.VecOptions;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file whose columns are all of the exported types into a new vector file: a
 * primitive vector when the file has one column that a primitive vector holds and either names
 * itself so in its metadata or is called {@code value}; a record vector with one component per
 * column otherwise. Nullable columns are accepted as long as they hold no null.
 *
 * <p>The vector is made under a temporary name, sized up front (so a full disk fails before any
 * value is read), filled column by column through parquet-java's column readers, synced, closed and
 * only then renamed to the target name.
 */
final class ParquetImport {
  private static final String SUPPORTED =
      "supported: BOOLEAN, INT32 (plain, INT(8|16|32, signed), INT(16, unsigned)),"
          + " INT64 (plain, INT(64, signed)), FLOAT, DOUBLE";

  private ParquetImport() {}

  /**
   * Imports {@code in} into a new vector file {@code out}.
   *
   * @param in the Parquet file
   * @param out the vector file to create; must not exist
   * @param progress bytes of the Parquet file read so far
   * @throws IOException as {@link VecExport#fromParquet} says
   */
  static void read(Path in, Path out, LongConsumer progress) throws IOException {
    if (!Files.isRegularFile(in)) {
      throw new NoSuchFileException(in.toString(), null, "no such Parquet file");
    }
    Path temporary = AtomicOutput.temporaryFor(out, false);
    try (ParquetFileReader reader = open(in)) {
      MessageType schema = reader.getFileMetaData().getSchema();
      Map<String, String> metadata = reader.getFileMetaData().getKeyValueMetaData();
      List<Column> columns = columns(in, schema);
      long rows = reader.getRecordCount();
      VecOptions options = options(in, metadata);
      try {
        try (Vec vec = create(in, temporary, columns, metadata, options, rows)) {
          MemorySegment data = vec.asSegment();
          List<Target> targets = new ArrayList<>();
          for (Column c : columns) {
            targets.add(new Target(data, c.offset(), vec.elementSize()));
          }
          fill(in, reader, schema, columns, targets, progress);
          vec.sync();
        }
        AtomicOutput.commit(temporary, out, false);
      } catch (IOException | RuntimeException | Error e) {
        AtomicOutput.discard(temporary, e);
        throw e;
      }
    } catch (ParquetDecodingException e) {
      throw new ExportException(in, "is not a readable Parquet file: " + e.getMessage());
    }
  }

  /**
   * Imports {@code in} into a new column group directory {@code out}: one column per Parquet
   * column, or, for columns named {@code p.x} (as an export of a group's record column {@code p}
   * names them), one record column {@code p} whose components are the adjacent {@code p.*} columns.
   * A group of primitive columns only is made as a {@link ColumnarVec} (so {@code char} and {@code
   * boolean} columns are possible); with record columns, through {@link VecGroup}, which holds no
   * {@code char} or {@code boolean} column of its own.
   *
   * @param in the Parquet file
   * @param out the group directory to create; must not exist
   * @param progress bytes of the Parquet file read so far
   * @throws IOException as {@link VecExport#fromParquetToGroup} says
   */
  static void readGroup(Path in, Path out, LongConsumer progress) throws IOException {
    if (!Files.isRegularFile(in)) {
      throw new NoSuchFileException(in.toString(), null, "no such Parquet file");
    }
    Path temporary = AtomicOutput.temporaryFor(out, false);
    try (ParquetFileReader reader = open(in)) {
      MessageType schema = reader.getFileMetaData().getSchema();
      List<Column> columns = parquetColumns(in, schema);
      List<GroupColumn> layout = groupLayout(in, columns);
      long rows = reader.getRecordCount();
      VecOptions options = options(in, reader.getFileMetaData().getKeyValueMetaData());
      try {
        List<Target> targets = new ArrayList<>();
        Closeable group = createGroup(in, temporary, layout, options, rows, targets);
        try {
          fill(in, reader, schema, columns, targets, progress);
        } catch (IOException | RuntimeException | Error e) {
          closeAfter(group, e);
          throw e;
        }
        // The close commits the group: data, column slots, then the manifest, all flushed.
        group.close();
        AtomicOutput.commitDirectory(temporary, out);
      } catch (IOException | RuntimeException | Error e) {
        AtomicOutput.discardTree(temporary, e);
        throw e;
      }
    } catch (ParquetDecodingException e) {
      throw new ExportException(in, "is not a readable Parquet file: " + e.getMessage());
    }
  }

  /**
   * One column of a group being imported.
   *
   * @param name the group column's name
   * @param components one column for a primitive column (named {@code name}); a record column's
   *     components, named as in the record, with their offsets
   * @param record whether it is a record column
   */
  private record GroupColumn(String name, List<Column> components, boolean record) {}

  /** {@return the group columns of the Parquet columns, in order; see {@link #readGroup}} */
  private static List<GroupColumn> groupLayout(Path in, List<Column> columns)
      throws ExportException {
    Map<String, List<Column>> byGroupColumn = new LinkedHashMap<>();
    java.util.Set<String> recordNames = new java.util.HashSet<>();
    String previous = null;
    for (Column c : columns) {
      int dot = c.name().indexOf('.');
      String name = dot < 0 ? c.name() : c.name().substring(0, dot);
      boolean record = dot >= 0;
      if (byGroupColumn.containsKey(name)) {
        if (!record || !recordNames.contains(name)) {
          throw new ExportException(
              in, "column '" + c.name() + "' names group column '" + name + "' a second time");
        }
        if (!name.equals(previous)) {
          throw new ExportException(
              in,
              "column '"
                  + c.name()
                  + "' belongs to record column '"
                  + name
                  + "', but is not next to its other components");
        }
      }
      if (record) {
        String component = c.name().substring(dot + 1);
        String bad = RecordClasses.checkFieldName(component);
        if (bad != null) {
          throw new ExportException(in, "column '" + c.name() + "' has " + bad);
        }
        recordNames.add(name);
        byGroupColumn
            .computeIfAbsent(name, k -> new ArrayList<>())
            .add(new Column(component, c.type(), 0));
      } else {
        byGroupColumn.put(name, List.of(c));
      }
      previous = name;
    }
    List<GroupColumn> out = new ArrayList<>();
    boolean records = !recordNames.isEmpty();
    for (Map.Entry<String, List<Column>> e : byGroupColumn.entrySet()) {
      boolean record = recordNames.contains(e.getKey());
      out.add(new GroupColumn(e.getKey(), record ? layOut(e.getValue()) : e.getValue(), record));
    }
    if (records) {
      for (GroupColumn g : out) {
        ColumnType t = g.components().getFirst().type();
        if (!g.record() && (t == ColumnType.CHAR || t == ColumnType.BOOLEAN)) {
          throw new ExportException(
              in,
              "column '"
                  + g.name()
                  + "' is "
                  + t.javaName()
                  + ": a group holds char and boolean columns only when all its columns are"
                  + " primitive (a ColumnarVec), and this file also has record columns ("
                  + out.stream().filter(GroupColumn::record).findFirst().orElseThrow().name()
                  + ".*); import it as a vector file instead");
        }
      }
    }
    return out;
  }

  /**
   * Creates the group at {@code temporary} with {@code rows} zero rows in every column, and adds
   * where each Parquet column's values go to {@code targets}. Returns what closes (and so commits)
   * it.
   */
  private static Closeable createGroup(
      Path in,
      Path temporary,
      List<GroupColumn> layout,
      VecOptions options,
      long rows,
      List<Target> targets)
      throws IOException {
    try {
      if (layout.stream().noneMatch(GroupColumn::record)) {
        List<Column> fields = layout.stream().map(g -> g.components().getFirst()).toList();
        RecordClasses.Defined defined = RecordClasses.define(fields);
        @SuppressWarnings("unchecked")
        ColumnarVec<Record> vec =
            (ColumnarVec<Record>)
                ColumnarVec.open(temporary, defined.type(), options, defined.lookup());
        try {
          // Allocate every block first: a full disk fails here, before any read.
          vec.reserve(rows);
          vec.resize(rows, defined.newZero());
          for (Column c : fields) {
            targets.add(new Target(vec.columnSegment(c.name()), 0, c.type().byteSize()));
          }
          return vec;
        } catch (IOException | RuntimeException | Error e) {
          closeAfter(vec, e);
          throw e;
        }
      }
      VecGroup group = VecGroup.open(temporary, options);
      try {
        for (GroupColumn g : layout) {
          Vec v = groupColumn(group, g, rows);
          for (Column c : g.components()) {
            targets.add(new Target(v.asSegment(), c.offset(), v.elementSize()));
          }
        }
        return group;
      } catch (IOException | RuntimeException | Error e) {
        closeAfter(group, e);
        throw e;
      }
    } catch (IllegalArgumentException e) {
      // A name the group or a record cannot hold (the core's message names it).
      throw new ExportException(in, "cannot become a column group: " + e.getMessage());
    }
  }

  /** {@return the group column {@code g}, created with {@code rows} zero elements} */
  private static Vec groupColumn(VecGroup group, GroupColumn g, long rows) throws IOException {
    if (g.record()) {
      RecordClasses.Defined defined = RecordClasses.define(g.components());
      @SuppressWarnings("unchecked")
      StructVec<Record> v =
          (StructVec<Record>) group.structVec(g.name(), defined.type(), defined.lookup());
      v.reserve(rows);
      v.resize(rows, defined.newZero());
      return v;
    }
    String name = g.name();
    switch (g.components().getFirst().type()) {
      case BYTE -> {
        ByteVec v = group.byteVec(name);
        v.reserve(rows);
        v.resize(rows, (byte) 0);
        return v;
      }
      case SHORT -> {
        ShortVec v = group.shortVec(name);
        v.reserve(rows);
        v.resize(rows, (short) 0);
        return v;
      }
      case INT -> {
        IntVec v = group.intVec(name);
        v.reserve(rows);
        v.resize(rows, 0);
        return v;
      }
      case LONG -> {
        LongVec v = group.longVec(name);
        v.reserve(rows);
        v.resize(rows, 0L);
        return v;
      }
      case FLOAT -> {
        FloatVec v = group.floatVec(name);
        v.reserve(rows);
        v.resize(rows, 0f);
        return v;
      }
      case DOUBLE -> {
        DoubleVec v = group.doubleVec(name);
        v.reserve(rows);
        v.resize(rows, 0d);
        return v;
      }
      case CHAR, BOOLEAN -> throw new AssertionError("refused by groupLayout: " + name);
    }
    throw new AssertionError();
  }

  private static void closeAfter(Closeable c, Throwable e) {
    try {
      c.close();
    } catch (IOException | RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    }
  }

  /**
   * Where one Parquet column's values go: value {@code i} at {@code offset + i * stride} of {@code
   * data}.
   */
  private record Target(MemorySegment data, long offset, long stride) {}

  /** Opens the footer; parquet-java reports a file that is not Parquet as a RuntimeException. */
  private static ParquetFileReader open(Path in) throws IOException {
    try {
      return ParquetFileReader.open(
          new LocalInputFile(in),
          ParquetReadOptions.builder(new PlainParquetConfiguration())
              .withCodecFactory(Codecs.INSTANCE)
              .build());
    } catch (RuntimeException e) {
      throw new ExportException(in, "is not a Parquet file: " + e.getMessage());
    }
  }

  /** {@return the file's columns as vector columns, offsets as a C struct lays them out} */
  private static List<Column> columns(Path in, MessageType schema) throws ExportException {
    List<Column> columns = new ArrayList<>();
    for (Column c : parquetColumns(in, schema)) {
      String bad = RecordClasses.checkFieldName(c.name());
      if (bad != null) {
        throw new ExportException(in, "column '" + c.name() + "' has " + bad);
      }
      columns.add(c);
    }
    return layOut(columns);
  }

  /** {@return {@code columns} with the offsets a C struct (and so a record vector) gives them} */
  private static List<Column> layOut(List<Column> columns) {
    List<Column> out = new ArrayList<>();
    long offset = 0;
    for (Column c : columns) {
      int size = c.type().byteSize();
      offset = (offset + size - 1) / size * size;
      out.add(new Column(c.name(), c.type(), offset));
      offset += size;
    }
    return out;
  }

  /** {@return the file's columns, names and types (offsets zero); refuses other types by name} */
  private static List<Column> parquetColumns(Path in, MessageType schema) throws ExportException {
    List<Column> columns = new ArrayList<>();
    for (Type field : schema.getFields()) {
      String name = field.getName();
      if (!field.isPrimitive()) {
        throw new ExportException(
            in, "column '" + name + "' is a nested group, which no vector holds; " + SUPPORTED);
      }
      if (field.isRepetition(Type.Repetition.REPEATED)) {
        throw new ExportException(
            in, "column '" + name + "' is repeated (a list), which no vector holds; " + SUPPORTED);
      }
      PrimitiveType p = field.asPrimitiveType();
      ColumnType t = typeOf(p);
      if (t == null) {
        throw new ExportException(
            in,
            "column '" + name + "' is " + describe(p) + ", which no vector holds; " + SUPPORTED);
      }
      columns.add(new Column(name, t, 0));
    }
    if (columns.isEmpty()) {
      throw new ExportException(in, "has no columns");
    }
    return columns;
  }

  private static ColumnType typeOf(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    return switch (p.getPrimitiveTypeName()) {
      case BOOLEAN -> a == null ? ColumnType.BOOLEAN : null;
      case FLOAT -> a == null ? ColumnType.FLOAT : null;
      case DOUBLE -> a == null ? ColumnType.DOUBLE : null;
      case INT32 -> {
        if (a == null) {
          yield ColumnType.INT;
        }
        if (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) {
          yield switch (i.getBitWidth()) {
            case 8 -> i.isSigned() ? ColumnType.BYTE : null;
            case 16 -> i.isSigned() ? ColumnType.SHORT : ColumnType.CHAR;
            case 32 -> i.isSigned() ? ColumnType.INT : null;
            default -> null;
          };
        }
        yield null;
      }
      case INT64 -> {
        if (a == null) {
          yield ColumnType.LONG;
        }
        if (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
            && i.getBitWidth() == 64
            && i.isSigned()) {
          yield ColumnType.LONG;
        }
        yield null;
      }
      default -> null;
    };
  }

  private static String describe(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    return p.getPrimitiveTypeName() + (a == null ? "" : " (" + a + ")");
  }

  /** The magic and data version the export recorded, else the defaults. */
  private static VecOptions options(Path in, Map<String, String> metadata) throws ExportException {
    VecOptions options = VecOptions.defaults();
    String magic = metadata.get(Metadata.MAGIC);
    String version = metadata.get(Metadata.DATA_VERSION);
    try {
      if (magic != null) {
        options = options.withMagic(magic);
      }
      if (version != null) {
        String[] parts = version.split("\\.");
        if (parts.length != 3) {
          throw new IllegalArgumentException("data version is not major.minor.patch");
        }
        options =
            options.withDataVersion(
                Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
      }
    } catch (IllegalArgumentException e) {
      throw new ExportException(
          in,
          "has mmapvec metadata that is not valid ("
              + magic
              + ", "
              + version
              + "): "
              + e.getMessage());
    }
    return options;
  }

  /** Creates the vector at {@code temporary} with {@code rows} zero elements. */
  private static Vec create(
      Path in,
      Path temporary,
      List<Column> columns,
      Map<String, String> metadata,
      VecOptions options,
      long rows)
      throws IOException {
    String declared = metadata.get(Metadata.ELEMENT_TYPE);
    Column only = columns.size() == 1 ? columns.getFirst() : null;
    boolean primitive =
        only != null
            && only.type() != ColumnType.CHAR
            && only.type() != ColumnType.BOOLEAN
            && (declared == null
                ? only.name().equals(Source.VALUE)
                : declared.equals(only.type().javaName()));
    Vec vec;
    Runnable zeroFill;
    if (primitive) {
      switch (only.type()) {
        case BYTE -> {
          ByteVec v = ByteVec.open(temporary, options);
          vec = v;
          zeroFill = () -> v.resize(rows, (byte) 0);
        }
        case SHORT -> {
          ShortVec v = ShortVec.open(temporary, options);
          vec = v;
          zeroFill = () -> v.resize(rows, (short) 0);
        }
        case INT -> {
          IntVec v = IntVec.open(temporary, options);
          vec = v;
          zeroFill = () -> v.resize(rows, 0);
        }
        case LONG -> {
          LongVec v = LongVec.open(temporary, options);
          vec = v;
          zeroFill = () -> v.resize(rows, 0L);
        }
        case FLOAT -> {
          FloatVec v = FloatVec.open(temporary, options);
          vec = v;
          zeroFill = () -> v.resize(rows, 0f);
        }
        case DOUBLE -> {
          DoubleVec v = DoubleVec.open(temporary, options);
          vec = v;
          zeroFill = () -> v.resize(rows, 0d);
        }
        default -> throw new AssertionError(only.type());
      }
    } else {
      RecordClasses.Defined defined = RecordClasses.define(columns);
      try {
        @SuppressWarnings("unchecked")
        StructVec<Record> v = (StructVec<Record>) defined.open(temporary, options);
        vec = v;
        Record zero = defined.newZero();
        zeroFill = () -> v.resize(rows, zero);
      } catch (IllegalArgumentException e) {
        throw new ExportException(in, "cannot become a record vector: " + e.getMessage());
      }
    }
    try {
      // Allocate every block first: a full disk fails here, as an IOException, before any read.
      vec.reserve(rows);
      zeroFill.run();
      return vec;
    } catch (IOException | RuntimeException | Error e) {
      try {
        vec.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static void fill(
      Path in,
      ParquetFileReader reader,
      MessageType schema,
      List<Column> columns,
      List<Target> targets,
      LongConsumer progress)
      throws IOException {
    List<ColumnDescriptor> descriptors = schema.getColumns();
    GroupConverter ignored = new IgnoringConverter(columns.size());
    String createdBy = reader.getFileMetaData().getCreatedBy();
    long row0 = 0;
    long bytesRead = 0;
    int group = 0;
    PageReadStore pages;
    while ((pages = reader.readNextRowGroup()) != null) {
      long n = pages.getRowCount();
      ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages, ignored, schema, createdBy);
      for (int c = 0; c < columns.size(); c++) {
        Column column = columns.get(c);
        ColumnDescriptor d = descriptors.get(c);
        ColumnReader r = store.getColumnReader(d);
        int max = d.getMaxDefinitionLevel();
        MemorySegment data = targets.get(c).data();
        long stride = targets.get(c).stride();
        long at = row0 * stride + targets.get(c).offset();
        for (long i = 0; i < n; i++, at += stride) {
          if (r.getCurrentDefinitionLevel() < max) {
            throw new ExportException(
                in,
                "column '"
                    + column.name()
                    + "' holds a null at row "
                    + (row0 + i)
                    + "; vectors hold no nulls");
          }
          switch (column.type()) {
            case BYTE -> data.set(JAVA_BYTE, at, (byte) r.getInteger());
            case SHORT -> data.set(JAVA_SHORT, at, (short) r.getInteger());
            case CHAR -> data.set(JAVA_CHAR, at, (char) r.getInteger());
            case INT -> data.set(JAVA_INT, at, r.getInteger());
            case LONG -> data.set(JAVA_LONG, at, r.getLong());
            case FLOAT -> data.set(JAVA_FLOAT, at, r.getFloat());
            case DOUBLE -> data.set(JAVA_DOUBLE, at, r.getDouble());
            case BOOLEAN -> data.set(JAVA_BYTE, at, (byte) (r.getBoolean() ? 1 : 0));
          }
          r.consume();
        }
      }
      row0 += n;
      bytesRead += reader.getRowGroups().get(group++).getCompressedSize();
      progress.accept(bytesRead);
    }
    progress.accept(Files.size(in));
  }

  /** The converter tree the column read store asks for; values are read from the readers. */
  private static final class IgnoringConverter extends GroupConverter {
    private final PrimitiveConverter primitive = new PrimitiveConverter() {};
    private final int fields;

    IgnoringConverter(int fields) {
      this.fields = fields;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      if (fieldIndex < 0 || fieldIndex >= fields) {
        throw new IndexOutOfBoundsException(fieldIndex);
      }
      return primitive;
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
