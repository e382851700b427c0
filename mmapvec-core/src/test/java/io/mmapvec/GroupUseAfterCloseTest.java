package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmapvec.StructRecords.Tick;
import java.io.Closeable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every public instance method of a closed {@link VecGroup} and {@link ColumnarVec} (found by
 * reflection, so a method added later is covered) throws {@link VecClosedException}; the same call
 * on an open one does not throw. {@code close()} twice does nothing.
 */
class GroupUseAfterCloseTest {
  @TempDir Path tmp;

  private static Object dummy(Class<?> t) {
    if (t == long.class) {
      return 0L;
    }
    if (t == String.class) {
      return "price";
    }
    if (t == Class.class) {
      return DoubleVec.class;
    }
    if (t == Record.class) {
      return new Tick(1, 2, 3);
    }
    if (t == Collection.class) {
      return List.of(new Tick(1, 2, 3));
    }
    if (t == java.time.Duration.class) {
      return java.time.Duration.ZERO;
    }
    if (t == Consumer.class) {
      return (Consumer<Object>) x -> {};
    }
    return null; // a MethodHandles.Lookup: null means none
  }

  private static List<Method> methods(Class<?> c) {
    List<Method> out = new ArrayList<>();
    for (Method m : c.getMethods()) {
      if (!Modifier.isStatic(m.getModifiers())
          && m.getDeclaringClass() == c
          && !m.getName().equals("close")
          && !m.getName().equals("toString")) {
        out.add(m);
      }
    }
    return out;
  }

  private static Object call(Method m, Object target) throws Throwable {
    Object[] args = Arrays.stream(m.getParameterTypes()).map(t -> dummy(t)).toArray();
    if (m.getName().equals("structVec")) {
      args[1] = Tick.class;
    }
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private void sweep(Class<?> type, java.util.concurrent.Callable<Closeable> open)
      throws Exception {
    List<Method> ms = methods(type);
    assertThat(ms).hasSizeGreaterThan(5);
    for (Method m : ms) {
      Closeable c = open.call();
      try {
        assertThatCode(() -> call(m, c)).as("%s on an open %s", m, type).doesNotThrowAnyException();
      } finally {
        c.close();
      }
      assertThatThrownBy(() -> call(m, c))
          .as("%s after close", m)
          .isInstanceOf(VecClosedException.class);
      assertThatCode(c::close).doesNotThrowAnyException();
    }
  }

  @Test
  void everyMethodOfAClosedColumnarVecThrows() throws Exception {
    Path dir = tmp.resolve("c");
    sweep(
        ColumnarVec.class,
        () -> {
          ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class);
          v.resize(3, new Tick(1, 2, 3));
          return v;
        });
  }

  @Test
  void everyMethodOfAClosedVecGroupThrows() throws Exception {
    Path dir = tmp.resolve("g");
    sweep(
        VecGroup.class,
        () -> {
          VecGroup g = VecGroup.open(dir);
          g.drop("price"); // each method may create "price" with its own type
          g.sync();
          return g;
        });
  }
}
