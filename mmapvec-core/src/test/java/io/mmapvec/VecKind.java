package io.mmapvec;

import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;

/**
 * The test adapter for one element type: every typed method of a vector class, reached through
 * boxed values, so that one test body (in {@link VecContract}, {@code VecModelTest} and
 * {@code UseAfterCloseTest}) covers all six primitive vectors.
 *
 * <p>Values are made from {@code long} seeds by {@link #value(long)}. The mapping is one-to-one
 * for seeds 0 to 255 in every type (so small tests can tell elements apart), never yields NaN (so
 * boxed {@code equals} is exact), and differs for the fill seed {@link #FILL_SEED}.
 *
 * @param <V> the vector class
 */
abstract class VecKind<V extends Vec> {
  /** A seed whose value differs from that of seeds 0 to 254 in every type. */
  static final long FILL_SEED = -1;

  private final String name;
  private final Class<V> type;
  private final Class<?> primitive;
  private final ValueLayout layout;

  private VecKind(String name, Class<V> type, Class<?> primitive, ValueLayout layout) {
    this.name = name;
    this.type = type;
    this.primitive = primitive;
    this.layout = layout;
  }

  /** {@return the Java name of the element type, e.g. "long"} */
  final String name() {
    return name;
  }

  /** {@return the vector class} */
  final Class<V> type() {
    return type;
  }

  /** {@return the primitive element class, e.g. {@code long.class}} */
  final Class<?> primitive() {
    return primitive;
  }

  /** {@return the element size in bytes} */
  final long elementSize() {
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

  abstract V open(Path path, VecOptions options, Backend backend) throws IOException;

  /** {@return the element that {@code seed} stands for, boxed} */
  abstract Object value(long seed);

  abstract Object get(V v, long index);

  abstract void set(V v, long index, Object value);

  abstract void add(V v, Object value);

  abstract void insertAt(V v, long index, Object value);

  abstract Object removeAt(V v, long index);

  abstract Object swapRemoveAt(V v, long index);

  abstract Object removeLast(V v);

  abstract void resize(V v, long newSize, Object fill);

  /** Calls {@code addAll} with a primitive array holding {@code values}. */
  abstract void addAllArray(V v, Object primitiveArray);

  /** Calls {@code copyTo} into {@code primitiveArray}. */
  abstract void copyToArray(V v, long fromIndex, Object primitiveArray, int offset, int length);

  /** Calls {@code copyFrom} from {@code primitiveArray}. */
  abstract void copyFromArray(V v, long toIndex, Object primitiveArray, int offset, int length);

  /** {@return the result of {@code toArray()}, a primitive array} */
  abstract Object toArray(V v);

  /** {@return the elements of {@code stream()}, boxed as the stream's type} */
  abstract List<Object> streamed(V v);

  /** {@return the vector's {@code iterator()}} */
  abstract PrimitiveIterator<?, ?> iterator(V v);

  /** {@return the elements passed to {@code forEach}, boxed as the consumer's type} */
  abstract List<Object> forEached(V v);

  /** {@return {@code value} as the vector's stream, iterator and forEach present it} */
  abstract Object widen(Object value);

  /** {@return element {@code index} of a segment from {@code asSegment()}} */
  abstract Object getFrom(MemorySegment segment, long index);

  /** Writes element {@code index} of a segment from {@code asSegment()}. */
  abstract void putInto(MemorySegment segment, long index, Object value);

  // ------------------------------------------------------------------ conveniences

  final V open(Path path, Backend backend) throws IOException {
    return open(path, VecOptions.defaults(), backend);
  }

  final void add(V v, long seed) {
    add(v, value(seed));
  }

  /** Appends the values of seeds {@code 0 .. count-1}, one {@code add} at a time. */
  final void addSeeds(V v, int count) {
    for (int i = 0; i < count; i++) {
      add(v, value(i));
    }
  }

  /** {@return the values of seeds {@code from .. to-1}} */
  final List<Object> values(long from, long to) {
    List<Object> out = new ArrayList<>();
    for (long s = from; s < to; s++) {
      out.add(value(s));
    }
    return out;
  }

  final void addAll(V v, List<?> values) {
    addAllArray(v, array(values));
  }

  final void copyFrom(V v, long toIndex, List<?> src, int srcOffset, int length) {
    copyFromArray(v, toIndex, array(src), srcOffset, length);
  }

  /** {@return the whole destination array after {@code copyTo}, boxed} */
  final List<Object> copyTo(V v, long fromIndex, int dstLength, int dstOffset, int length) {
    Object dst = Array.newInstance(primitive, dstLength);
    copyToArray(v, fromIndex, dst, dstOffset, length);
    return list(dst);
  }

  /** {@return the elements, read with {@code toArray()}} */
  final List<Object> toList(V v) {
    return list(toArray(v));
  }

  /** {@return the elements, read one {@code get} at a time} */
  final List<Object> gotten(V v) {
    List<Object> out = new ArrayList<>();
    for (long i = 0; i < v.size(); i++) {
      out.add(get(v, i));
    }
    return out;
  }

  final List<Object> iterated(V v) {
    List<Object> out = new ArrayList<>();
    PrimitiveIterator<?, ?> it = iterator(v);
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** {@return an empty primitive array of this type with {@code length} elements} */
  final Object newArray(int length) {
    return Array.newInstance(primitive, length);
  }

  /** {@return a primitive array of this type holding {@code values}} */
  final Object array(List<?> values) {
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

  private static List<Object> boxedLongs(java.util.stream.LongStream s) {
    return new ArrayList<>(s.boxed().toList());
  }

  private static List<Object> boxedInts(java.util.stream.IntStream s) {
    return new ArrayList<>(s.boxed().toList());
  }

  private static List<Object> boxedDoubles(java.util.stream.DoubleStream s) {
    return new ArrayList<>(s.boxed().toList());
  }

  // ------------------------------------------------------------------ the six kinds

  static final VecKind<LongVec> LONG =
      new VecKind<>("long", LongVec.class, long.class, ValueLayout.JAVA_LONG) {
        @Override
        LongVec open(Path path, VecOptions options, Backend backend) throws IOException {
          return LongVec.open(path, options, backend);
        }

        @Override
        Object value(long seed) {
          return seed * 0x9E3779B97F4A7C15L + 0x5DEECE66DL;
        }

        @Override
        Object get(LongVec v, long index) {
          return v.get(index);
        }

        @Override
        void set(LongVec v, long index, Object value) {
          v.set(index, (Long) value);
        }

        @Override
        void add(LongVec v, Object value) {
          v.add((Long) value);
        }

        @Override
        void insertAt(LongVec v, long index, Object value) {
          v.insertAt(index, (Long) value);
        }

        @Override
        Object removeAt(LongVec v, long index) {
          return v.removeAt(index);
        }

        @Override
        Object swapRemoveAt(LongVec v, long index) {
          return v.swapRemoveAt(index);
        }

        @Override
        Object removeLast(LongVec v) {
          return v.removeLast();
        }

        @Override
        void resize(LongVec v, long newSize, Object fill) {
          v.resize(newSize, (Long) fill);
        }

        @Override
        void addAllArray(LongVec v, Object a) {
          v.addAll((long[]) a);
        }

        @Override
        void copyToArray(LongVec v, long from, Object a, int offset, int length) {
          v.copyTo(from, (long[]) a, offset, length);
        }

        @Override
        void copyFromArray(LongVec v, long to, Object a, int offset, int length) {
          v.copyFrom(to, (long[]) a, offset, length);
        }

        @Override
        Object toArray(LongVec v) {
          return v.toArray();
        }

        @Override
        List<Object> streamed(LongVec v) {
          return boxedLongs(v.stream());
        }

        @Override
        PrimitiveIterator<?, ?> iterator(LongVec v) {
          return v.iterator();
        }

        @Override
        List<Object> forEached(LongVec v) {
          List<Object> out = new ArrayList<>();
          v.forEach(out::add);
          return out;
        }

        @Override
        Object widen(Object value) {
          return value;
        }

        @Override
        Object getFrom(MemorySegment s, long index) {
          return s.getAtIndex(ValueLayout.JAVA_LONG, index);
        }

        @Override
        void putInto(MemorySegment s, long index, Object value) {
          s.setAtIndex(ValueLayout.JAVA_LONG, index, (Long) value);
        }
      };

  static final VecKind<IntVec> INT =
      new VecKind<>("int", IntVec.class, int.class, ValueLayout.JAVA_INT) {
        @Override
        IntVec open(Path path, VecOptions options, Backend backend) throws IOException {
          return IntVec.open(path, options, backend);
        }

        @Override
        Object value(long seed) {
          return (int) (seed * 0x9E3779B9L + 0x7F4A7C15L);
        }

        @Override
        Object get(IntVec v, long index) {
          return v.get(index);
        }

        @Override
        void set(IntVec v, long index, Object value) {
          v.set(index, (Integer) value);
        }

        @Override
        void add(IntVec v, Object value) {
          v.add((Integer) value);
        }

        @Override
        void insertAt(IntVec v, long index, Object value) {
          v.insertAt(index, (Integer) value);
        }

        @Override
        Object removeAt(IntVec v, long index) {
          return v.removeAt(index);
        }

        @Override
        Object swapRemoveAt(IntVec v, long index) {
          return v.swapRemoveAt(index);
        }

        @Override
        Object removeLast(IntVec v) {
          return v.removeLast();
        }

        @Override
        void resize(IntVec v, long newSize, Object fill) {
          v.resize(newSize, (Integer) fill);
        }

        @Override
        void addAllArray(IntVec v, Object a) {
          v.addAll((int[]) a);
        }

        @Override
        void copyToArray(IntVec v, long from, Object a, int offset, int length) {
          v.copyTo(from, (int[]) a, offset, length);
        }

        @Override
        void copyFromArray(IntVec v, long to, Object a, int offset, int length) {
          v.copyFrom(to, (int[]) a, offset, length);
        }

        @Override
        Object toArray(IntVec v) {
          return v.toArray();
        }

        @Override
        List<Object> streamed(IntVec v) {
          return boxedInts(v.stream());
        }

        @Override
        PrimitiveIterator<?, ?> iterator(IntVec v) {
          return v.iterator();
        }

        @Override
        List<Object> forEached(IntVec v) {
          List<Object> out = new ArrayList<>();
          v.forEach(out::add);
          return out;
        }

        @Override
        Object widen(Object value) {
          return value;
        }

        @Override
        Object getFrom(MemorySegment s, long index) {
          return s.getAtIndex(ValueLayout.JAVA_INT, index);
        }

        @Override
        void putInto(MemorySegment s, long index, Object value) {
          s.setAtIndex(ValueLayout.JAVA_INT, index, (Integer) value);
        }
      };

  static final VecKind<DoubleVec> DOUBLE =
      new VecKind<>("double", DoubleVec.class, double.class, ValueLayout.JAVA_DOUBLE) {
        @Override
        DoubleVec open(Path path, VecOptions options, Backend backend) throws IOException {
          return DoubleVec.open(path, options, backend);
        }

        @Override
        Object value(long seed) {
          // Exact for |seed| < 2^52; never NaN or infinite.
          return seed * 0.5 + 0.25;
        }

        @Override
        Object get(DoubleVec v, long index) {
          return v.get(index);
        }

        @Override
        void set(DoubleVec v, long index, Object value) {
          v.set(index, (Double) value);
        }

        @Override
        void add(DoubleVec v, Object value) {
          v.add((Double) value);
        }

        @Override
        void insertAt(DoubleVec v, long index, Object value) {
          v.insertAt(index, (Double) value);
        }

        @Override
        Object removeAt(DoubleVec v, long index) {
          return v.removeAt(index);
        }

        @Override
        Object swapRemoveAt(DoubleVec v, long index) {
          return v.swapRemoveAt(index);
        }

        @Override
        Object removeLast(DoubleVec v) {
          return v.removeLast();
        }

        @Override
        void resize(DoubleVec v, long newSize, Object fill) {
          v.resize(newSize, (Double) fill);
        }

        @Override
        void addAllArray(DoubleVec v, Object a) {
          v.addAll((double[]) a);
        }

        @Override
        void copyToArray(DoubleVec v, long from, Object a, int offset, int length) {
          v.copyTo(from, (double[]) a, offset, length);
        }

        @Override
        void copyFromArray(DoubleVec v, long to, Object a, int offset, int length) {
          v.copyFrom(to, (double[]) a, offset, length);
        }

        @Override
        Object toArray(DoubleVec v) {
          return v.toArray();
        }

        @Override
        List<Object> streamed(DoubleVec v) {
          return boxedDoubles(v.stream());
        }

        @Override
        PrimitiveIterator<?, ?> iterator(DoubleVec v) {
          return v.iterator();
        }

        @Override
        List<Object> forEached(DoubleVec v) {
          List<Object> out = new ArrayList<>();
          v.forEach(out::add);
          return out;
        }

        @Override
        Object widen(Object value) {
          return value;
        }

        @Override
        Object getFrom(MemorySegment s, long index) {
          return s.getAtIndex(ValueLayout.JAVA_DOUBLE, index);
        }

        @Override
        void putInto(MemorySegment s, long index, Object value) {
          s.setAtIndex(ValueLayout.JAVA_DOUBLE, index, (Double) value);
        }
      };

  static final VecKind<ByteVec> BYTE =
      new VecKind<>("byte", ByteVec.class, byte.class, ValueLayout.JAVA_BYTE) {
        @Override
        ByteVec open(Path path, VecOptions options, Backend backend) throws IOException {
          return ByteVec.open(path, options, backend);
        }

        @Override
        Object value(long seed) {
          // 31 is odd, so seeds 0..255 give 256 different bytes; seed -1 gives the same as 255.
          return (byte) (seed * 31 + 7);
        }

        @Override
        Object get(ByteVec v, long index) {
          return v.get(index);
        }

        @Override
        void set(ByteVec v, long index, Object value) {
          v.set(index, (Byte) value);
        }

        @Override
        void add(ByteVec v, Object value) {
          v.add((Byte) value);
        }

        @Override
        void insertAt(ByteVec v, long index, Object value) {
          v.insertAt(index, (Byte) value);
        }

        @Override
        Object removeAt(ByteVec v, long index) {
          return v.removeAt(index);
        }

        @Override
        Object swapRemoveAt(ByteVec v, long index) {
          return v.swapRemoveAt(index);
        }

        @Override
        Object removeLast(ByteVec v) {
          return v.removeLast();
        }

        @Override
        void resize(ByteVec v, long newSize, Object fill) {
          v.resize(newSize, (Byte) fill);
        }

        @Override
        void addAllArray(ByteVec v, Object a) {
          v.addAll((byte[]) a);
        }

        @Override
        void copyToArray(ByteVec v, long from, Object a, int offset, int length) {
          v.copyTo(from, (byte[]) a, offset, length);
        }

        @Override
        void copyFromArray(ByteVec v, long to, Object a, int offset, int length) {
          v.copyFrom(to, (byte[]) a, offset, length);
        }

        @Override
        Object toArray(ByteVec v) {
          return v.toArray();
        }

        @Override
        List<Object> streamed(ByteVec v) {
          return boxedInts(v.stream());
        }

        @Override
        PrimitiveIterator<?, ?> iterator(ByteVec v) {
          return v.iterator();
        }

        @Override
        List<Object> forEached(ByteVec v) {
          List<Object> out = new ArrayList<>();
          v.forEach(out::add);
          return out;
        }

        @Override
        Object widen(Object value) {
          return (int) (Byte) value;
        }

        @Override
        Object getFrom(MemorySegment s, long index) {
          return s.getAtIndex(ValueLayout.JAVA_BYTE, index);
        }

        @Override
        void putInto(MemorySegment s, long index, Object value) {
          s.setAtIndex(ValueLayout.JAVA_BYTE, index, (Byte) value);
        }
      };

  static final VecKind<ShortVec> SHORT =
      new VecKind<>("short", ShortVec.class, short.class, ValueLayout.JAVA_SHORT) {
        @Override
        ShortVec open(Path path, VecOptions options, Backend backend) throws IOException {
          return ShortVec.open(path, options, backend);
        }

        @Override
        Object value(long seed) {
          return (short) (seed * 31_337 + 7);
        }

        @Override
        Object get(ShortVec v, long index) {
          return v.get(index);
        }

        @Override
        void set(ShortVec v, long index, Object value) {
          v.set(index, (Short) value);
        }

        @Override
        void add(ShortVec v, Object value) {
          v.add((Short) value);
        }

        @Override
        void insertAt(ShortVec v, long index, Object value) {
          v.insertAt(index, (Short) value);
        }

        @Override
        Object removeAt(ShortVec v, long index) {
          return v.removeAt(index);
        }

        @Override
        Object swapRemoveAt(ShortVec v, long index) {
          return v.swapRemoveAt(index);
        }

        @Override
        Object removeLast(ShortVec v) {
          return v.removeLast();
        }

        @Override
        void resize(ShortVec v, long newSize, Object fill) {
          v.resize(newSize, (Short) fill);
        }

        @Override
        void addAllArray(ShortVec v, Object a) {
          v.addAll((short[]) a);
        }

        @Override
        void copyToArray(ShortVec v, long from, Object a, int offset, int length) {
          v.copyTo(from, (short[]) a, offset, length);
        }

        @Override
        void copyFromArray(ShortVec v, long to, Object a, int offset, int length) {
          v.copyFrom(to, (short[]) a, offset, length);
        }

        @Override
        Object toArray(ShortVec v) {
          return v.toArray();
        }

        @Override
        List<Object> streamed(ShortVec v) {
          return boxedInts(v.stream());
        }

        @Override
        PrimitiveIterator<?, ?> iterator(ShortVec v) {
          return v.iterator();
        }

        @Override
        List<Object> forEached(ShortVec v) {
          List<Object> out = new ArrayList<>();
          v.forEach(out::add);
          return out;
        }

        @Override
        Object widen(Object value) {
          return (int) (Short) value;
        }

        @Override
        Object getFrom(MemorySegment s, long index) {
          return s.getAtIndex(ValueLayout.JAVA_SHORT, index);
        }

        @Override
        void putInto(MemorySegment s, long index, Object value) {
          s.setAtIndex(ValueLayout.JAVA_SHORT, index, (Short) value);
        }
      };

  static final VecKind<FloatVec> FLOAT =
      new VecKind<>("float", FloatVec.class, float.class, ValueLayout.JAVA_FLOAT) {
        @Override
        FloatVec open(Path path, VecOptions options, Backend backend) throws IOException {
          return FloatVec.open(path, options, backend);
        }

        @Override
        Object value(long seed) {
          // Exact for |seed| < 2^22; finite for every long.
          return (float) seed * 0.25f + 0.5f;
        }

        @Override
        Object get(FloatVec v, long index) {
          return v.get(index);
        }

        @Override
        void set(FloatVec v, long index, Object value) {
          v.set(index, (Float) value);
        }

        @Override
        void add(FloatVec v, Object value) {
          v.add((Float) value);
        }

        @Override
        void insertAt(FloatVec v, long index, Object value) {
          v.insertAt(index, (Float) value);
        }

        @Override
        Object removeAt(FloatVec v, long index) {
          return v.removeAt(index);
        }

        @Override
        Object swapRemoveAt(FloatVec v, long index) {
          return v.swapRemoveAt(index);
        }

        @Override
        Object removeLast(FloatVec v) {
          return v.removeLast();
        }

        @Override
        void resize(FloatVec v, long newSize, Object fill) {
          v.resize(newSize, (Float) fill);
        }

        @Override
        void addAllArray(FloatVec v, Object a) {
          v.addAll((float[]) a);
        }

        @Override
        void copyToArray(FloatVec v, long from, Object a, int offset, int length) {
          v.copyTo(from, (float[]) a, offset, length);
        }

        @Override
        void copyFromArray(FloatVec v, long to, Object a, int offset, int length) {
          v.copyFrom(to, (float[]) a, offset, length);
        }

        @Override
        Object toArray(FloatVec v) {
          return v.toArray();
        }

        @Override
        List<Object> streamed(FloatVec v) {
          return boxedDoubles(v.stream());
        }

        @Override
        PrimitiveIterator<?, ?> iterator(FloatVec v) {
          return v.iterator();
        }

        @Override
        List<Object> forEached(FloatVec v) {
          List<Object> out = new ArrayList<>();
          v.forEach(out::add);
          return out;
        }

        @Override
        Object widen(Object value) {
          return (double) (Float) value;
        }

        @Override
        Object getFrom(MemorySegment s, long index) {
          return s.getAtIndex(ValueLayout.JAVA_FLOAT, index);
        }

        @Override
        void putInto(MemorySegment s, long index, Object value) {
          s.setAtIndex(ValueLayout.JAVA_FLOAT, index, (Float) value);
        }
      };
}
