package io.mmapvec.export;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.mmapvec.ByteVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.FloatVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.ShortVec;
import io.mmapvec.StructVec;
import io.mmapvec.Vec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
          fill(in, reader, schema, columns, vec, progress);
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
    long offset = 0;
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
      String bad = RecordClasses.checkFieldName(name);
      if (bad != null) {
        throw new ExportException(in, "column '" + name + "' has " + bad);
      }
      offset = (offset + t.byteSize() - 1) / t.byteSize() * t.byteSize();
      columns.add(new Column(name, t, offset));
      offset += t.byteSize();
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
      Vec vec,
      LongConsumer progress)
      throws IOException {
    MemorySegment data = vec.asSegment();
    long stride = vec.elementSize();
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
        long at = row0 * stride + column.offset();
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
