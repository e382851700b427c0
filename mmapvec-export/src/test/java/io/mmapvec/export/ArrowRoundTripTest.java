package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.Vec;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Arrow IPC files read back by an independent reader, arrow-java (test scope only; it needs {@code
 * --add-opens=java.base/java.nio} on JDK 25, which only this module's test JVMs get): every value
 * of every column to the bit, the types, nullability and metadata as documented, one batch per
 * {@code rowGroupRows}. Where python3 with pyarrow exists, pyarrow reads the file too.
 */
class ArrowRoundTripTest {
  private static final int BATCH_ROWS = 1_000;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Fixtures.Kind.class)
  void arrowJavaReadsEveryValue(Fixtures.Kind kind) throws Exception {
    for (int size : new int[] {0, 1, 4_321}) {
      Path vec = Fixtures.create(dir.resolve(kind + "-" + size + ".vec"), kind, size);
      Path arrow = dir.resolve(kind + "-" + size + ".arrow");
      List<Long> progress = new ArrayList<>();
      VecExport.toArrow(
          vec,
          arrow,
          ExportOptions.defaults().withRowGroupRows(BATCH_ROWS).withProgress(progress::add));
      List<ColumnValues> expected;
      long elementBytes;
      try (Vec v = Fixtures.openReadOnly(vec, kind)) {
        expected = ColumnValues.of(v);
        elementBytes = v.size() * v.elementSize();
      }
      checkWithArrowJava(arrow, expected, kind, size);
      assertThat(progress.getLast()).isEqualTo(elementBytes);
    }
  }

  private static void checkWithArrowJava(
      Path arrow, List<ColumnValues> expected, Fixtures.Kind kind, int size) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel ch = FileChannel.open(arrow, StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Schema schema = root.getSchema();
      assertThat(schema.getFields())
          .extracting(Field::getName)
          .containsExactlyElementsOf(expected.stream().map(ColumnValues::name).toList());
      for (int c = 0; c < expected.size(); c++) {
        Field f = schema.getFields().get(c);
        assertThat(f.isNullable()).as(f.getName() + " nullable").isFalse();
        assertThat(f.getType())
            .as(f.getName() + " type")
            .isEqualTo(arrowType(expected.get(c).type()));
      }
      assertThat(schema.getCustomMetadata())
          .containsEntry("mmapvec.magic", "EXPORTTS")
          .containsEntry("mmapvec.dataVersion", "3.1.4")
          .containsEntry(
              "mmapvec.elementType",
              kind == Fixtures.Kind.RECORD
                  ? "struct"
                  : kind.name().toLowerCase(java.util.Locale.ROOT));
      assertThat(reader.getRecordBlocks()).hasSize((size + BATCH_ROWS - 1) / BATCH_ROWS);
      int row0 = 0;
      while (reader.loadNextBatch()) {
        int n = root.getRowCount();
        for (int c = 0; c < expected.size(); c++) {
          ColumnValues e = expected.get(c);
          FieldVector v = root.getVector(c);
          assertThat(v.getNullCount()).isZero();
          for (int i = 0; i < n; i++) {
            int at = row0 + i;
            String what = e.name() + "[" + at + "]";
            switch (v) {
              case TinyIntVector t -> assertThat((long) t.get(i)).as(what).isEqualTo(e.ints()[at]);
              case SmallIntVector t -> assertThat((long) t.get(i)).as(what).isEqualTo(e.ints()[at]);
              case UInt2Vector t -> assertThat((long) t.get(i)).as(what).isEqualTo(e.ints()[at]);
              case IntVector t -> assertThat((long) t.get(i)).as(what).isEqualTo(e.ints()[at]);
              case BigIntVector t -> assertThat(t.get(i)).as(what).isEqualTo(e.ints()[at]);
              case BitVector t -> assertThat((long) t.get(i)).as(what).isEqualTo(e.ints()[at]);
              case Float4Vector t ->
                  assertThat(Float.floatToRawIntBits(t.get(i)))
                      .as(what)
                      .isEqualTo(Float.floatToRawIntBits((float) e.reals()[at]));
              case Float8Vector t ->
                  assertThat(Double.doubleToRawLongBits(t.get(i)))
                      .as(what)
                      .isEqualTo(Double.doubleToRawLongBits(e.reals()[at]));
              default -> throw new AssertionError("unexpected vector " + v.getClass());
            }
          }
        }
        row0 += n;
      }
      assertThat(row0).as("rows read").isEqualTo(size);
    }
  }

  private static ArrowType arrowType(ColumnType t) {
    return switch (t) {
      case BYTE -> new ArrowType.Int(8, true);
      case SHORT -> new ArrowType.Int(16, true);
      case CHAR -> new ArrowType.Int(16, false);
      case INT -> new ArrowType.Int(32, true);
      case LONG -> new ArrowType.Int(64, true);
      case FLOAT ->
          new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE);
      case DOUBLE ->
          new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE);
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
    };
  }

  @Test
  void pyarrowReadsTheRecordFile() throws Exception {
    String missing = pyarrowMissing();
    if (missing != null) {
      System.out.println("ArrowRoundTripTest.pyarrowReadsTheRecordFile skipped: " + missing);
      assumeTrue(false, missing);
    }
    Path vec = Fixtures.create(dir.resolve("r.vec"), Fixtures.Kind.RECORD, 2_000);
    Path arrow = dir.resolve("r.arrow");
    VecExport.toArrow(vec, arrow, ExportOptions.defaults().withRowGroupRows(BATCH_ROWS));
    List<ColumnValues> expected;
    try (Vec v = Fixtures.openReadOnly(vec, Fixtures.Kind.RECORD)) {
      expected = ColumnValues.of(v);
    }
    String script =
        """
        import sys, pyarrow as pa
        t = pa.ipc.open_file(sys.argv[1]).read_all()
        print(t.num_rows)
        print(",".join(f.name + ":" + str(f.type) for f in t.schema))
        print(int(t.column("l").to_numpy()[-1]), int(t.column("c").to_numpy().sum()))
        """;
    Process p =
        new ProcessBuilder("python3", "-c", script, arrow.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    long[] l = expected.get(1).ints();
    long charSum = 0;
    for (long x : expected.get(3).ints()) {
      charSum += x;
    }
    assertThat(out.lines().toList())
        .containsExactly(
            "2000",
            "b:int8,l:int64,s:int16,c:uint16,i:int32,f:float,d:double,z:bool",
            l[l.length - 1] + " " + charSum);
  }

  /** {@return null if python3 can import pyarrow, else why not} */
  private static String pyarrowMissing() {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import pyarrow").redirectErrorStream(true).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "python3 -c 'import pyarrow' did not finish in 60 s";
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.exitValue() == 0 ? null : "python3 has no pyarrow (" + lastLine(out) + ")";
    } catch (java.io.IOException e) {
      return "no python3 on PATH (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static String lastLine(String s) {
    List<String> lines = s.lines().toList();
    return lines.isEmpty() ? "" : lines.getLast();
  }

  @Test
  void fileStartsAndEndsWithTheArrowMagic() throws Exception {
    Path vec = Fixtures.create(dir.resolve("l.vec"), Fixtures.Kind.LONG, 10);
    Path arrow = dir.resolve("l.arrow");
    VecExport.toArrow(vec, arrow, ExportOptions.defaults());
    byte[] bytes = Files.readAllBytes(arrow);
    assertThat(new String(bytes, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("ARROW1");
    assertThat(new String(bytes, bytes.length - 6, 6, StandardCharsets.US_ASCII))
        .isEqualTo("ARROW1");
  }
}
