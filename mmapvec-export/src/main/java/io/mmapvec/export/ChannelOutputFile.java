package io.mmapvec.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A parquet-java output file whose channel this module owns and always closes: parquet-java's
 * writer leaves its stream open when it fails while closing (for example on a full disk), which
 * would keep the deleted temporary file's blocks allocated for as long as the JVM lives.
 *
 * <p>Writes go through a 1 MiB buffer. One thread at a time; {@link #close()} is idempotent.
 */
final class ChannelOutputFile implements OutputFile, AutoCloseable {
  private static final int BUFFER_BYTES = 1 << 20;

  private final Path path;
  private FileChannel channel;

  ChannelOutputFile(Path path) {
    this.path = path;
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) throws IOException {
    if (channel != null) {
      throw new IllegalStateException("created twice: " + path);
    }
    channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileChannel ch = channel;
    return new PositionOutputStream() {
      private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
      private long flushed;

      @Override
      public long getPos() {
        return flushed + buffer.position();
      }

      @Override
      public void write(int b) throws IOException {
        if (!buffer.hasRemaining()) {
          drain();
        }
        buffer.put((byte) b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
          if (!buffer.hasRemaining()) {
            drain();
          }
          int n = Math.min(len, buffer.remaining());
          buffer.put(b, off, n);
          off += n;
          len -= n;
        }
      }

      @Override
      public void flush() throws IOException {
        drain();
      }

      @Override
      public void close() throws IOException {
        if (ch.isOpen()) {
          try {
            drain();
          } finally {
            ch.close();
          }
        }
      }

      private void drain() throws IOException {
        buffer.flip();
        try {
          while (buffer.hasRemaining()) {
            flushed += ch.write(buffer);
          }
        } finally {
          buffer.clear();
        }
      }
    };
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
    throw new UnsupportedOperationException("export files are always new: " + path);
  }

  @Override
  public boolean supportsBlockSize() {
    return false;
  }

  @Override
  public long defaultBlockSize() {
    return 0;
  }

  @Override
  public String getPath() {
    return path.toString();
  }

  /** Closes the channel if parquet-java did not; buffered bytes are dropped. */
  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
