package io.mmapvec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.DoubleVec;
import io.mmapvec.FloatVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.StructVec;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every subcommand in-process, on good, damaged, locked, foreign, empty and missing files. */
class CommandsTest {
  static final ByteOrder OTHER =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
          ? ByteOrder.BIG_ENDIAN
          : ByteOrder.LITTLE_ENDIAN;
  static final String OTHER_NAME = OTHER == ByteOrder.BIG_ENDIAN ? "big" : "little";
  static final String NATIVE_NAME = OTHER == ByteOrder.BIG_ENDIAN ? "little" : "big";

  @TempDir Path dir;

  /** A record with a float field, for NaN and histogram checks. */
  record Quote(long time, double price, float size, boolean buy) {}

  private Path longs(int n) throws IOException {
    Path f = dir.resolve("longs.vec");
    try (LongVec v = LongVec.open(f)) {
      for (int i = 0; i < n; i++) {
        v.add(i * 10L);
      }
    }
    return f;
  }

  private Path quotes() throws IOException {
    Path f = dir.resolve("quotes.vec");
    try (StructVec<Quote> v = StructVec.open(f, Quote.class)) {
      v.add(new Quote(1, 10.5, 1.0f, true));
      v.add(new Quote(2, 11.5, Float.NaN, false));
      v.add(new Quote(3, 12.5, 3.0f, true));
      v.add(new Quote(4, 16.5, 5.0f, false));
    }
    return f;
  }

  private Path foreign(Path source) throws IOException {
    Path f = dir.resolve("foreign-" + source.getFileName());
    VecFiles.convert(source, f, OTHER);
    return f;
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x01));
      b.rewind();
      ch.write(b, offset);
    }
  }

  private static String text(List<String> lines) {
    return String.join("\n", lines);
  }

  /** One line on stderr, naming the file, no stack trace. */
  private static void assertOneLineError(Run r, int code, Path file) {
    assertThat(r.exitCode()).as(text(r.err())).isEqualTo(code);
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: ")
        .contains(file.toString());
  }

  // ------------------------------------------------------------------ info

  @Test
  void infoPrintsEveryHeaderFieldAndTheLockState() throws IOException {
    Path f = quotes();
    Run r = Run.of("info", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.err()).isEmpty();
    String out = text(r.out());
    assertThat(out)
        .contains("file            " + f)
        .contains("magic           MMAPVEC_")
        .contains("data version    0.0.0")
        .contains("format version  1")
        .contains("byte order      " + NATIVE_NAME + "-endian (this machine's)")
        .contains("element type    struct, 24 bytes, aligned to 8")
        .contains("  time          long at offset 0")
        .contains("  price         double at offset 8")
        .contains("  size          float at offset 16")
        .contains("  buy           boolean at offset 20")
        .contains("length          4 elements (committed)")
        .contains("data offset     65536")
        .contains("active commit   slot 1, sequence 2")
        .contains("other slot      slot 0, sequence 1, length 0")
        .contains("lock            free");
  }

  @Test
  void infoJsonHasTheDocumentedKeys() throws IOException {
    Path f = longs(3);
    Run r = Run.of("info", "--json", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    String json = text(r.out());
    assertThat(json)
        .contains("\"length\" : 3")
        .contains("\"capacity\" : ")
        .contains("\"dataOffset\" : 65536")
        .contains("\"elementSize\" : 8")
        .contains("\"byteOrder\" : \"" + NATIVE_NAME + "\"")
        .contains("\"magic\" : \"MMAPVEC_\"")
        .contains("\"dataVersion\" : \"0.0.0\"")
        .contains("\"formatVersion\" : 1")
        .contains("\"elementType\" : \"long\"")
        .contains("\"name\" : \"value\"")
        .contains("\"type\" : \"long\"")
        .contains("\"offset\" : 0")
        .contains("\"state\" : \"free\"");
  }

  @Test
  void infoJsonEscapesAPathThatNeedsIt() throws IOException {
    Path d = Files.createDirectories(dir.resolve("we\"ird\\dir"));
    Path f = d.resolve("x.vec");
    LongVec.open(f).close();
    Run r = Run.of("info", "--json", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(text(r.out())).contains("we\\\"ird\\\\dir");
  }

  @Test
  void infoNumpyAndCPrintReadySnippets() throws IOException {
    Path f = quotes();
    Run numpy = Run.of("info", "--numpy", f.toString());
    assertThat(numpy.exitCode()).isEqualTo(Main.OK);
    String o = NATIVE_NAME.equals("little") ? "<" : ">";
    assertThat(text(numpy.out()))
        .contains("\"names\": [\"time\", \"price\", \"size\", \"buy\"]")
        .contains("\"formats\": [\"" + o + "i8\", \"" + o + "f8\", \"" + o + "f4\", \"?\"]")
        .contains("\"offsets\": [0, 8, 16, 20]")
        .contains("\"itemsize\": 24")
        .contains("offset=65536, shape=(4,))");
    Run c = Run.of("info", "--c", f.toString());
    assertThat(c.exitCode()).isEqualTo(Main.OK);
    assertThat(text(c.out()))
        .contains("struct quotes {")
        .contains("  int64_t time;  /* offset 0 */")
        .contains("  double price;  /* offset 8 */")
        .contains("  float size;  /* offset 16 */")
        .contains("  bool buy;  /* offset 20 */")
        .contains("  uint8_t _pad0[3];  /* to the element size */")
        .contains("_Static_assert(sizeof(struct quotes) == 24, \"element size\");")
        .contains("#define QUOTES_DATA_OFFSET 65536");
    assertThat(Run.of("info", "--c", "--json", f.toString()).exitCode()).isEqualTo(Main.USAGE);
  }

  @Test
  void infoWorksOnAForeignFileAndSaysSo() throws IOException {
    Path f = foreign(longs(5));
    Run r = Run.of("info", "--json", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(text(r.out()))
        .contains("\"byteOrder\" : \"" + OTHER_NAME + "\"")
        .contains("\"length\" : 5");
    Run t = Run.of("info", f.toString());
    assertThat(text(t.out())).contains(OTHER_NAME + "-endian (not this machine's: convert it");
  }

  @Test
  void infoWorksWhileThisJvmWritesTheFile() throws IOException {
    Path f = dir.resolve("open.vec");
    try (LongVec v = LongVec.open(f)) {
      v.add(1);
      v.sync();
      Run r = Run.of("info", f.toString());
      assertThat(r.exitCode()).isEqualTo(Main.OK);
      assertThat(text(r.out()))
          .contains("lock            held by a writer (pid " + ProcessHandle.current().pid() + ")");
    }
  }

  // ------------------------------------------------------------------ verify

  @Test
  void verifySaysSoundAndExitsZero() throws IOException {
    Path f = quotes();
    Run r = Run.of("verify", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.err()).isEmpty();
    assertThat(r.out().get(0))
        .isEqualTo(f + ": sound, 4 struct elements (0.0 MiB) read, " + NATIVE_NAME + "-endian");
  }

  @Test
  void verifyOfAForeignFileIsSoundWithANote() throws IOException {
    Path f = foreign(longs(5));
    Run r = Run.of("verify", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.out()).anyMatch(l -> l.startsWith("  note: written in " + OTHER_NAME + "-endian"));
  }

  @Test
  void verifyOfADamagedFileExitsOneWithEveryProblem() throws IOException {
    Path f = quotes();
    // The boolean at offset 20 of elements 1 and 3.
    for (long i : new long[] {1, 3}) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {9}), 65536 + 24 * i + 20);
      }
    }
    Run r = Run.of("verify", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.err())
        .containsExactly(
            "mmapvec: "
                + f
                + ": 2 boolean values are neither 0 nor 1 (first: element 1 field 'buy' holds 9)");
    assertThat(r.out()).containsExactly(f + ": NOT sound, 1 problem");

    Path g = longs(10);
    flipByte(g, 44);
    Run h = Run.of("verify", g.toString());
    assertThat(h.exitCode()).isEqualTo(Main.FAILED);
    assertThat(h.err()).singleElement().asString().contains(g.toString()).contains("checksum");
  }

  // ------------------------------------------------------------------ dump

  @Test
  void dumpCsvHasAHeaderRowAndEveryValue() throws IOException {
    Path f = quotes();
    Run r = Run.of("dump", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.out())
        .containsExactly(
            "time,price,size,buy",
            "1,10.5,1.0,true",
            "2,11.5,NaN,false",
            "3,12.5,3.0,true",
            "4,16.5,5.0,false");
  }

  @Test
  void dumpJsonlFromAndCount() throws IOException {
    Path f = quotes();
    Run r = Run.of("dump", f.toString(), "--format", "jsonl", "--from", "1", "--count", "2");
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.out())
        .containsExactly(
            "{\"time\":2,\"price\":11.5,\"size\":\"NaN\",\"buy\":false}",
            "{\"time\":3,\"price\":12.5,\"size\":3.0,\"buy\":true}");
  }

  @Test
  void dumpOfAForeignFileGivesTheSameValues() throws IOException {
    Path f = longs(4);
    Run mine = Run.of("dump", f.toString());
    Run theirs = Run.of("dump", foreign(f).toString());
    assertThat(theirs.exitCode()).isEqualTo(Main.OK);
    assertThat(theirs.out()).isEqualTo(mine.out()).containsExactly("value", "0", "10", "20", "30");
  }

  @Test
  void dumpOutOfRangeIsAClearUsageError() throws IOException {
    Path f = longs(4);
    Run r = Run.of("dump", f.toString(), "--from", "3", "--count", "2");
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.err())
        .singleElement()
        .asString()
        .startsWith("mmapvec: --from 3 --count 2 is past the end: " + f + " holds 4 elements");
    assertThat(Run.of("dump", f.toString(), "--from", "5").exitCode()).isEqualTo(Main.USAGE);
    assertThat(Run.of("dump", f.toString(), "--from", "-1").exitCode()).isEqualTo(Main.USAGE);
    assertThat(Run.of("dump", f.toString(), "--format", "xml").exitCode()).isEqualTo(Main.USAGE);
    Run empty = Run.of("dump", f.toString(), "--from", "4");
    assertThat(empty.exitCode()).isEqualTo(Main.OK);
    assertThat(empty.out()).containsExactly("value");
  }

  // ------------------------------------------------------------------ stats

  @Test
  void statsShowsCountMinMaxMeanNansAndAHistogram() throws IOException {
    Path f = quotes();
    Run r = Run.of("stats", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    String out = text(r.out());
    assertThat(r.out().get(0)).isEqualTo(f + ": 4 elements");
    assertThat(r.out().get(1))
        .startsWith("field")
        .contains("count")
        .contains("NaN")
        .contains("histogram");
    assertThat(r.out().get(2)).matches("time\\s+long\\s+4\\s+1\\s+4\\s+2\\.50000\\s+\\|.*\\|");
    assertThat(r.out().get(3))
        .matches("price\\s+double\\s+4\\s+10\\.5\\s+16\\.5\\s+12\\.7500\\s+0\\s+\\|.*\\|");
    assertThat(r.out().get(4))
        .matches("size\\s+float\\s+4\\s+1\\.0\\s+5\\.0\\s+3\\.00000\\s+1\\s+\\|.*\\|");
    assertThat(out).doesNotContain("Exception");
  }

  @Test
  void statsJsonCountsTheHistogram() throws IOException {
    Path f = quotes();
    Run r = Run.of("stats", "--json", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    String json = text(r.out()).replaceAll("\\s+", "");
    assertThat(json)
        .contains(
            "\"name\":\"price\",\"type\":\"double\",\"count\":4,\"min\":10.5,\"max\":16.5,\"mean\":12.75")
        .contains("\"nanCount\":1")
        // price: 10.5, 11.5, 12.5 fall in the first bins of 16 over [10.5, 16.5], 16.5 in the last.
        .contains(
            "\"histogram\":{\"from\":10.5,\"to\":16.5,\"counts\":[1,0,1,0,0,1,0,0,0,0,0,0,0,0,0,1]}");
  }

  @Test
  void largeMeansKeepTheirDigits() {
    assertThat(StatsCommand.number(1_700_004_999_999.5)).isEqualTo("1700004999999.5");
    assertThat(StatsCommand.number(149.995)).isEqualTo("149.995");
  }

  @Test
  void sparklineScalesToTheFullestBin() {
    assertThat(StatsCommand.sparkline(new long[] {0, 1, 4, 8})).isEqualTo(" ▁▄█");
  }

  // ------------------------------------------------------------------ convert

  @Test
  void convertWritesTheOtherOrderAndBack() throws IOException {
    Path f = quotes();
    Path out = dir.resolve("out.vec");
    Path back = dir.resolve("back.vec");
    Run r = Run.of("convert", f.toString(), out.toString(), "--byte-order", OTHER_NAME);
    assertThat(r.exitCode()).as(text(r.err())).isEqualTo(Main.OK);
    assertThat(r.out())
        .singleElement()
        .asString()
        .startsWith(out + ": 4 struct elements, " + OTHER_NAME + "-endian");
    assertThat(VecFiles.describe(out).byteOrder()).isEqualTo(OTHER);
    Run b = Run.of("convert", out.toString(), back.toString(), "--byte-order", NATIVE_NAME);
    assertThat(b.exitCode()).isEqualTo(Main.OK);
    assertThat(Run.of("dump", back.toString()).out()).isEqualTo(Run.of("dump", f.toString()).out());
  }

  @Test
  void convertRefusesAnExistingTargetAndABadOrder() throws IOException {
    Path f = longs(2);
    Path taken = dir.resolve("taken.vec");
    Files.writeString(taken, "x");
    Run r = Run.of("convert", f.toString(), taken.toString(), "--byte-order", "big");
    assertOneLineError(r, Main.FAILED, taken);
    assertThat(Run.of("convert", f.toString(), "o.vec", "--byte-order", "middle").exitCode())
        .isEqualTo(Main.USAGE);
    assertThat(Run.of("convert", f.toString(), "o.vec").exitCode()).isEqualTo(Main.USAGE);
  }

  // ------------------------------------------------------------------ compact

  @Test
  void compactShrinksTheFile() throws IOException {
    Path f = dir.resolve("big.vec");
    try (IntVec v = IntVec.open(f)) {
      v.add(1);
      v.reserve(1 << 20);
    }
    Run r = Run.of("compact", f.toString());
    assertThat(r.exitCode()).isEqualTo(Main.OK);
    assertThat(r.out())
        .singleElement()
        .asString()
        .startsWith(f + ": 1 elements, capacity 1,024, file 0.1 MiB (4.0 MiB freed)");
    VecDescription d = VecFiles.describe(f);
    assertThat(d.capacity()).isEqualTo(1024);
  }

  // ------------------------------------------------------------------ locks: exit 3

  @Test
  void commandsThatReadOrWriteAFileThisJvmHoldsExitThree() throws IOException {
    Path f = dir.resolve("held.vec");
    Path other = dir.resolve("other.vec");
    try (DoubleVec v = DoubleVec.open(f)) {
      v.add(1.5);
      for (String[] args :
          List.of(
              new String[] {"verify", f.toString()},
              new String[] {"dump", f.toString()},
              new String[] {"stats", f.toString()},
              new String[] {"compact", f.toString()},
              new String[] {"convert", f.toString(), other.toString(), "--byte-order", "big"})) {
        Run r = Run.of(args);
        assertOneLineError(r, Main.LOCKED, f);
        // Readers meet the writer's lock (since live readers: "has the file open for writing"),
        // others this JVM's registry ("already open [for writing] in this JVM").
        assertThat(r.err().get(0)).containsAnyOf("in this JVM", "has the file open for writing");
      }
    }
  }

  @Test
  void aWriterInAnotherProcessMakesReadersExitThreeAndInfoNameIt() throws Exception {
    Path f = dir.resolve("child.vec");
    Process child =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                HoldVec.class.getName(),
                f.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(lines.readLine()).isEqualTo("READY");
      Run info = Run.of("info", f.toString());
      assertThat(info.exitCode()).isEqualTo(Main.OK);
      assertThat(text(info.out()))
          .contains("lock            held by a writer (pid " + child.pid() + ")");
      Run verify = Run.of("verify", f.toString());
      assertOneLineError(verify, Main.LOCKED, f);
      assertThat(verify.err().get(0)).contains("process " + child.pid());
      assertOneLineError(Run.of("dump", f.toString()), Main.LOCKED, f);
      assertOneLineError(Run.of("compact", f.toString()), Main.LOCKED, f);
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    assertThat(Run.of("verify", f.toString()).exitCode()).isEqualTo(Main.OK);
  }

  // ------------------------------------------------------------------ bad inputs, every command

  @Test
  void everyCommandGivesOneLineAndNoStackTraceOnEveryBadInput() throws IOException {
    Path missing = dir.resolve("missing.vec");
    Path directory = Files.createDirectories(dir.resolve("a-dir.vec"));
    Path empty = Files.createFile(dir.resolve("empty.vec"));
    Path foreignFile = dir.resolve("text.vec");
    Files.writeString(foreignFile, "hello, this is not a vector file at all\n".repeat(2000));
    Path damaged = longs(10);
    flipByte(damaged, 18); // format version
    Path truncated = dir.resolve("truncated.vec");
    try (FloatVec v = FloatVec.open(truncated)) {
      for (int i = 0; i < 5000; i++) {
        v.add(i);
      }
    }
    try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
      ch.truncate(65536 + 100);
    }
    for (Path bad : List.of(missing, directory, empty, foreignFile, damaged, truncated)) {
      for (String cmd : List.of("info", "verify", "dump", "stats", "compact", "convert")) {
        Run r =
            cmd.equals("convert")
                ? Run.of(
                    cmd, bad.toString(), dir.resolve("out.vec").toString(), "--byte-order", "big")
                : Run.of(cmd, bad.toString());
        assertThat(r.exitCode()).as(cmd + " " + bad + ": " + r.err()).isEqualTo(Main.FAILED);
        assertThat(r.err())
            .as(cmd + " " + bad)
            .singleElement()
            .asString()
            .startsWith("mmapvec: ")
            .contains(bad.toString())
            .doesNotContain("internal error")
            .doesNotContain("\tat ");
        if (cmd.equals("verify") && Files.isRegularFile(bad)) {
          assertThat(r.out()).singleElement().asString().endsWith("NOT sound, 1 problem");
        }
      }
    }
    assertThat(dir.resolve("out.vec")).doesNotExist();
  }

  @Test
  void stacktraceShowsTheDetailsOnRequest() {
    Path missing = dir.resolve("missing.vec");
    Run r = Run.of("info", "--stacktrace", missing.toString());
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.err().get(0)).startsWith("mmapvec: ").contains(missing.toString());
    assertThat(r.err()).anyMatch(l -> l.contains("NoSuchFileException"));
    assertThat(r.err()).anyMatch(l -> l.startsWith("\tat "));
  }
}
