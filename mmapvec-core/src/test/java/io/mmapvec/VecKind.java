package io.mmapvec;

import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.function.LongFunction;
import java.util.stream.BaseStream;

/**
 * The test adapter for one element type: every typed method of a vector class, reached through
 * boxed values, so that one test body (in {@link VecContract}, {@code VecModelTest} and {@code
 * UseAfterCloseTest}) covers all six primitive vectors.
 *
 * <p>Written once for all six: a kind is a row of a small table (the vector class, its element
 * layout, the type its streams widen to, and how seeds become values), and every typed method is
 * found by name in the vector class and called through a method handle, which boxes and unboxes as
 * the method's signature says. Exceptions reach the caller as the method threw them.
 *
 * <p>Values are made from {@code long} seeds by {@link #value(long)}. The mapping is one-to-one for
 * seeds 0 to 255 in every type (so small tests can tell elements apart), never yields NaN (so boxed
 * {@code equals} is exact), and differs for the fill seed {@link #FILL_SEED}.
 *
 * @param <V> the vector class
 */
final class VecKind<V extends Vec> {
  /** A seed whose value differs from that of seeds 0 to 254 in every type. */
  static final long FILL_SEED = -1;

  // Before the kinds: their constructors use these.
  private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
  private static final MethodHandle ADD =
      find(List.class, "add", MethodType.methodType(boolean.class, Object.class));

  static final VecKind<LongVec> LONG =
      new VecKind<>(
          LongVec.class,
          ValueLayout.JAVA_LONG,
          long.class,
          seed -> seed * 0x9E3779B97F4A7C15L + 0x5DEECE66DL);

  static final VecKind<IntVec> INT =
      new VecKind<>(
          IntVec.class,
          ValueLayout.JAVA_INT,
          int.class,
          seed -> (int) (seed * 0x9E3779B9L + 0x7F4A7C15L));

  // Exact for |seed| < 2^52; never NaN or infinite.
  static final VecKind<DoubleVec> DOUBLE =
      new VecKind<>(
          DoubleVec.class, ValueLayout.JAVA_DOUBLE, double.class, seed -> seed * 0.5 + 0.25);

  // 31 is odd, so seeds 0..255 give 256 different bytes; seed -1 gives the same as 255.
  static final VecKind<ByteVec> BYTE =
      new VecKind<>(
          ByteVec.class, ValueLayout.JAVA_BYTE, int.class, seed -> (byte) (seed * 31 + 7));

  static final VecKind<ShortVec> SHORT =
      new VecKind<>(
          ShortVec.class, ValueLayout.JAVA_SHORT, int.class, seed -> (short) (seed * 31_337 + 7));

  // Exact for |seed| < 2^22; finite for every long.
  static final VecKind<FloatVec> FLOAT =
      new VecKind<>(
          FloatVec.class,
          ValueLayout.JAVA_FLOAT,
          double.class,
          seed -> (float) seed * 0.25f + 0.5f);

  private final Class<V> type;
  private final ValueLayout layout;
  private final Class<?> primitive;
  private final Class<?> widened;
  private final LongFunction<Object> values;

  private final MethodHandle open;
  private final MethodHandle get;
  private final MethodHandle set;
  private final MethodHandle add;
  private final MethodHandle insertAt;
  private final MethodHandle removeAt;
  private final MethodHandle swapRemoveAt;
  private final MethodHandle removeLast;
  private final MethodHandle resize;
  private final MethodHandle addAll;
  private final MethodHandle copyTo;
  private final MethodHandle copyFrom;
  private final MethodHandle toArray;
  private final MethodHandle stream;
  private final MethodHandle iterator;
  private final MethodHandle forEach;
  private final Class<?> consumer;
  private final MethodHandle getFrom;
  private final MethodHandle putInto;

  private VecKind(
      Class<V> type, ValueLayout layout, Class<?> widened, LongFunction<Object> values) {
    this.type = type;
    this.layout = layout;
    this.primitive = layout.carrier();
    this.widened = widened;
    this.values = values;
    Class<?> p = primitive;
    Class<?> a = p.arrayType();
    open =
        find(
            type, "open", MethodType.methodType(type, Path.class, VecOptions.class, Backend.class));
    get = virtual("get", p, long.class);
    set = virtual("set", void.class, long.class, p);
    add = virtual("add", void.class, p);
    insertAt = virtual("insertAt", void.class, long.class, p);
    removeAt = virtual("removeAt", p, long.class);
    swapRemoveAt = virtual("swapRemoveAt", p, long.class);
    removeLast = virtual("removeLast", p);
    resize = virtual("resize", void.class, long.class, p);
    addAll = virtual("addAll", void.class, a);
    copyTo = virtual("copyTo", void.class, long.class, a, int.class, int.class);
    copyFrom = virtual("copyFrom", void.class, long.class, a, int.class, int.class);
    toArray = virtual("toArray", a);
    stream = method("stream");
    iterator = method("iterator");
    forEach = method("forEach");
    consumer = forEach.type().parameterType(1);
    getFrom = segmentAccess("getAtIndex", p, layout.getClass(), long.class);
    putInto = segmentAccess("setAtIndex", void.class, layout.getClass(), long.class, p);
  }

  /** {@return the Java name of the element type, e.g. "long"} */
  String name() {
    return primitive.getName();
  }

  /** {@return the vector class} */
  Class<V> type() {
    return type;
  }

  /** {@return the primitive element class, e.g. {@code long.class}} */
  Class<?> primitive() {
    return primitive;
  }

  /** {@return the element size in bytes} */
  long elementSize() {
    return layout.byteSize();
  }

  @Override
  public String toString() {
    return type.getSimpleName();
  }

  /** {@return the six kinds, one per primitive vector class} */
  static List<VecKind<?>> all() {
    return List.of(LONG, INT, DOUBLE, BYTE, SHORT, FLOAT);
  }

  // ------------------------------------------------------------------ typed operations

  @SuppressWarnings("unchecked") // open returns the vector class
  V open(Path path, VecOptions options, Backend backend) throws IOException {
    return (V) call(open, path, options, backend);
  }

  /** {@return the element that {@code seed} stands for, boxed} */
  Object value(long seed) {
    return values.apply(seed);
  }

  Object get(V v, long index) {
    return call(get, v, index);
  }

  void set(V v, long index, Object value) {
    call(set, v, index, value);
  }

  void add(V v, Object value) {
    call(add, v, value);
  }

  void insertAt(V v, long index, Object value) {
    call(insertAt, v, index, value);
  }

  Object removeAt(V v, long index) {
    return call(removeAt, v, index);
  }

  Object swapRemoveAt(V v, long index) {
    return call(swapRemoveAt, v, index);
  }

  Object removeLast(V v) {
    return call(removeLast, v);
  }

  void resize(V v, long newSize, Object fill) {
    call(resize, v, newSize, fill);
  }

  /** Calls {@code addAll} with a primitive array holding {@code values}. */
  void addAllArray(V v, Object primitiveArray) {
    call(addAll, v, primitiveArray);
  }

  /** Calls {@code copyTo} into {@code primitiveArray}. */
  void copyToArray(V v, long fromIndex, Object primitiveArray, int offset, int length) {
    call(copyTo, v, fromIndex, primitiveArray, offset, length);
  }

  /** Calls {@code copyFrom} from {@code primitiveArray}. */
  void copyFromArray(V v, long toIndex, Object primitiveArray, int offset, int length) {
    call(copyFrom, v, toIndex, primitiveArray, offset, length);
  }

  /** {@return the result of {@code toArray()}, a primitive array} */
  Object toArray(V v) {
    return call(toArray, v);
  }

  /** {@return the elements of {@code stream()}, boxed as the stream's type} */
  List<Object> streamed(V v) {
    List<Object> out = new ArrayList<>();
    ((BaseStream<?, ?>) call(stream, v)).iterator().forEachRemaining(out::add);
    return out;
  }

  /** {@return the vector's {@code iterator()}} */
  PrimitiveIterator<?, ?> iterator(V v) {
    return (PrimitiveIterator<?, ?>) call(iterator, v);
  }

  /** {@return the elements passed to {@code forEach}, boxed as the consumer's type} */
  List<Object> forEached(V v) {
    List<Object> out = new ArrayList<>();
    MethodHandle adder = ADD.bindTo(out).asType(MethodType.methodType(void.class, widened));
    call(forEach, v, MethodHandleProxies.asInterfaceInstance(consumer, adder));
    return out;
  }

  /** {@return {@code value} as the vector's stream, iterator and forEach present it} */
  Object widen(Object value) {
    return call(
        MethodHandles.identity(widened).asType(MethodType.methodType(Object.class, primitive)),
        value);
  }

  /** {@return element {@code index} of a segment from {@code asSegment()}} */
  Object getFrom(MemorySegment segment, long index) {
    return call(getFrom, segment, layout, index);
  }

  /** Writes element {@code index} of a segment from {@code asSegment()}. */
  void putInto(MemorySegment segment, long index, Object value) {
    call(putInto, segment, layout, index, value);
  }

  // ------------------------------------------------------------------ conveniences

  V open(Path path, Backend backend) throws IOException {
    return open(path, VecOptions.defaults(), backend);
  }

  void add(V v, long seed) {
    add(v, value(seed));
  }

  /** Appends the values of seeds {@code 0 .. count-1}, one {@code add} at a time. */
  void addSeeds(V v, int count) {
    for (int i = 0; i < count; i++) {
      add(v, value(i));
    }
  }

  /** {@return the values of seeds {@code from .. to-1}} */
  List<Object> values(long from, long to) {
    List<Object> out = new ArrayList<>();
    for (long s = from; s < to; s++) {
      out.add(value(s));
    }
    return out;
  }

  void addAll(V v, List<?> values) {
    addAllArray(v, array(values));
  }

  void copyFrom(V v, long toIndex, List<?> src, int srcOffset, int length) {
    copyFromArray(v, toIndex, array(src), srcOffset, length);
  }

  /** {@return the whole destination array after {@code copyTo}, boxed} */
  List<Object> copyTo(V v, long fromIndex, int dstLength, int dstOffset, int length) {
    Object dst = Array.newInstance(primitive, dstLength);
    copyToArray(v, fromIndex, dst, dstOffset, length);
    return list(dst);
  }

  /** {@return the elements, read with {@code toArray()}} */
  List<Object> toList(V v) {
    return list(toArray(v));
  }

  /** {@return the elements, read one {@code get} at a time} */
  List<Object> gotten(V v) {
    List<Object> out = new ArrayList<>();
    for (long i = 0; i < v.size(); i++) {
      out.add(get(v, i));
    }
    return out;
  }

  List<Object> iterated(V v) {
    List<Object> out = new ArrayList<>();
    PrimitiveIterator<?, ?> it = iterator(v);
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** {@return an empty primitive array of this type with {@code length} elements} */
  Object newArray(int length) {
    return Array.newInstance(primitive, length);
  }

  /** {@return a primitive array of this type holding {@code values}} */
  Object array(List<?> values) {
    Object a = Array.newInstance(primitive, values.size());
    for (int i = 0; i < values.size(); i++) {
      Array.set(a, i, values.get(i));
    }
    return a;
  }

  /** {@return the elements of a primitive array, boxed} */
  static List<Object> list(Object primitiveArray) {
    int n = Array.getLength(primitiveArray);
    List<Object> out = new ArrayList<>(n);
    // Typed loops: the model tests box whole vectors after every action.
    switch (primitiveArray) {
      case long[] a -> {
        for (long x : a) {
          out.add(x);
        }
      }
      case int[] a -> {
        for (int x : a) {
          out.add(x);
        }
      }
      case double[] a -> {
        for (double x : a) {
          out.add(x);
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          out.add(Array.get(primitiveArray, i));
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ method handles

  /** {@return the public instance method {@code name(parameters)} of the vector class} */
  private MethodHandle virtual(String name, Class<?> result, Class<?>... parameters) {
    try {
      return LOOKUP.findVirtual(type, name, MethodType.methodType(result, parameters));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(type.getSimpleName() + " lacks " + name, e);
    }
  }

  /** {@return the one public instance method {@code name} the vector class declares} */
  private MethodHandle method(String name) {
    List<Method> found = new ArrayList<>();
    for (Method m : type.getDeclaredMethods()) {
      if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic()) {
        found.add(m);
      }
    }
    if (found.size() != 1) {
      throw new AssertionError(type.getSimpleName() + " declares " + found + " as " + name);
    }
    try {
      return LOOKUP.unreflect(found.get(0));
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  /** {@return {@code MemorySegment.name(layout, ...)} for this kind's layout interface} */
  private static MethodHandle segmentAccess(
      String name, Class<?> result, Class<?> layoutClass, Class<?>... rest) {
    for (Method m : MemorySegment.class.getMethods()) {
      Class<?>[] p = m.getParameterTypes();
      if (m.getName().equals(name)
          && m.getReturnType() == result
          && p.length == rest.length + 1
          && p[0].isAssignableFrom(layoutClass)
          && p[0] != ValueLayout.class
          && List.of(p).subList(1, p.length).equals(List.of(rest))) {
        try {
          return LOOKUP.unreflect(m);
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    throw new AssertionError("MemorySegment has no " + name + " for " + layoutClass);
  }

  private static MethodHandle find(Class<?> owner, String name, MethodType type) {
    try {
      return owner.isInterface()
              || !java.lang.reflect.Modifier.isStatic(
                  owner.getDeclaredMethod(name, type.parameterArray()).getModifiers())
          ? LOOKUP.findVirtual(owner, name, type)
          : LOOKUP.findStatic(owner, name, type);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(owner.getSimpleName() + " lacks " + name + type, e);
    }
  }

  /** Calls {@code handle}, letting whatever it throws pass unchanged (checked ones too). */
  private static Object call(MethodHandle handle, Object... arguments) {
    try {
      return handle.invokeWithArguments(arguments);
    } catch (Throwable t) {
      throw VecKind.<RuntimeException>sneaky(t);
    }
  }

  @SuppressWarnings("unchecked") // rethrows t as it is; the cast only satisfies the compiler
  private static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
