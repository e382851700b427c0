package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import io.mmapvec.internal.storage.CrashPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durability test 7, use after close: every public method of a closed vector throws {@link
 * VecClosedException} ({@code close()} does nothing, {@code toString()} may work), and a close from
 * another thread while a thread reads or writes ends that thread with an exception, never with a
 * crash of the JVM.
 *
 * <p>The methods are found by reflection, for the six primitive vectors, {@link StructVec} and its
 * {@link StructVec.Field}s, so a method added to a vector class is covered without touching this
 * test; if it takes a parameter type this test cannot make a dummy for, the test fails and says so.
 * Every dummy call is first made on the open vector and must succeed there, so a failure after
 * close is about closing.
 */
class UseAfterCloseTest {
  private static final int ELEMENTS = 3;

  @TempDir Path dir;

  /** A record with one component of every primitive type, for the StructVec sweep. */
  record Sample(byte b, short s, char c, int i, long l, float f, double d, boolean z) {}

  private static final Sample SAMPLE = new Sample((byte) 1, (short) 2, 'c', 4, 5L, 6.5f, 7.5, true);

  private static List<Backend> backends() {
    List<Backend> out = new ArrayList<>();
    if (Posix.isAvailable()) {
      out.add(Backend.nativeBackend());
    }
    out.add(Backend.channelBackend());
    return out;
  }

  /** Opens a writable vector holding {@value #ELEMENTS} elements. */
  @FunctionalInterface
  private interface Opener {
    Vec open(Path file, Backend backend) throws IOException;
  }

  /**
   * A vector class the sweep covers: how to open one, and dummies for the parameter types of its
   * own (beyond primitives, primitive arrays and interfaces, which every class gets).
   */
  private record Subject(String name, Class<?> type, Opener opener, Map<Class<?>, Object> dummies) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static List<Subject> subjects() {
    List<Subject> out = new ArrayList<>();
    for (VecKind<?> kind : VecKind.all()) {
      out.add(primitiveSubject(kind));
    }
    out.add(
        new Subject(
            "StructVec<Sample>",
            StructVec.class,
            UseAfterCloseTest::openStructVec,
            Map.of(Record.class, SAMPLE, Collection.class, List.of(SAMPLE), String.class, "l")));
    return out;
  }

  private static <V extends Vec> Subject primitiveSubject(VecKind<V> kind) {
    return new Subject(
        kind.type().getSimpleName(),
        kind.type(),
        (file, backend) -> {
          V v = kind.open(file, backend);
          kind.resize(v, ELEMENTS, kind.value(1));
          return v;
        },
        Map.of());
  }

  private static StructVec<Sample> openStructVec(Path file, Backend backend) throws IOException {
    StructVec<Sample> v = StructVec.open(file, Sample.class, VecOptions.defaults(), null, backend);
    v.resize(ELEMENTS, SAMPLE);
    return v;
  }

  /**
   * Every public instance method a class declares, implements or inherits, beyond Object's, once
   * per name and parameter types. Bridges are kept (then de-duplicated): methods inherited from the
   * package-private AbstractVec reach reflection only as the public class's visibility bridges.
   */
  private static List<Method> publicMethods(Class<?> type) {
    Map<String, Method> bySignature = new TreeMap<>();
    Arrays.stream(type.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getDeclaringClass() != Object.class)
        .sorted(
            Comparator.comparing((Method m) -> m.isBridge()).thenComparing(Method::toGenericString))
        .forEach(m -> bySignature.putIfAbsent(signature(m), m));
    return List.copyOf(bySignature.values());
  }

  private static String signature(Method m) {
    return m.getName()
        + Arrays.stream(m.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", ", "(", ")"));
  }

  /**
   * Arguments that are valid for a writable vector of {@value #ELEMENTS} elements: index 0, size 0,
   * value 0; arrays of two elements; the first {@code int} 0 (an offset) and the second 1 (a
   * length); functional interfaces that do nothing; {@code own} for the class's own types. So the
   * exception after close can only come from the closed check.
   */
  private static Object[] dummies(Method m, Map<Class<?>, Object> own) {
    Class<?>[] types = m.getParameterTypes();
    Object[] args = new Object[types.length];
    int ints = 0;
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (own.containsKey(t)) {
        args[i] = own.get(t);
      } else if (t == int.class) {
        args[i] = ints++ == 0 ? 0 : 1;
      } else if (t == java.time.Duration.class) {
        args[i] = java.time.Duration.ZERO;
      } else if (t.isPrimitive()) {
        args[i] = defaultValue(t);
      } else if (t.isArray() && t.getComponentType().isPrimitive()) {
        args[i] = Array.newInstance(t.getComponentType(), 2);
      } else if (t.isInterface()) {
        args[i] =
            Proxy.newProxyInstance(
                UseAfterCloseTest.class.getClassLoader(),
                new Class<?>[] {t},
                (proxy, method, a) -> defaultValue(method.getReturnType()));
      } else {
        throw new AssertionError(
            "no dummy argument of type " + t.getName() + " for " + m + "; teach subjects()");
      }
    }
    return args;
  }

  private static Object defaultValue(Class<?> type) {
    return type.isPrimitive() && type != void.class
        ? Array.get(Array.newInstance(type, 1), 0)
        : null;
  }

  /**
   * {@return the subject's dummies, but for a typed field lookup such as {@code doubleField} the
   * name of a {@link Sample} component of that type}
   */
  private static Map<Class<?>, Object> dummies(Method m, Subject subject) {
    if (!m.getName().endsWith("Field")) {
      return subject.dummies();
    }
    String type = m.getName().substring(0, m.getName().length() - "Field".length());
    for (RecordComponent c : Sample.class.getRecordComponents()) {
      if (c.getType().getName().equals(type)) {
        Map<Class<?>, Object> out = new HashMap<>(subject.dummies());
        out.put(String.class, c.getName());
        return out;
      }
    }
    throw new AssertionError("Sample has no " + type + " component for " + m);
  }

  private static Object invoke(Method m, Object target, Map<Class<?>, Object> own)
      throws Throwable {
    try {
      return m.invoke(target, dummies(m, own));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @TestFactory
  Stream<DynamicNode> everyPublicMethodOfAClosedVectorThrowsVecClosedException() {
    List<DynamicNode> perVector = new ArrayList<>();
    for (Backend backend : backends()) {
      for (Subject subject : subjects()) {
        perVector.add(closedChecks(subject, backend));
      }
      perVector.add(closedFieldChecks(backend));
    }
    return perVector.stream();
  }

  private DynamicContainer closedChecks(Subject subject, Backend backend) {
    Path file = dir.resolve(subject.type().getSimpleName() + "-" + backend.name() + ".vec");
    List<DynamicTest> tests = new ArrayList<>();
    for (Method m : publicMethods(subject.type())) {
      if (m.getName().equals("close") && m.getParameterCount() == 0) {
        tests.add(
            DynamicTest.dynamicTest(
                "close() of a closed vector does nothing",
                () -> {
                  Vec v = subject.opener().open(file, backend);
                  v.close();
                  assertThatCode(v::close).doesNotThrowAnyException();
                  assertThatCode(v::close).doesNotThrowAnyException();
                }));
      } else if (m.getName().equals("toString") && m.getParameterCount() == 0) {
        tests.add(
            DynamicTest.dynamicTest(
                "toString() of a closed vector works or throws VecClosedException",
                () -> {
                  Vec v = subject.opener().open(file, backend);
                  v.close();
                  assertToStringWorksOrSaysClosed(v);
                }));
      } else {
        tests.add(
            DynamicTest.dynamicTest(
                signature(m) + " throws VecClosedException after close",
                () -> {
                  Vec v = subject.opener().open(file, backend);
                  Map<Class<?>, Object> dummies = dummies(m, subject);
                  try {
                    // The same dummies work on the open vector: the failure below is about closing.
                    assertThatCode(() -> invoke(m, v, dummies))
                        .as("%s with dummy arguments on an open vector", signature(m))
                        .doesNotThrowAnyException();
                  } finally {
                    v.close();
                  }
                  assertThatThrownBy(() -> invoke(m, v, dummies))
                      .as("%s on a closed vector", signature(m))
                      .isInstanceOf(VecClosedException.class)
                      .hasMessageContaining(file.toString());
                }));
      }
    }
    return DynamicContainer.dynamicContainer(
        subject + " on the " + backend.name() + " backend", tests);
  }

  /**
   * The same for every method of the {@link StructVec.Field} views (their Javadoc promises it):
   * each view's {@code get} and {@code set} on a field of its type, the methods every view inherits
   * on the first field.
   */
  private DynamicContainer closedFieldChecks(Backend backend) {
    Path file = dir.resolve("fields-" + backend.name() + ".vec");
    List<DynamicTest> tests = new ArrayList<>();
    RecordComponent[] components = Sample.class.getRecordComponents();
    for (RecordComponent component : components) {
      String type = component.getType().getName();
      String suffix = Character.toUpperCase(type.charAt(0)) + type.substring(1);
      Class<?> view = fieldView(suffix);
      for (Method m : publicMethods(view)) {
        boolean accessor = m.getDeclaringClass() == view; // get and set of the component's type
        if (!accessor && component != components[0]) {
          continue;
        }
        String name = "Field " + component.getName() + " (" + type + "): " + signature(m);
        tests.add(
            DynamicTest.dynamicTest(
                m.getName().equals("toString")
                    ? name + " after close works or throws VecClosedException"
                    : name + " throws VecClosedException after close",
                () -> {
                  StructVec<Sample> v = openStructVec(file, backend);
                  StructVec.Field field;
                  try {
                    field = v.field(component.getName());
                    assertThatCode(() -> invoke(m, field, Map.of()))
                        .as("%s with dummy arguments while the vector is open", name)
                        .doesNotThrowAnyException();
                  } finally {
                    v.close();
                  }
                  if (m.getName().equals("toString")) {
                    assertToStringWorksOrSaysClosed(field);
                  } else {
                    assertThatThrownBy(() -> invoke(m, field, Map.of()))
                        .as("%s after the vector was closed", name)
                        .isInstanceOf(VecClosedException.class);
                  }
                }));
      }
    }
    return DynamicContainer.dynamicContainer(
        "StructVec.Field on the " + backend.name() + " backend", tests);
  }

  /** {@return the view class for the type named {@code suffix}, e.g. {@code DoubleField}} */
  private static Class<?> fieldView(String suffix) {
    for (Class<?> c : StructVec.Field.class.getPermittedSubclasses()) {
      if (c.getSimpleName().equals(suffix + "Field")) {
        return c;
      }
    }
    throw new AssertionError("no view " + suffix + "Field");
  }

  private static void assertToStringWorksOrSaysClosed(Object closed) {
    String text;
    try {
      text = closed.toString();
    } catch (VecClosedException allowed) {
      return;
    }
    assertThat(text).isNotBlank();
  }

  /**
   * Calls that move no element still check that the vector is open: an empty {@code addAll} and
   * zero-length {@code copyTo} and {@code copyFrom}.
   */
  @TestFactory
  Stream<DynamicNode> zeroLengthBulkCallsOnAClosedVectorThrowVecClosedException() {
    List<DynamicNode> out = new ArrayList<>();
    for (Backend backend : backends()) {
      for (VecKind<?> kind : VecKind.all()) {
        out.add(zeroLengthChecks(kind, backend));
      }
    }
    return out.stream();
  }

  private <V extends Vec> DynamicContainer zeroLengthChecks(VecKind<V> kind, Backend backend) {
    Path file = dir.resolve("zero-" + kind.name() + "-" + backend.name() + ".vec");
    Map<String, Consumer<V>> calls = new LinkedHashMap<>();
    calls.put("addAll(empty array)", v -> kind.addAll(v, List.of()));
    calls.put("copyTo(0, array, 0, 0)", v -> kind.copyTo(v, 0, 2, 0, 0));
    calls.put("copyFrom(0, array, 0, 0)", v -> kind.copyFrom(v, 0, kind.values(0, 2), 0, 0));
    List<DynamicTest> tests = new ArrayList<>();
    calls.forEach(
        (name, call) ->
            tests.add(
                DynamicTest.dynamicTest(
                    name + " throws VecClosedException after close",
                    () -> {
                      V v = kind.open(file, backend);
                      try {
                        kind.resize(v, ELEMENTS, kind.value(1));
                        call.accept(v);
                      } finally {
                        v.close();
                      }
                      assertThatThrownBy(() -> call.accept(v))
                          .isInstanceOf(VecClosedException.class)
                          .hasMessageContaining(file.toString());
                    })));
    return DynamicContainer.dynamicContainer(
        kind + " on the " + backend.name() + " backend", tests);
  }

  // ------------------------------------------------------------------ a failing final sync

  /**
   * Durability rule 7 and {@code close()}'s Javadoc: even when the final sync fails, the file is
   * unmapped and unlocked. The failure is injected as an unchecked exception: that is how {@code
   * MemorySegment.force()}, which the channel backend syncs with, reports an I/O error.
   */
  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void closeReleasesTheFileEvenWhenItsFinalSyncThrowsUnchecked(String backendName)
      throws IOException {
    Backend backend =
        backendName.equals("native") ? Backend.nativeBackend() : Backend.channelBackend();
    if (backendName.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    Path file = dir.resolve("final-sync.vec");
    LongVec v = LongVec.open(file, VecOptions.defaults(), backend);
    v.add(1);
    v.sync();
    v.add(2);
    UncheckedIOException injected =
        new UncheckedIOException(new IOException("injected I/O error (" + file + ")"));
    CrashHooks.setListener(
        (point, f) -> {
          if (point == CrashPoint.SYNC_AFTER_DATA && f.equals(file)) {
            throw injected;
          }
        });
    Throwable thrown;
    try {
      thrown = catchThrowable(v::close);
    } finally {
      CrashHooks.setListener(null);
    }
    try {
      SoftAssertions softly = new SoftAssertions();
      softly
          .assertThat(thrown)
          .as("close() reports the failed sync as the IOException its Javadoc declares")
          .isInstanceOf(IOException.class);
      softly
          .assertThatThrownBy(v::size)
          .as("the vector is closed after close()")
          .isInstanceOf(VecClosedException.class);
      // The file is released: this JVM may open it again, and sees a synced state.
      softly
          .assertThatCode(
              () -> {
                try (LongVec again = LongVec.open(file, VecOptions.defaults(), backend)) {
                  assertThat(again.size()).isBetween(1L, 2L);
                  assertThat(again.get(0)).isEqualTo(1);
                }
              })
          .as("reopening the file after close()")
          .doesNotThrowAnyException();
      softly.assertAll();
    } finally {
      catchThrowable(v::close); // do not leave the file open for the rest of the run
    }
  }

  // ------------------------------------------------------------------ close from another thread

  /**
   * Closes vectors while another thread reads them in a tight loop, or writes them (with growth),
   * in a child JVM so that a crash fails this test instead of killing the test run. The child
   * prints one line per round and exits 0 only if every round ended as the contract says.
   *
   * <p>Native backend only. The guarantee rests on the JDK's shared-arena close, which on JDK
   * 25.0.3 can let a thread make one more access after the close (JDK-8364167); the native backend
   * survives that access because a closed mapping becomes an anonymous placeholder for a few
   * seconds instead of being unmapped at once. The FileChannel fallback has its mappings unmapped
   * by the JDK itself and cannot, so it does not make this promise (README, docs/DURABILITY.md).
   */
  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native"})
  void closeFromAnotherThreadEndsReadersAndWritersWithAnExceptionNeverACrash(String backend)
      throws Exception {
    if (backend.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    int rounds = 48;
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-ea",
            "--enable-native-access=ALL-UNNAMED",
            "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"),
            "-cp",
            System.getProperty("java.class.path"),
            CloseRace.class.getName(),
            backend,
            Integer.toString(rounds),
            dir.toString(),
            Long.toString(System.nanoTime()));
    Process child =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      boolean finished = child.waitFor(180, TimeUnit.SECONDS);
      String report = describe(out, err);
      if (!finished) {
        fail("child JVM did not finish in 180 s (a reader or writer never stopped?)\n" + report);
      }
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("crash logs of the child JVM\n%s", report)
            .noneMatch(name -> name.startsWith("hs_err"));
      }
      assertThat(child.exitValue()).as("child JVM exit code\n%s", report).isZero();
      assertThat(Files.readAllLines(out).stream().filter(l -> l.startsWith("ok ")).count())
          .as("rounds that ended as the contract says\n%s", report)
          .isEqualTo(rounds);
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String describe(Path out, Path err) throws IOException {
    return "--- child stdout ---\n"
        + Files.readString(out, StandardCharsets.UTF_8)
        + "--- child stderr ---\n"
        + Files.readString(err, StandardCharsets.UTF_8);
  }

  /**
   * The child JVM of the close race. Arguments: backend name, rounds, directory, seed. Even rounds
   * race a reader against close, odd rounds a writer (a vector is not thread-safe, so the two never
   * share one). Prints "ok ..." for a round that ends as it should, "UNEXPECTED ..." with the stack
   * traces otherwise; exits 1 if any round was unexpected, 2 if a thread hung.
   */
  static final class CloseRace {
    private CloseRace() {}

    public static void main(String[] args) throws Exception {
      Backend backend =
          args[0].equals("native") ? Backend.nativeBackend() : Backend.channelBackend();
      int rounds = Integer.parseInt(args[1]);
      Path dir = Path.of(args[2]);
      Random random = new Random(Long.parseLong(args[3]));
      System.out.println("seed " + args[3]);
      boolean allOk = true;
      for (int round = 0; round < rounds; round++) {
        VecKind<?> kind = VecKind.all().get(round / 2 % VecKind.all().size());
        boolean writer = round % 2 == 1;
        long delayNanos = random.nextInt(4) == 0 ? 0 : random.nextLong(3_000_000);
        String result =
            race(kind, backend, dir.resolve("race-" + round + ".vec"), writer, delayNanos);
        String line =
            "round "
                + round
                + " "
                + kind
                + (writer ? " writer" : " reader")
                + " delay "
                + delayNanos / 1000
                + "us: "
                + result;
        if (result.startsWith("ok")) {
          System.out.println("ok " + line);
        } else {
          allOk = false;
          System.out.println("UNEXPECTED " + line);
          if (result.startsWith("hung")) {
            System.out.flush();
            Runtime.getRuntime().halt(2);
          }
        }
        System.out.flush();
      }
      System.exit(allOk ? 0 : 1);
    }

    private static <V extends Vec> String race(
        VecKind<V> kind, Backend backend, Path file, boolean writer, long delayNanos)
        throws Exception {
      V v = kind.open(file, backend);
      int n = 4096;
      kind.resize(v, n, kind.value(1));
      v.sync();
      AtomicReference<Throwable> ended = new AtomicReference<>();
      var started = new java.util.concurrent.CountDownLatch(1);
      Thread t =
          new Thread(
              () -> {
                try {
                  started.countDown();
                  long i = 0;
                  Object sink = null;
                  while (true) {
                    if (writer) {
                      kind.set(v, i % n, kind.value(i));
                      kind.add(v, i);
                    } else {
                      sink = kind.get(v, i % n);
                    }
                    i++;
                    if (sink == Thread.currentThread()) {
                      break; // never true; keeps the reads from being optimised away
                    }
                  }
                  ended.set(new AssertionError("loop ended without an exception"));
                } catch (Throwable e) {
                  ended.set(e);
                }
              },
              writer ? "writer" : "reader");
      t.start();
      started.await();
      if (delayNanos > 0) {
        LockSupport.parkNanos(delayNanos);
      }
      boolean aliveAtClose = t.isAlive();
      Throwable closeFailure = null;
      try {
        v.close();
      } catch (Throwable e) {
        closeFailure = e;
      }
      t.join(TimeUnit.SECONDS.toMillis(20));
      if (t.isAlive()) {
        return "hung: the "
            + t.getName()
            + " thread still runs 20 s after close"
            + (closeFailure == null ? "" : "; close threw " + trace(closeFailure));
      }
      Throwable e = ended.get();
      StringBuilder problems = new StringBuilder();
      if (closeFailure != null) {
        problems.append("; close() threw ").append(trace(closeFailure));
      }
      if (!aliveAtClose) {
        problems.append("; the thread had ended before close: ").append(trace(e));
      } else if (!(e instanceof IllegalStateException)) {
        problems.append("; the thread ended with ").append(trace(e));
      }
      if (problems.length() > 0) {
        return "unexpected" + problems;
      }
      return "ok, the " + t.getName() + " got " + e.getClass().getSimpleName();
    }

    private static String trace(Throwable e) {
      if (e == null) {
        return "nothing";
      }
      var w = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(w));
      return w.toString();
    }
  }
}
