package io.mmapvec.internal.struct;

import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.FieldLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes one record as the bytes of one element, through method handles built once per
 * record class: a reader {@code (MemorySegment, long) -> R} that loads each component with its
 * value layout at {@code base + fieldOffset} and calls the canonical constructor, and a writer
 * {@code (MemorySegment, long, R) -> void} that stores each accessor's result there. No reflection
 * and no boxing of components per call.
 *
 * <p><b>Access:</b> the handles are looked up with this module's lookup when the record class is
 * public in a package exported to {@code io.mmapvec}, else with {@link
 * MethodHandles#privateLookupIn} when the package is open to {@code io.mmapvec} (every package on
 * the class path is), else with the lookup the caller passes.
 *
 * <p><b>Threads:</b> immutable; every method may be called from any thread, as long as no other
 * thread writes the bytes it reads at the same time.
 */
public final class RecordCodec {
  private static final MethodHandle ADD;

  static {
    try {
      ADD =
          MethodHandles.lookup()
              .findStatic(
                  RecordCodec.class,
                  "add",
                  MethodType.methodType(long.class, long.class, long.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Codecs built with this module's own access, one per record class. */
  private static final ClassValue<RecordCodec> CACHE =
      new ClassValue<>() {
        @Override
        protected RecordCodec computeValue(Class<?> type) {
          return build(type, RecordLayouts.of(type), null);
        }
      };

  private final ElementLayout layout;

  /** {@code (MemorySegment, long) -> Object}: the record whose element starts at that byte. */
  private final MethodHandle reader;

  /** {@code (MemorySegment, long, Object) -> void}: stores the record's components there. */
  private final MethodHandle writer;

  private RecordCodec(ElementLayout layout, MethodHandle reader, MethodHandle writer) {
    this.layout = layout;
    this.reader = reader;
    this.writer = writer;
  }

  /**
   * {@return the codec of the record class {@code type}}
   *
   * @param type a record class of primitives
   * @param lookup a lookup with access to {@code type}, or null to use this module's own access
   *     (cached per class)
   * @throws IllegalArgumentException if {@code type} is not a record of primitives (see {@link
   *     RecordLayouts#of}), or its canonical constructor or accessors cannot be reached, saying
   *     what to do
   */
  public static RecordCodec of(Class<?> type, MethodHandles.Lookup lookup) {
    Objects.requireNonNull(type, "type");
    return lookup == null ? CACHE.get(type) : build(type, RecordLayouts.of(type), lookup);
  }

  /** {@return the element layout the codec reads and writes} */
  public ElementLayout layout() {
    return layout;
  }

  /**
   * {@return the record whose element starts at byte {@code offset} of {@code segment}}
   *
   * @param segment the elements (aligned to the element alignment)
   * @param offset the byte offset of the element
   */
  public Object read(MemorySegment segment, long offset) {
    try {
      return (Object) reader.invokeExact(segment, offset);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      // A compact canonical constructor may throw a checked exception only by sneaky tricks.
      throw new IllegalStateException("reading a record failed", t);
    }
  }

  /**
   * Stores the components of {@code record} into the element at byte {@code offset} of {@code
   * segment}. Padding bytes are not written.
   *
   * @param segment the elements (aligned to the element alignment)
   * @param offset the byte offset of the element
   * @param record a non-null instance of the record class
   */
  public void write(MemorySegment segment, long offset, Object record) {
    try {
      writer.invokeExact(segment, offset, record);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("writing a record failed", t);
    }
  }

  private static RecordCodec build(
      Class<?> type, ElementLayout layout, MethodHandles.Lookup given) {
    MethodHandles.Lookup lookup = given != null ? given : lookupFor(type);
    RecordComponent[] components = type.getRecordComponents();
    List<FieldLayout> fields = layout.fields();
    Class<?>[] componentTypes = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      componentTypes[i] = components[i].getType();
    }
    MethodHandle constructor;
    MethodHandle[] accessors = new MethodHandle[components.length];
    try {
      constructor = lookup.findConstructor(type, MethodType.methodType(void.class, componentTypes));
      for (int i = 0; i < components.length; i++) {
        accessors[i] = lookup.unreflect(components[i].getAccessor());
      }
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException(inaccessible(type, given != null), e);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          "record " + type.getName() + " has no canonical constructor", e);
    }

    // Reader: constructor(get_0(s, b), ..., get_n-1(s, b)), every get_i taking the same (s, b).
    MethodHandle reader = constructor;
    for (int i = components.length - 1; i >= 0; i--) {
      MethodHandle get = at(fields.get(i), VarHandle.AccessMode.GET);
      reader = MethodHandles.collectArguments(reader, i, get);
    }
    int[] twoArguments = new int[2 * components.length];
    for (int i = 0; i < components.length; i++) {
      twoArguments[2 * i + 1] = 1;
    }
    reader =
        MethodHandles.permuteArguments(
            reader, MethodType.methodType(type, MemorySegment.class, long.class), twoArguments);

    // Writer: set_0(s, b, r); ...; set_n-1(s, b, r), each set_i storing accessor_i(r).
    MethodHandle writer =
        MethodHandles.empty(
            MethodType.methodType(void.class, MemorySegment.class, long.class, type));
    for (int i = components.length - 1; i >= 0; i--) {
      MethodHandle set = at(fields.get(i), VarHandle.AccessMode.SET);
      set = MethodHandles.filterArguments(set, 2, accessors[i]);
      writer = MethodHandles.foldArguments(writer, set);
    }

    return new RecordCodec(
        layout,
        reader.asType(MethodType.methodType(Object.class, MemorySegment.class, long.class)),
        writer.asType(
            MethodType.methodType(void.class, MemorySegment.class, long.class, Object.class)));
  }

  /** {@return the field's access {@code (MemorySegment, long base, ...)} at base + its offset} */
  private static MethodHandle at(FieldLayout f, VarHandle.AccessMode mode) {
    MethodHandle h = RecordLayouts.valueLayout(f.type()).varHandle().toMethodHandle(mode);
    if (f.offset() == 0) {
      return h;
    }
    return MethodHandles.filterArguments(h, 1, MethodHandles.insertArguments(ADD, 1, f.offset()));
  }

  @SuppressWarnings("unused") // reached through ADD
  private static long add(long base, long offset) {
    return base + offset;
  }

  /**
   * {@return a lookup that reaches the record's constructor and accessors} This module's own when
   * the record is public in an exported package, else a private lookup when the package is open to
   * this module.
   */
  private static MethodHandles.Lookup lookupFor(Class<?> type) {
    Module self = RecordCodec.class.getModule();
    // A named module reads only what it requires; reading the record's module is ours to add.
    self.addReads(type.getModule());
    MethodHandles.Lookup own = MethodHandles.lookup();
    if (Modifier.isPublic(type.getModifiers())
        && type.getModule().isExported(type.getPackageName(), self)) {
      try {
        own.accessClass(type);
        return own;
      } catch (IllegalAccessException e) {
        // Not public after all (e.g. nested in a private class): try the private lookup.
      }
    }
    try {
      return MethodHandles.privateLookupIn(type, own);
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException(inaccessible(type, false), e);
    }
  }

  private static String inaccessible(Class<?> type, boolean lookupGiven) {
    String simple = type.getSimpleName();
    if (lookupGiven) {
      return "the lookup passed to StructVec.open has no access to record "
          + type.getName()
          + "'s canonical constructor and accessors; pass MethodHandles.lookup() from code that"
          + " can use them";
    }
    return "cannot reach record "
        + type.getName()
        + "'s canonical constructor and accessors from module io.mmapvec: make the record public"
        + " in an exported package, open its package to io.mmapvec, or pass"
        + " MethodHandles.lookup() to StructVec.open(path, "
        + simple
        + ".class, options, lookup)";
  }
}
