package io.mmapvec.export;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes a {@link Source}'s columns as a Parquet file through parquet-java: one required column per
 * exported column, typed as {@link #parquetType} says, the source's identity in the footer's
 * key-value metadata. Rows go through parquet-java's record consumer one value at a time, read
 * straight from the mapping (no copy of the vector on the heap).
 */
final class ParquetExport {
  /** Progress is reported every this many rows. */
  private static final long PROGRESS_ROWS = 1 << 16;

  /** The name of the Parquet schema's root. */
  static final String SCHEMA_NAME = "mmapvec";

  private ParquetExport() {}

  /**
   * {@return the Parquet type of a column}: byte INT32 (INT(8, signed)), short INT32 (INT(16,
   * signed)), char INT32 (INT(16, unsigned), UINT16), int INT32, long INT64, float FLOAT, double
   * DOUBLE, boolean BOOLEAN; all required (no nulls).
   *
   * @param c the column
   */
  static Type parquetType(Column c) {
    return switch (c.type()) {
      case BYTE ->
          Types.required(PrimitiveTypeName.INT32)
              .as(LogicalTypeAnnotation.intType(8, true))
              .named(c.name());
      case SHORT ->
          Types.required(PrimitiveTypeName.INT32)
              .as(LogicalTypeAnnotation.intType(16, true))
              .named(c.name());
      case CHAR ->
          Types.required(PrimitiveTypeName.INT32)
              .as(LogicalTypeAnnotation.intType(16, false))
              .named(c.name());
      case INT -> Types.required(PrimitiveTypeName.INT32).named(c.name());
      case LONG -> Types.required(PrimitiveTypeName.INT64).named(c.name());
      case FLOAT -> Types.required(PrimitiveTypeName.FLOAT).named(c.name());
      case DOUBLE -> Types.required(PrimitiveTypeName.DOUBLE).named(c.name());
      case BOOLEAN -> Types.required(PrimitiveTypeName.BOOLEAN).named(c.name());
    };
  }

  /**
   * Writes every row of {@code source} to a new file at {@code file}.
   *
   * @param source the open source
   * @param file a path where no file exists
   * @param options compression, row group size, progress
   * @throws IOException if writing fails (the partial file is the caller's to delete)
   */
  static void write(Source source, Path file, ExportOptions options) throws IOException {
    List<Column> columns = source.columns();
    MessageType schema =
        new MessageType(SCHEMA_NAME, columns.stream().map(ParquetExport::parquetType).toList());
    RowWriter support = new RowWriter(source, schema);
    Row row = new Row();
    try (ChannelOutputFile output = new ChannelOutputFile(file);
        ParquetWriter<Row> writer =
            new Builder(output, support)
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(Codecs.INSTANCE)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(codec(options.compression()))
                .withRowGroupRowCountLimit((int) options.rowGroupRows())
                .withRowGroupSize(Long.MAX_VALUE)
                .build()) {
      long rows = source.rows();
      long stride = source.rowBytes();
      LongConsumer progress = options.progress();
      for (long i = 0; i < rows; i++) {
        row.index = i;
        writer.write(row);
        if ((i + 1) % PROGRESS_ROWS == 0) {
          progress.accept((i + 1) * stride);
        }
      }
      progress.accept(rows * stride);
    }
  }

  private static CompressionCodecName codec(Compression c) {
    return switch (c) {
      case ZSTD -> CompressionCodecName.ZSTD;
      case SNAPPY -> CompressionCodecName.SNAPPY;
      case NONE -> CompressionCodecName.UNCOMPRESSED;
    };
  }

  /** The index of the row being written; one instance reused for every row. */
  private static final class Row {
    long index;
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final RowWriter support;

    Builder(OutputFile file, RowWriter support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    @Deprecated // abstract in parquet-java 1.18 (Hadoop's Configuration); the other overload is
    // used
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return support;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(ParquetConfiguration conf) {
      return support;
    }
  }

  /** Hands one row's values, read from the mapping, to parquet-java's record consumer. */
  private static final class RowWriter extends WriteSupport<Row> {
    private final Source source;
    private final MessageType schema;
    private final MemorySegment[] data;
    private final long[] strides;
    private final String[] names;
    private final ColumnType[] types;
    private final long[] offsets;
    private final ValueLayout.OfShort shortLayout;
    private final ValueLayout.OfChar charLayout;
    private final ValueLayout.OfInt intLayout;
    private final ValueLayout.OfLong longLayout;
    private final ValueLayout.OfFloat floatLayout;
    private final ValueLayout.OfDouble doubleLayout;
    private RecordConsumer consumer;

    RowWriter(Source source, MessageType schema) {
      this.source = source;
      this.schema = schema;
      List<Column> columns = source.columns();
      this.data = new MemorySegment[columns.size()];
      this.strides = new long[columns.size()];
      for (int c = 0; c < data.length; c++) {
        data[c] = source.data(c);
        strides[c] = source.stride(c);
      }
      this.names = columns.stream().map(Column::name).toArray(String[]::new);
      this.types = columns.stream().map(Column::type).toArray(ColumnType[]::new);
      this.offsets = columns.stream().mapToLong(Column::offset).toArray();
      // Values are in the file's byte order (either, since VecFiles.openReader reads both).
      java.nio.ByteOrder order = source.order();
      this.shortLayout = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
      this.charLayout = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(order);
      this.intLayout = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
      this.longLayout = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
      this.floatLayout = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order);
      this.doubleLayout = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order);
    }

    @Override
    @Deprecated // abstract in parquet-java 1.18 (Hadoop's Configuration); the other overload is
    // used
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, source.metadata());
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
      return new WriteContext(schema, source.metadata());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Row row) {
      RecordConsumer rc = consumer;
      long index = row.index;
      rc.startMessage();
      for (int c = 0; c < types.length; c++) {
        MemorySegment data = this.data[c];
        long at = index * strides[c] + offsets[c];
        rc.startField(names[c], c);
        switch (types[c]) {
          case BYTE -> rc.addInteger(data.get(JAVA_BYTE, at));
          case SHORT -> rc.addInteger(data.get(shortLayout, at));
          case CHAR -> rc.addInteger(data.get(charLayout, at));
          case INT -> rc.addInteger(data.get(intLayout, at));
          case LONG -> rc.addLong(data.get(longLayout, at));
          case FLOAT -> rc.addFloat(data.get(floatLayout, at));
          case DOUBLE -> rc.addDouble(data.get(doubleLayout, at));
          case BOOLEAN -> rc.addBoolean(data.get(JAVA_BYTE, at) != 0);
        }
        rc.endField(names[c], c);
      }
      rc.endMessage();
    }
  }
}
