package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.ForeignReaders.Fixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers outside Java, run against files this library wrote: the Python package's pytest suite
 * ({@code python/tests}, given the fixture directory) and the C header ({@code c/mmapvec.h},
 * compiled with {@code -std=c99 -Wall -Wextra -Werror -pedantic}, and as C++), whose test driver
 * prints every element for this test to compare with what was written. Each is skipped, with the
 * reason printed, only where its toolchain (python3 with numpy and pytest; cc) is absent.
 */
class ForeignReadersTest {
  private static final long TIMEOUT_SECONDS = 300;

  @TempDir static Path dir;
  private static List<Fixture> fixtures;

  @BeforeAll
  static void writeFixtures() throws IOException {
    fixtures = ForeignReaders.write(dir);
  }

  /** {@return the repository's root: the parent of this module's directory} */
  static Path repository() {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    assertThat(root.resolve("python/mmapvec/__init__.py")).as("the repository root").exists();
    return root;
  }

  // ------------------------------------------------------------------ Python

  @Test
  void thePythonPackagePassesItsTestsOnFilesJavaWrote() throws Exception {
    Result probe = run(dir, Map.of(), "python3", "-c", "import numpy, pytest");
    if (probe.status() != 0) {
      System.out.println(
          "ForeignReadersTest: skipping the Python reader: python3 with numpy and pytest not found");
    }
    Assumptions.assumeTrue(probe.status() == 0, "python3 with numpy and pytest not found");
    Path root = repository();
    Result r =
        run(
            root,
            Map.of(
                "MMAPVEC_FIXTURES", dir.toString(),
                "MMAPVEC_JAVA", ChildJvm.javaExecutable(),
                "MMAPVEC_CLASSPATH", System.getProperty("java.class.path"),
                "PYTHONPATH", root.resolve("python").toString(),
                "PYTHONDONTWRITEBYTECODE", "1"),
            "python3",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            root.resolve("python/tests").toString());
    System.out.println("pytest python/tests:\n" + r.output());
    assertThat(r.status()).as("pytest's exit status; its output:\n%s", r.output()).isZero();
    assertThat(r.output()).containsPattern("\\d+ passed").doesNotContain("skipped");
  }

  // ------------------------------------------------------------------ C

  private static Path dumpProgram;

  private static Path compiled() throws Exception {
    if (dumpProgram == null) {
      Result probe = run(dir, Map.of(), "cc", "--version");
      if (probe.status() != 0) {
        System.out.println("ForeignReadersTest: skipping the C reader: no cc on PATH");
      }
      Assumptions.assumeTrue(probe.status() == 0, "no cc on PATH");
      Path c = repository().resolve("c");
      Path program = dir.resolve("dump");
      String[] strict = {"-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"};
      check(compile("cc", strict, program, c.resolve("test/dump.c")));
      check(compile("cc", strict, dir.resolve("example"), c.resolve("example.c")));
      dumpProgram = program;
    }
    return dumpProgram;
  }

  private static Result compile(String cc, String[] flags, Path out, Path source) throws Exception {
    List<String> command = new ArrayList<>(List.of(cc));
    command.addAll(List.of(flags));
    command.addAll(List.of("-o", out.toString(), source.toString()));
    return run(dir, Map.of(), command.toArray(String[]::new));
  }

  private static void check(Result r) {
    assertThat(r.status()).as("compiler output:\n%s", r.output()).isZero();
  }

  private static List<String> dump(Path file, String... more) throws Exception {
    List<String> command = new ArrayList<>(List.of(compiled().toString(), file.toString()));
    command.addAll(List.of(more));
    Result r = run(dir, Map.of(), command.toArray(String[]::new));
    return r.output().lines().toList();
  }

  /** {@return what the C driver prints for a sound file with {@code lines} as its elements} */
  private static List<String> expectedDump(Path file, List<String> lines) throws IOException {
    VecDescription d = VecFiles.describe(file);
    List<String> out = new ArrayList<>();
    out.add("MAGIC " + ForeignReaders.MAGIC);
    out.add("VERSION 1.2.3");
    out.add("TYPE " + d.elementType());
    out.add("SIZE " + d.elementSize());
    for (FieldDescription f : d.fields()) {
      out.add("FIELD " + f.name() + " " + f.type() + " " + f.offset());
    }
    out.add("LENGTH " + lines.size());
    out.addAll(lines);
    return out;
  }

  @Test
  void theCHeaderReadsEveryFixtureAsJavaWroteIt() throws Exception {
    for (Fixture f : fixtures) {
      Path file = dir.resolve(f.file());
      assertThat(dump(file)).as(f.file()).isEqualTo(expectedDump(file, f.lines()));
    }
  }

  @Test
  void theCHeaderCompilesAsCxxAndTheExamplePrintsTicks() throws Exception {
    compiled();
    Result gxx = run(dir, Map.of(), "c++", "--version");
    if (gxx.status() == 0) {
      Path c = repository().resolve("c");
      check(
          compile(
              "c++",
              new String[] {"-x", "c++", "-std=c++11", "-Wall", "-Wextra", "-Werror"},
              dir.resolve("dump-cxx"),
              c.resolve("test/dump.c")));
    } else {
      System.out.println("ForeignReadersTest: no c++ on PATH; the C++ build is not checked");
    }
    Result r =
        run(dir, Map.of(), dir.resolve("example").toString(), dir.resolve("ticks.vec").toString());
    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output().lines().toList())
        .startsWith(
            dir.resolve("ticks.vec") + ": 999 ticks, magic 'INTEROP1', data version 1.2.3",
            "1700000000000 100.00 0",
            "1700000000001 100.25 1");
  }

  @Test
  void theCHeaderRefusesWhatTheLibraryRefusesWithTheSameReason() throws Exception {
    assertThat(dump(dir.resolve("long.vec"), "WRONGMAG").get(0)).startsWith("ERROR MAGIC_MISMATCH");
    assertThat(dump(dir.resolve("long.other-order.vec")).get(0))
        .startsWith("ERROR BYTE_ORDER_MISMATCH");
    assertThat(dump(dir.resolve("no-such.vec")).get(0)).startsWith("ERROR IO_ERROR");
    assertThat(dump(dir).get(0)).startsWith("ERROR NOT_A_REGULAR_FILE");
    assertThat(damaged("signature", 8, 0x01)).startsWith("ERROR NOT_A_MMAPVEC_FILE");
    assertThat(damaged("marker", 16, 0x40)).startsWith("ERROR BAD_BYTE_ORDER_MARKER");
    assertThat(damaged("format-version", 18, 0x08)).startsWith("ERROR UNSUPPORTED_FORMAT_VERSION");
    assertThat(damaged("data-offset", 21, 0x01)).startsWith("ERROR BAD_DATA_OFFSET");
    assertThat(damaged("type-code", 30, 0x40)).startsWith("ERROR ELEMENT_TYPE_MISMATCH");
    assertThat(damaged("created", 50, 0x01)).startsWith("ERROR CHECKSUM_MISMATCH");
    Path bothSlots = copy("both-slots");
    flip(bothSlots, 4096 + 8, 0x01);
    flip(bothSlots, 8192 + 8, 0x01);
    assertThat(dump(bothSlots).get(0)).startsWith("ERROR CHECKSUM_MISMATCH");
    Path cut = copy("cut");
    try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
      ch.truncate(65536 + 8 * 10);
    }
    assertThat(dump(cut).get(0)).startsWith("ERROR TRUNCATED");
    Path tiny = dir.resolve("tiny.vec");
    Files.write(tiny, new byte[0]);
    assertThat(dump(tiny).get(0)).startsWith("ERROR TRUNCATED").contains(tiny.toString());
  }

  @Test
  void theCHeaderFallsBackToTheOlderSlotAsTheLibraryDoes() throws Exception {
    Fixture f = fixtures.stream().filter(x -> x.file().equals("all8.vec")).findFirst().get();
    Path file = dir.resolve("all8.older.vec");
    Files.copy(dir.resolve(f.file()), file);
    int older = ForeignReaders.damageNewestSlot(file);
    assertThat((long) older).isEqualTo(f.olderSize());
    assertThat(dump(file)).isEqualTo(expectedDump(file, f.lines().subList(0, older)));
  }

  @Test
  void theCHeaderFollowsALiveWriterCommitByCommit() throws Exception {
    Path program = compiled();
    Path file = dir.resolve("live-c.vec");
    long count = 200_000;
    try (LongVec v = LongVec.open(file, ForeignReaders.OPTIONS)) {
      Path out = dir.resolve("follow.txt");
      Process reader =
          new ProcessBuilder(program.toString(), file.toString(), "--follow", Long.toString(count))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      try {
        for (long i = 0; i < count; i++) {
          v.add(InteropWriter.value(i));
          if ((i + 1) % 5_000 == 0) {
            v.sync();
            Thread.sleep(2); // let the reader see most commits one by one
          }
        }
        v.sync();
        assertThat(reader.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
      } finally {
        reader.destroyForcibly();
      }
      String printed = Files.readString(out, StandardCharsets.UTF_8).strip();
      assertThat(printed).startsWith("FOLLOWED ").endsWith(" " + count);
      long distinct = Long.parseLong(printed.split(" ")[1]);
      assertThat(distinct).as("lengths the C reader saw: %s", printed).isGreaterThan(3);
    }
  }

  private static Path copy(String name) throws IOException {
    Path file = dir.resolve("long." + name + ".vec");
    Files.copy(dir.resolve("long.vec"), file);
    return file;
  }

  private static String damaged(String name, long at, int mask) throws Exception {
    Path file = copy(name);
    flip(file, at, mask);
    return dump(file).get(0);
  }

  private static void flip(Path file, long at, int mask) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ mask)).rewind();
      ch.write(b, at);
    }
  }

  // ------------------------------------------------------------------ processes

  record Result(int status, String output) {}

  /** Runs a command in {@code cwd} with extra environment, stdout and stderr together. */
  static Result run(Path cwd, Map<String, String> env, String... command) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    ProcessBuilder b =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    b.environment().putAll(env);
    Process p;
    try {
      p = b.start();
    } catch (IOException e) {
      return new Result(127, e.getMessage());
    }
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError(String.join(" ", command) + " did not finish in time");
      }
    } finally {
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
