package io.mmapvec.export;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * The page codecs parquet-java compresses and decompresses with: zstd (zstd-jni, level 3, the
 * Parquet default), snappy (snappy-java, raw blocks as Parquet specifies) and none. Both libraries
 * are parquet-hadoop's own dependencies.
 *
 * <p>Why not parquet-java's {@code CodecFactory}: in 1.18 it makes every codec, even for local
 * files, through Hadoop's {@code Configuration}, whose class needs an XML parser that only the full
 * Hadoop client runtime ships (measured: {@code NoClassDefFoundError} on {@code
 * org/apache/hadoop/shaded/com/ctc/wstx/io/InputBootstrapper} with hadoop-client-api alone). These
 * few lines keep Hadoop off the class path entirely.
 *
 * <p>Stateless; any thread may use it.
 */
final class Codecs implements CompressionCodecFactory {
  /** The zstd level: parquet-java's and DuckDB's default. */
  static final int ZSTD_LEVEL = 3;

  static final Codecs INSTANCE = new Codecs();

  private Codecs() {}

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return switch (codec) {
      case ZSTD -> new Compressor(codec, b -> Zstd.compress(b, ZSTD_LEVEL));
      case SNAPPY -> new Compressor(codec, Snappy::compress);
      case UNCOMPRESSED -> new Compressor(codec, null);
      default -> throw new IllegalArgumentException("no compressor for " + codec);
    };
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return switch (codec) {
      case ZSTD -> new Decompressor(Zstd::decompress);
      case SNAPPY -> new Decompressor((b, size) -> Snappy.uncompress(b));
      case UNCOMPRESSED -> new Decompressor(null);
      default ->
          throw new UnsupportedOperationException(
              "pages compressed with " + codec + " cannot be read; use zstd, snappy or none");
    };
  }

  @Override
  public void release() {}

  @FunctionalInterface
  private interface Transform {
    byte[] apply(byte[] in) throws IOException;
  }

  @FunctionalInterface
  private interface SizedTransform {
    byte[] apply(byte[] in, int decompressedSize) throws IOException;
  }

  private record Compressor(CompressionCodecName codec, Transform transform)
      implements BytesInputCompressor {
    @Override
    @SuppressWarnings(
        "deprecation") // toByteArray: the codecs take arrays; its successors need an allocator
    public BytesInput compress(BytesInput bytes) throws IOException {
      return transform == null ? bytes : BytesInput.from(transform.apply(bytes.toByteArray()));
    }

    @Override
    public CompressionCodecName getCodecName() {
      return codec;
    }

    @Override
    public void release() {}
  }

  private record Decompressor(SizedTransform transform) implements BytesInputDecompressor {
    @Override
    @SuppressWarnings(
        "deprecation") // toByteArray: the codecs take arrays; its successors need an allocator
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      return transform == null
          ? bytes
          : BytesInput.from(run(bytes.toByteArray(), decompressedSize));
    }

    @Override
    public void decompress(
        ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
        throws IOException {
      byte[] in = new byte[compressedSize];
      input.get(in);
      output.put(transform == null ? in : run(in, decompressedSize));
    }

    private byte[] run(byte[] in, int decompressedSize) throws IOException {
      byte[] out = transform.apply(in, decompressedSize);
      if (out.length != decompressedSize) {
        throw new IOException(
            "a page decompressed to " + out.length + " bytes, expected " + decompressedSize);
      }
      return out;
    }

    @Override
    public void release() {}
  }
}
