package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as a named module, the way an application on the module path uses it: an application
 * module {@code app} that {@code requires io.mmapvec} is compiled against the built jar and run in
 * a child JVM with {@code --module-path} and {@code --enable-native-access=io.mmapvec}. Its record
 * lives in a package {@code app} does not export, so {@code StructVec} reaches it only through the
 * lookup the application passes. The other tests run on the class path, where none of this is
 * exercised.
 */
class ModulePathIT {
  private static final String MODULE_INFO =
      """
      module app {
        requires io.mmapvec;
        exports app;
      }
      """;

  /** The entry point, in the exported package. */
  private static final String MAIN =
      """
      package app;

      import io.mmapvec.LongVec;
      import io.mmapvec.VecOptions;
      import java.nio.file.Path;

      public final class Main {
        private Main() {}

        public static void main(String[] args) throws Exception {
          Path dir = Path.of(args[0]);
          try (LongVec v = LongVec.open(dir.resolve("longs.vec"))) {
            for (long i = 0; i < 1000; i++) {
              v.add(i * 3);
            }
            System.out.println("backend " + v.stats().backend());
          }
          try (LongVec v = LongVec.open(dir.resolve("longs.vec"),
              VecOptions.defaults().withReadOnly(true))) {
            System.out.println("longs " + v.size() + " " + v.stream().sum());
          }
          app.internal.Ticks.run(dir);
        }
      }
      """;

  /** A package-private record in a package the module does not export or open. */
  private static final String TICKS =
      """
      package app.internal;

      import io.mmapvec.StructVec;
      import io.mmapvec.VecOptions;
      import java.lang.invoke.MethodHandles;
      import java.nio.file.Path;

      public final class Ticks {
        private Ticks() {}

        record Tick(long time, double price, int qty) {}

        public static void run(Path dir) throws Exception {
          Path file = dir.resolve("ticks.vec");
          try {
            StructVec.open(file, Tick.class).close();
            System.out.println("without lookup: opened");
          } catch (IllegalArgumentException e) {
            System.out.println("without lookup: refused, " + e.getMessage());
          }
          try (StructVec<Tick> v =
              StructVec.open(file, Tick.class, VecOptions.defaults(), MethodHandles.lookup())) {
            for (int i = 0; i < 100; i++) {
              v.add(new Tick(i, i * 0.5, i % 7));
            }
          }
          try (StructVec<Tick> v = StructVec.open(file, Tick.class,
              VecOptions.defaults().withReadOnly(true), MethodHandles.lookup())) {
            StructVec.DoubleField price = v.doubleField("price");
            double sum = 0;
            for (long i = 0; i < v.size(); i++) {
              sum += price.get(i);
            }
            System.out.println("ticks " + v.size() + " " + sum + " " + v.get(99));
          }
        }
      }
      """;

  @TempDir static Path work;
  private static Path modules;

  /** Compiles the application module against the built library jar. */
  @BeforeAll
  static void compileTheApplication() throws IOException, InterruptedException {
    Path src = work.resolve("src/app");
    write(src.resolve("module-info.java"), MODULE_INFO);
    write(src.resolve("app/Main.java"), MAIN);
    write(src.resolve("app/internal/Ticks.java"), TICKS);
    modules = work.resolve("mods/app");
    // The JDK's javac, as a build tool would run it (the tests are patched into io.mmapvec, which
    // does not read java.compiler).
    List<String> javac = new ArrayList<>();
    javac.add(Path.of(System.getProperty("java.home"), "bin", "javac").toString());
    javac.addAll(List.of("--module-path", libraryJar().toString(), "-d", modules.toString()));
    javac.addAll(List.of("-Xlint:all", "-Werror"));
    for (String f : List.of("module-info.java", "app/Main.java", "app/internal/Ticks.java")) {
      javac.add(src.resolve(f).toString());
    }
    Result r = run(javac);
    assertThat(r.status()).as("%s: %s %s", javac, r.out(), r.err()).isZero();
  }

  @Test
  void anApplicationModuleOpensVectorsAndAStructVecOfANonExportedRecord() throws Exception {
    Path data = Files.createDirectory(work.resolve("data"));
    Result r =
        java(
            List.of(
                "--enable-native-access=io.mmapvec",
                "--module-path",
                libraryJar() + java.io.File.pathSeparator + modules,
                "--module",
                "app/app.Main",
                data.toString()));

    assertThat(r.status()).as("child stderr: %s", r.err()).isZero();
    // The flag names the module, so the library uses the native backend and warns about nothing.
    assertThat(r.err()).isEmpty();
    double priceSum = 0;
    for (int i = 0; i < 100; i++) {
      priceSum += i * 0.5;
    }
    assertThat(r.out()).hasSize(4);
    assertThat(r.out().get(0)).isEqualTo("backend native");
    assertThat(r.out().get(1)).isEqualTo("longs 1000 " + 3L * 999 * 1000 / 2);
    // Without the lookup the record is out of reach, and the message says what to pass.
    assertThat(r.out().get(2))
        .startsWith("without lookup: refused, cannot reach record app.internal.Ticks$Tick")
        .contains("pass MethodHandles.lookup() to StructVec.open(path, Tick.class");
    assertThat(r.out().get(3))
        .isEqualTo("ticks 100 " + priceSum + " Tick[time=99, price=49.5, qty=1]");
  }

  @Test
  void withoutTheFlagTheLibraryStillWorksAndSaysWhichFlagItWants() throws Exception {
    Path data = Files.createDirectory(work.resolve("data-no-flag"));
    Result r =
        java(
            List.of(
                "--module-path",
                libraryJar() + java.io.File.pathSeparator + modules,
                "--module",
                "app/app.Main",
                data.toString()));

    assertThat(r.status()).as("child stderr: %s", r.err()).isZero();
    assertThat(r.out()).contains("backend channel", "longs 1000 " + 3L * 999 * 1000 / 2);
    assertThat(String.join("\n", r.err())).contains("--enable-native-access=io.mmapvec");
  }

  // ------------------------------------------------------------------ helpers

  private record Result(int status, List<String> out, List<String> err) {}

  /** The jar {@code package} built; failsafe runs after it and passes its path. */
  private static Path libraryJar() {
    String jar = System.getProperty("mmapvec.jar");
    assertThat(jar)
        .as("system property mmapvec.jar (set by the failsafe configuration)")
        .isNotBlank();
    Path path = Path.of(jar);
    assertThat(path).isRegularFile();
    return path;
  }

  private static Result java(List<String> jvmArgs) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    command.addAll(jvmArgs);
    return run(command);
  }

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Path out = work.resolve("out-" + System.nanoTime());
    Path err = work.resolve("err-" + System.nanoTime());
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child did not finish within 120 s: " + command);
    }
    return new Result(
        p.exitValue(),
        Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readAllLines(err, StandardCharsets.UTF_8));
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
