package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.StructRecords.All8;
import io.mmapvec.StructRecords.Tick;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by {@link StructVec} read without conversion by numpy ({@code numpy.memmap} with a
 * structured dtype built from {@link VecFiles#describe}) and by a C program compiled here (a plain
 * struct, the committed length read from the header's commit slots). Each reader prints every
 * element, floating-point values as their raw bits, and the test compares with what was written.
 * Skipped, with the reason printed, where python3 with numpy or {@code cc} is absent.
 */
class StructInteropTest {
  private static final long TIMEOUT_SECONDS = 120;

  @TempDir Path dir;

  static List<All8> all8s() {
    List<All8> out = new ArrayList<>();
    out.add(new All8((byte) 0, (short) 0, '\0', 0, 0, 0f, 0.0, false));
    out.add(
        new All8(
            Byte.MIN_VALUE,
            Short.MIN_VALUE,
            Character.MAX_VALUE,
            Integer.MIN_VALUE,
            Long.MIN_VALUE,
            Float.NEGATIVE_INFINITY,
            -0.0,
            true));
    out.add(
        new All8(
            Byte.MAX_VALUE,
            Short.MAX_VALUE,
            '\u20ac',
            Integer.MAX_VALUE,
            Long.MAX_VALUE,
            Float.MIN_VALUE,
            Double.NaN,
            false));
    for (int k = 0; k < 100; k++) {
      out.add(
          new All8(
              (byte) (k * 7),
              (short) (k * -1234),
              (char) ('A' + k),
              k * 1_000_003,
              k * 0x1234_5678_9ABCL,
              k / 3f,
              k * Math.PI,
              k % 3 == 0));
    }
    return out;
  }

  static List<Tick> ticks() {
    List<Tick> out = new ArrayList<>();
    for (int k = 0; k < 1000; k++) {
      out.add(new Tick(1_700_000_000_000L + k, 100 + k * 0.25, k % 17));
    }
    return out;
  }

  /** {@return one line per record: every component, floats as raw bits, booleans as 0/1} */
  static List<String> expectedLines(List<? extends Record> records) {
    List<String> lines = new ArrayList<>();
    for (Record r : records) {
      List<String> parts = new ArrayList<>();
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        Object v;
        try {
          v = c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
        parts.add(
            switch (v) {
              case Float f -> Integer.toUnsignedString(Float.floatToRawIntBits(f));
              case Double d -> Long.toUnsignedString(Double.doubleToRawLongBits(d));
              case Boolean b -> b ? "1" : "0";
              case Character ch -> Integer.toString(ch);
              default -> v.toString();
            });
      }
      lines.add(String.join(" ", parts));
    }
    return lines;
  }

  /**
   * Writes {@code records} through {@code StructVec}: half with {@code addAll}, the rest one by
   * one, with a sync in between so both commit slots are in use.
   */
  static <R extends Record> Path write(Path file, Class<R> type, List<R> records)
      throws IOException {
    try (StructVec<R> v = StructVec.open(file, type)) {
      v.addAll(records.subList(0, records.size() / 2));
      v.sync();
      for (R r : records.subList(records.size() / 2, records.size())) {
        v.add(r);
      }
    }
    return file;
  }

  // ------------------------------------------------------------------ numpy

  private static final String NUMPY_READER =
      """
      import struct, sys
      import numpy as np

      path, names, formats, offsets, itemsize = sys.argv[1:6]
      names = names.split(",")
      formats = formats.split(",")
      offsets = [int(o) for o in offsets.split(",")]
      dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets,
                        "itemsize": int(itemsize)})

      def crc32c(data):
          crc = 0xFFFFFFFF
          for b in data:
              crc ^= b
              for _ in range(8):
                  crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
          return crc ^ 0xFFFFFFFF

      # The committed length: of the commit slots at 4096 and 8192, the valid one with the higher
      # sequence (docs/FORMAT.md).
      with open(path, "rb") as f:
          header = f.read(12288)
      sequence, length = 0, -1
      for at in (4096, 8192):
          slot = header[at:at + 64]
          s, n = struct.unpack_from("=qq", slot)
          (crc,) = struct.unpack_from("=I", slot, 60)
          if s > sequence and crc == crc32c(slot[:60]):
              sequence, length = s, n
      assert length >= 0, "both commit slots are damaged"

      records = np.memmap(path, dtype=dtype, mode="r", offset=65536, shape=(length,))
      aligned = np.dtype(list(zip(names, formats)), align=True)
      print("ALIGNED", aligned.itemsize == dtype.itemsize
            and all(aligned.fields[n][1] == dtype.fields[n][1] for n in names))
      print("LENGTH", length)
      bits = {"f4": "u4", "f8": "u8"}
      for r in records:
          parts = []
          for n, fmt in zip(names, formats):
              v = r[n]
              if fmt in bits:
                  parts.append(str(v.view(bits[fmt])))
              else:
                  parts.append(str(int(v)))
          print(" ".join(parts))
      """;

  /** {@return the numpy format of a field type, as in the README's table} */
  static String numpyFormat(String javaType) {
    return switch (javaType) {
      case "byte" -> "i1";
      case "short" -> "i2";
      case "char" -> "u2";
      case "int" -> "i4";
      case "long" -> "i8";
      case "float" -> "f4";
      case "double" -> "f8";
      case "boolean" -> "?";
      default -> throw new IllegalArgumentException(javaType);
    };
  }

  private static boolean numpyAvailable() {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void assumeNumpy() {
    boolean ok = numpyAvailable();
    if (!ok) {
      System.out.println(
          "StructInteropTest: skipping the numpy test: python3 with numpy not found");
    }
    Assumptions.assumeTrue(ok, "python3 with numpy not found");
  }

  private List<String> readWithNumpy(Path file) throws Exception {
    VecDescription d = VecFiles.describe(file);
    Path script = dir.resolve("read.py");
    Files.writeString(script, NUMPY_READER);
    return run(
        dir,
        "python3",
        script.toString(),
        file.toString(),
        d.fields().stream().map(FieldDescription::name).collect(Collectors.joining(",")),
        d.fields().stream().map(f -> numpyFormat(f.type())).collect(Collectors.joining(",")),
        d.fields().stream().map(f -> Long.toString(f.offset())).collect(Collectors.joining(",")),
        Long.toString(d.elementSize()));
  }

  @Test
  void numpyReadsEveryTypeWithTheHeadersLayout() throws Exception {
    assumeNumpy();
    List<All8> records = all8s();
    Path file = write(dir.resolve("all8.vec"), All8.class, records);
    List<String> out = readWithNumpy(file);
    assertThat(out.get(0))
        .as("numpy's own C alignment agrees with the header")
        .isEqualTo("ALIGNED True");
    assertThat(out.get(1)).isEqualTo("LENGTH " + records.size());
    assertThat(out.subList(2, out.size())).isEqualTo(expectedLines(records));
  }

  @Test
  void numpyReadsTicksAfterFieldWrites() throws Exception {
    assumeNumpy();
    List<Tick> records = new ArrayList<>(ticks());
    Path file = write(dir.resolve("ticks.vec"), Tick.class, records);
    try (StructVec<Tick> v = StructVec.open(file, Tick.class)) {
      v.doubleField("price").set(7, 2.75);
      records.set(7, new Tick(records.get(7).time(), 2.75, records.get(7).qty()));
      v.removeLast();
      records.remove(records.size() - 1);
    }
    List<String> out = readWithNumpy(file);
    assertThat(out.get(0)).isEqualTo("ALIGNED True");
    assertThat(out.get(1)).isEqualTo("LENGTH " + records.size());
    assertThat(out.subList(2, out.size())).isEqualTo(expectedLines(records));
  }

  @Test
  void numpyFallsBackToTheOlderCommitSlotAsTheLibraryDoes() throws Exception {
    assumeNumpy();
    List<All8> records = all8s();
    Path file = write(dir.resolve("all8.vec"), All8.class, records);
    int half = damageNewestSlot(file);
    List<String> out = readWithNumpy(file);
    assertThat(out.get(1)).isEqualTo("LENGTH " + half);
    assertThat(out.subList(2, out.size())).isEqualTo(expectedLines(records.subList(0, half)));
  }

  /**
   * Flips a byte of the newest commit slot's length, so its checksum fails, checks that the library
   * now reads the older slot, and returns that slot's size.
   */
  static int damageNewestSlot(Path file) throws IOException {
    VecDescription before = VecFiles.describe(file);
    long at = 4096L * (before.active().slot() + 1) + 8;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
      ch.write(b, at);
    }
    VecDescription after = VecFiles.describe(file);
    assertThat(after.active()).isEqualTo(before.other().orElseThrow());
    return (int) after.size();
  }

  // ------------------------------------------------------------------ C

  private static final String C_READER =
      """
      #include <stddef.h>
      #include <stdint.h>
      #include <stdio.h>
      #include <string.h>

      /* The same fields in the same order as the Java record All8. */
      struct all8 {
        int8_t b;
        int16_t s;
        uint16_t c; /* Java char: a UTF-16 code unit */
        int32_t i;
        int64_t l;
        float f;
        double d;
        _Bool z; /* Java boolean: one byte, 0 or 1 */
      };

      /* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as the header's checksums. */
      static uint32_t crc32c(const unsigned char *p, size_t n) {
        uint32_t crc = 0xFFFFFFFFu;
        for (size_t k = 0; k < n; k++) {
          crc ^= p[k];
          for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
          }
        }
        return ~crc;
      }

      /* A commit slot: sequence, length, time, reserved, CRC32C of bytes 0..59 at byte 60. */
      static int read_slot(const unsigned char *slot, int64_t *sequence, int64_t *length) {
        uint32_t stored;
        memcpy(&stored, slot + 60, 4);
        memcpy(sequence, slot, 8);
        memcpy(length, slot + 8, 8);
        return *sequence > 0 && stored == crc32c(slot, 60);
      }

      int main(int argc, char **argv) {
        if (argc != 2) {
          fprintf(stderr, "usage: %s FILE\\n", argv[0]);
          return 2;
        }
        FILE *f = fopen(argv[1], "rb");
        if (f == NULL) {
          perror(argv[1]);
          return 1;
        }
        static unsigned char header[12288];
        if (fread(header, 1, sizeof header, f) != sizeof header) {
          fprintf(stderr, "short header\\n");
          return 1;
        }
        if (memcmp(header + 8, "mmapvec", 8) != 0) {
          fprintf(stderr, "not a mmapvec file\\n");
          return 1;
        }
        uint32_t element_size;
        memcpy(&element_size, header + 32, 4);
        printf("SIZEOF %zu %u\\n", sizeof(struct all8), element_size);
        printf("OFFSETS %zu %zu %zu %zu %zu %zu %zu %zu\\n",
               offsetof(struct all8, b), offsetof(struct all8, s), offsetof(struct all8, c),
               offsetof(struct all8, i), offsetof(struct all8, l), offsetof(struct all8, f),
               offsetof(struct all8, d), offsetof(struct all8, z));
        int64_t seq0, len0, seq1, len1;
        int ok0 = read_slot(header + 4096, &seq0, &len0);
        int ok1 = read_slot(header + 8192, &seq1, &len1);
        if (!ok0 && !ok1) {
          fprintf(stderr, "both commit slots are damaged\\n");
          return 1;
        }
        int64_t length = (ok1 && (!ok0 || seq1 > seq0)) ? len1 : len0;
        printf("LENGTH %lld\\n", (long long) length);
        if (fseek(f, 65536, SEEK_SET) != 0) {
          perror("fseek");
          return 1;
        }
        for (int64_t k = 0; k < length; k++) {
          struct all8 r;
          if (fread(&r, sizeof r, 1, f) != 1) {
            fprintf(stderr, "short data\\n");
            return 1;
          }
          uint32_t fbits;
          uint64_t dbits;
          memcpy(&fbits, &r.f, 4);
          memcpy(&dbits, &r.d, 8);
          printf("%d %d %u %d %lld %u %llu %d\\n", r.b, r.s, (unsigned) r.c, r.i, (long long) r.l,
                 fbits, (unsigned long long) dbits, r.z ? 1 : 0);
        }
        fclose(f);
        return 0;
      }
      """;

  private static boolean ccAvailable() {
    try {
      Process p = new ProcessBuilder("cc", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void assumeCc() {
    boolean ok = ccAvailable();
    if (!ok) {
      System.out.println("StructInteropTest: skipping the C test: no cc on PATH");
    }
    Assumptions.assumeTrue(ok, "no cc on PATH");
  }

  private List<String> readWithC(Path file) throws Exception {
    Path source = dir.resolve("read.c");
    Path program = dir.resolve("read");
    if (!Files.exists(program)) {
      Files.writeString(source, C_READER);
      run(
          dir,
          "cc",
          "-std=c11",
          "-O1",
          "-Wall",
          "-Werror",
          "-o",
          program.toString(),
          source.toString());
    }
    return run(dir, program.toString(), file.toString());
  }

  @Test
  void aCProgramReadsTheFileAsAnArrayOfStructs() throws Exception {
    assumeCc();
    List<All8> records = all8s();
    Path file = write(dir.resolve("all8.vec"), All8.class, records);
    List<String> out = readWithC(file);
    assertThat(out.get(0))
        .as("sizeof(struct all8) and the header's element size")
        .isEqualTo("SIZEOF 48 48");
    VecDescription d = VecFiles.describe(file);
    assertThat(out.get(1))
        .as("offsetof each field, as the C compiler lays it out")
        .isEqualTo(
            "OFFSETS "
                + d.fields().stream()
                    .map(f -> Long.toString(f.offset()))
                    .collect(Collectors.joining(" ")));
    assertThat(out.get(2)).isEqualTo("LENGTH " + records.size());
    assertThat(out.subList(3, out.size())).isEqualTo(expectedLines(records));
  }

  @Test
  void aCProgramFallsBackToTheOlderCommitSlotAsTheLibraryDoes() throws Exception {
    assumeCc();
    List<All8> records = all8s();
    Path file = write(dir.resolve("all8.vec"), All8.class, records);
    int half = damageNewestSlot(file);
    List<String> out = readWithC(file);
    assertThat(out.get(2)).isEqualTo("LENGTH " + half);
    assertThat(out.subList(3, out.size())).isEqualTo(expectedLines(records.subList(0, half)));
  }

  // ------------------------------------------------------------------ processes

  /** Runs a command in {@code cwd}, checks that it exited with 0, and returns its output lines. */
  private static List<String> run(Path cwd, String... command) throws Exception {
    Path out = Files.createTempFile(cwd, "out", ".txt");
    Path err = Files.createTempFile(cwd, "err", ".txt");
    Process p =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError(String.join(" ", command) + " did not finish in time");
      }
    } finally {
      p.destroyForcibly();
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit status of %s; stderr: %s", command[0], stderr).isZero();
    return Files.readAllLines(out, StandardCharsets.UTF_8);
  }
}
