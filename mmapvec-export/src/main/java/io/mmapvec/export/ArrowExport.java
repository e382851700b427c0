package io.mmapvec.export;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flatbuf.Block;
import org.apache.arrow.flatbuf.Bool;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.Endianness;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.FloatingPoint;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Int;
import org.apache.arrow.flatbuf.KeyValue;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.Precision;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.flatbuf.Type;

/**
 * Writes a {@link Source}'s columns as an Arrow IPC file (Feather v2), uncompressed, with the
 * metadata built by Apache Arrow's generated FlatBuffers classes ({@code arrow-format}): no
 * arrow-java allocator, so no {@code --add-opens}.
 *
 * <p>The file, as the Arrow columnar format specifies it: {@code ARROW1} and two bytes of padding;
 * the schema message; one record batch message per {@link ExportOptions#rowGroupRows()} rows; the
 * end-of-stream marker; the footer (schema again and where each batch is); the footer's length;
 * {@code ARROW1}. Each message is the continuation marker {@code 0xFFFFFFFF}, the metadata length,
 * the FlatBuffers {@code Message} padded to 8 bytes, then the body. A batch body holds, per column,
 * an empty validity buffer (no nulls) and the values, each buffer padded to 8 bytes. Values are in
 * the source file's byte order, which the schema states; booleans are packed to bits, least
 * significant bit first.
 */
final class ArrowExport {
  private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
  private static final int CONTINUATION = 0xFFFFFFFF;

  private final Source source;
  private final FileChannel out;
  private long position;

  private ArrowExport(Source source, FileChannel out) {
    this.source = source;
    this.out = out;
  }

  /**
   * Writes every row of {@code source} to a new file at {@code file}.
   *
   * @param source the open source
   * @param file a path where no file exists
   * @param options rows per record batch, progress
   * @throws IOException if writing fails (the partial file is the caller's to delete)
   */
  static void write(Source source, Path file, ExportOptions options) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      new ArrowExport(source, ch).writeAll(options);
    }
  }

  private void writeAll(ExportOptions options) throws IOException {
    writeFully(ByteBuffer.wrap(new byte[] {'A', 'R', 'R', 'O', 'W', '1', 0, 0}));

    FlatBufferBuilder schemaMessage = new FlatBufferBuilder(1024);
    int schema = schema(schemaMessage);
    schemaMessage.finish(
        Message.createMessage(
            schemaMessage, MetadataVersion.V5, MessageHeader.Schema, schema, 0, 0));
    writeMessage(schemaMessage);

    List<long[]> blocks = new ArrayList<>();
    long rows = source.rows();
    long batchRows = Math.min(options.rowGroupRows(), Math.max(rows, 1));
    long maxColumnBytes = 8 * batchRows;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment staging = arena.allocate(maxColumnBytes, 8);
      for (long start = 0; start < rows; start += batchRows) {
        long n = Math.min(batchRows, rows - start);
        blocks.add(writeBatch(start, n, staging));
        options.progress().accept((start + n) * source.rowBytes());
      }
    }
    options.progress().accept(rows * source.rowBytes());

    // End-of-stream marker, then the footer.
    writeFully(
        ByteBuffer.allocate(8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(CONTINUATION)
            .putInt(0)
            .flip());
    FlatBufferBuilder footer = new FlatBufferBuilder(1024);
    int footerSchema = schema(footer);
    Footer.startRecordBatchesVector(footer, blocks.size());
    for (int i = blocks.size() - 1; i >= 0; i--) {
      long[] b = blocks.get(i);
      Block.createBlock(footer, b[0], (int) b[1], b[2]);
    }
    int batches = footer.endVector();
    Footer.startDictionariesVector(footer, 0);
    int dictionaries = footer.endVector();
    footer.finish(
        Footer.createFooter(footer, MetadataVersion.V5, footerSchema, dictionaries, batches, 0));
    ByteBuffer footerBytes = footer.dataBuffer();
    int footerLength = footerBytes.remaining();
    writeFully(footerBytes);
    ByteBuffer tail = ByteBuffer.allocate(4 + MAGIC.length).order(ByteOrder.LITTLE_ENDIAN);
    tail.putInt(footerLength).put(MAGIC).flip();
    writeFully(tail);
  }

  /** {@return the schema table built in {@code b}: one non-nullable field per column} */
  private int schema(FlatBufferBuilder b) {
    List<Column> columns = source.columns();
    int[] fields = new int[columns.size()];
    for (int i = 0; i < fields.length; i++) {
      Column c = columns.get(i);
      int name = b.createString(c.name());
      byte typeType;
      int type;
      switch (c.type()) {
        case BYTE, SHORT, CHAR, INT, LONG -> {
          typeType = Type.Int;
          type = Int.createInt(b, 8 * c.type().byteSize(), c.type() != ColumnType.CHAR);
        }
        case FLOAT -> {
          typeType = Type.FloatingPoint;
          type = FloatingPoint.createFloatingPoint(b, Precision.SINGLE);
        }
        case DOUBLE -> {
          typeType = Type.FloatingPoint;
          type = FloatingPoint.createFloatingPoint(b, Precision.DOUBLE);
        }
        case BOOLEAN -> {
          typeType = Type.Bool;
          Bool.startBool(b);
          type = Bool.endBool(b);
        }
        default -> throw new AssertionError(c.type());
      }
      int children = Field.createChildrenVector(b, new int[0]);
      fields[i] = Field.createField(b, name, false, typeType, type, 0, children, 0);
    }
    int fieldVector = Schema.createFieldsVector(b, fields);
    Map<String, String> metadata = source.metadata();
    int[] pairs = new int[metadata.size()];
    int k = 0;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      int key = b.createString(e.getKey());
      int value = b.createString(e.getValue());
      pairs[k++] = KeyValue.createKeyValue(b, key, value);
    }
    int custom = Schema.createCustomMetadataVector(b, pairs);
    // Values are copied as they are in the file, so the schema states the file's byte order.
    short endianness =
        source.order() == ByteOrder.LITTLE_ENDIAN ? Endianness.Little : Endianness.Big;
    return Schema.createSchema(b, endianness, fieldVector, custom, 0);
  }

  /**
   * Writes rows {@code start} to {@code start + n - 1} as one record batch.
   *
   * @return the batch's block for the footer: offset, metadata length, body length
   */
  private long[] writeBatch(long start, long n, MemorySegment staging) throws IOException {
    List<Column> columns = source.columns();
    long[] dataLengths = new long[columns.size()];
    long bodyLength = 0;
    for (int i = 0; i < dataLengths.length; i++) {
      ColumnType t = columns.get(i).type();
      dataLengths[i] = t == ColumnType.BOOLEAN ? (n + 7) / 8 : n * t.byteSize();
      bodyLength += pad8(dataLengths[i]);
    }
    FlatBufferBuilder b = new FlatBufferBuilder(256 + 48 * columns.size());
    RecordBatch.startNodesVector(b, columns.size());
    for (int i = columns.size() - 1; i >= 0; i--) {
      FieldNode.createFieldNode(b, n, 0);
    }
    int nodes = b.endVector();
    RecordBatch.startBuffersVector(b, 2 * columns.size());
    long[] offsets = new long[columns.size()];
    long at = 0;
    for (int i = 0; i < columns.size(); i++) {
      offsets[i] = at;
      at += pad8(dataLengths[i]);
    }
    for (int i = columns.size() - 1; i >= 0; i--) {
      Buffer.createBuffer(b, offsets[i], dataLengths[i]); // the values
      Buffer.createBuffer(b, offsets[i], 0); // validity: none, there are no nulls
    }
    int buffers = b.endVector();
    int batch = RecordBatch.createRecordBatch(b, n, nodes, buffers, 0, 0);
    b.finish(
        Message.createMessage(
            b, MetadataVersion.V5, MessageHeader.RecordBatch, batch, bodyLength, 0));
    long offset = position;
    long metadataLength = writeMessage(b);

    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      MemorySegment data = source.data(i);
      long stride = source.stride(i);
      long length = dataLengths[i];
      ByteBuffer values;
      if (c.type() == ColumnType.BOOLEAN) {
        MemorySegment bits = staging.asSlice(0, pad8(length));
        bits.fill((byte) 0);
        for (long r = 0; r < n; r++) {
          if (data.get(JAVA_BYTE, (start + r) * stride + c.offset()) != 0) {
            long byteIndex = r >>> 3;
            bits.set(
                JAVA_BYTE, byteIndex, (byte) (bits.get(JAVA_BYTE, byteIndex) | (1 << (r & 7))));
          }
        }
        values = bits.asSlice(0, length).asByteBuffer();
      } else if (stride == c.type().byteSize()) {
        // A primitive vector: the values are already contiguous in the mapping.
        values = data.asSlice(start * stride, length).asByteBuffer();
      } else {
        gather(data, start, n, stride, c, staging);
        values = staging.asSlice(0, length).asByteBuffer();
      }
      writeFully(values);
      writeFully(ByteBuffer.allocate((int) (pad8(length) - length)));
    }
    return new long[] {offset, metadataLength, bodyLength};
  }

  /**
   * Copies one field of {@code n} records, {@code stride} bytes apart, into {@code to}, as bytes.
   */
  private static void gather(
      MemorySegment data, long start, long n, long stride, Column c, MemorySegment to) {
    int size = c.type().byteSize();
    long from = start * stride + c.offset();
    switch (size) {
      case 1 -> {
        for (long r = 0; r < n; r++) {
          to.set(JAVA_BYTE, r, data.get(JAVA_BYTE, from + r * stride));
        }
      }
      case 2 -> {
        for (long r = 0; r < n; r++) {
          to.set(JAVA_SHORT_UNALIGNED, 2 * r, data.get(JAVA_SHORT_UNALIGNED, from + r * stride));
        }
      }
      case 4 -> {
        for (long r = 0; r < n; r++) {
          to.set(JAVA_INT_UNALIGNED, 4 * r, data.get(JAVA_INT_UNALIGNED, from + r * stride));
        }
      }
      default -> {
        for (long r = 0; r < n; r++) {
          to.set(JAVA_LONG_UNALIGNED, 8 * r, data.get(JAVA_LONG_UNALIGNED, from + r * stride));
        }
      }
    }
  }

  /**
   * Writes an encapsulated message's prefix and metadata.
   *
   * @return the bytes written
   */
  private long writeMessage(FlatBufferBuilder finished) throws IOException {
    ByteBuffer metadata = finished.dataBuffer();
    int length = metadata.remaining();
    int padded = (int) pad8(8 + length) - 8;
    ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    prefix.putInt(CONTINUATION).putInt(padded).flip();
    writeFully(prefix);
    writeFully(metadata);
    writeFully(ByteBuffer.allocate(padded - length));
    return 8L + padded;
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      position += out.write(b);
    }
  }

  private static long pad8(long n) {
    return (n + 7) & ~7L;
  }
}
