package io.mmapvec;

import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.format.FieldLayout;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.Storage;
import io.mmapvec.internal.struct.RecordCodec;
import io.mmapvec.internal.struct.RecordLayouts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * A growable vector of records of primitives stored in a memory-mapped file, each record laid out
 * as a C struct of the same fields in the same order.
 *
 * <pre>{@code
 * record Tick(long time, double price, int qty) {}
 *
 * try (StructVec<Tick> v = StructVec.open(Path.of("ticks.vec"), Tick.class)) {
 *   v.add(new Tick(1, 2.5, 3));
 *   Tick t = v.get(0);                                 // made by the canonical constructor
 *   StructVec.DoubleField price = v.doubleField("price"); // zero-copy view of one field
 *   price.set(0, price.get(0) + 0.25);
 *   v.sync();                                          // durable from here on
 * }
 * }</pre>
 *
 * <p><b>Records:</b> components may be {@code byte}, {@code short}, {@code char}, {@code int},
 * {@code long}, {@code float}, {@code double} and {@code boolean}; anything else is refused at
 * open, naming the component. Fields are laid out in declaration order with natural alignment and C
 * padding (a {@code boolean} is one byte holding 0 or 1, a {@code char} two bytes), so the file is
 * also readable as an array of {@code #[repr(C)]} structs in Rust, plain structs in C, or a
 * structured dtype in numpy (see the README). The header records every field's name, type and
 * offset: opening with a record whose layout differs fails with {@link
 * VecFormatException.Reason#ELEMENT_TYPE_MISMATCH} naming the first differing field, and {@link
 * VecFiles#describe(Path)} reads the layout back without any Java class. Two record classes with
 * the same component names and types in the same order open the same files.
 *
 * <p><b>Access to the record class:</b> mmapvec reaches the canonical constructor and the accessors
 * through method handles. That works without help for a public record in an exported package, and
 * for any record in a package open to {@code io.mmapvec} (every package on the class path is). For
 * a non-public record in a named module, pass a lookup: {@code StructVec.open(path, Tick.class,
 * options, MethodHandles.lookup())}.
 *
 * <p><b>Threads:</b> not thread-safe; one thread at a time, or external synchronisation. {@link
 * #close()} may come from another thread: a thread still reading then gets an exception, never a
 * crash. The same holds for the {@link Field}s of the vector.
 *
 * <p><b>Durability:</b> changes reach the device when {@link #sync()} or {@link #close()} returns,
 * or as the {@link SyncPolicy} chosen at open says; after a crash the file opens as it was at the
 * last sync, except that elements changed since may hold old or new values (a record's fields
 * separately: a record changed since the last sync may mix old and new fields).
 *
 * <p><b>Lifetime:</b> after {@link #close()} every method throws {@link VecClosedException}, and so
 * does every method of its {@link Field}s. Memory belongs to the operating system's page cache, not
 * to the Java heap; {@link #get(long)} makes a new record on the heap each time.
 *
 * @param <R> the record type of the elements
 */
public final class StructVec<R extends Record> extends AbstractVec implements Vec, Iterable<R> {
  private final Class<R> recordType;
  private final RecordCodec codec;
  private final long elementSize;
  private final List<Field> fields;
  private final Map<String, Field> fieldsByName;

  /**
   * One element's bytes: {@code set} and {@code insertAt} encode the record here first, so an
   * accessor that throws leaves the vector untouched (the vector is single-threaded, so one buffer
   * is enough).
   */
  private final MemorySegment one;

  private StructVec(Storage storage, Class<R> recordType, RecordCodec codec) {
    super(storage);
    this.recordType = recordType;
    this.codec = codec;
    this.elementSize = storage.elementSize();
    List<Field> list = new ArrayList<>();
    Map<String, Field> byName = new LinkedHashMap<>();
    for (FieldLayout f : codec.layout().fields()) {
      Field field = Field.of(storage, recordType.getSimpleName(), f, elementSize);
      list.add(field);
      byName.put(f.name(), field);
    }
    this.fields = List.copyOf(list);
    this.fieldsByName = Collections.unmodifiableMap(byName);
    this.one = staging(1);
  }

  /**
   * Opens the vector of {@code recordType} records in {@code path}, creating it if it does not
   * exist, with {@link VecOptions#defaults()}: writable, exclusively locked.
   *
   * @param <R> the record type
   * @param path the file
   * @param recordType the record class of the elements
   * @return the open vector
   * @throws IllegalArgumentException if {@code recordType} has a component that is not a primitive
   *     (the message names it), has no components or too many, or cannot be reached (the message
   *     says what to do); the file is not touched
   * @throws VecFormatException if the file is not a vector of records with this layout, the default
   *     magic and data version, or is damaged; the file is left as it was
   * @throws VecLockedException if another process, or this JVM, has the file open
   * @throws IOException if the file cannot be opened, created, locked or mapped
   */
  public static <R extends Record> StructVec<R> open(Path path, Class<R> recordType)
      throws IOException {
    return open(path, recordType, VecOptions.defaults());
  }

  /**
   * Opens the vector of {@code recordType} records in {@code path} as {@code options} say; a
   * writable open creates the file if it does not exist, atomically (a crash never leaves a
   * half-made file under this name).
   *
   * @param <R> the record type
   * @param path the file
   * @param recordType the record class of the elements
   * @param options magic, data version, read-only, sync policy
   * @return the open vector
   * @throws IllegalArgumentException if {@code recordType} has a component that is not a primitive
   *     (the message names it), has no components or too many, or cannot be reached (the message
   *     says what to do); the file is not touched
   * @throws VecFormatException if the file's magic, data version or element layout differ from the
   *     ones asked for (a layout difference names the first differing field), or the file is
   *     damaged; the file is left as it was
   * @throws VecLockedException if another process, or this JVM, holds a conflicting lock
   * @throws java.nio.file.NoSuchFileException if a read-only open finds no file
   * @throws IOException if the file cannot be opened, created, locked or mapped
   */
  public static <R extends Record> StructVec<R> open(
      Path path, Class<R> recordType, VecOptions options) throws IOException {
    return open(path, recordType, options, null, Backend.current());
  }

  /**
   * Like {@link #open(Path, Class, VecOptions)}, reaching the record's canonical constructor and
   * accessors through {@code lookup}: for a record that is not public, or not in a package open to
   * {@code io.mmapvec}, in a named module. Pass {@code MethodHandles.lookup()} from code that can
   * use the record.
   *
   * @param <R> the record type
   * @param path the file
   * @param recordType the record class of the elements
   * @param options magic, data version, read-only, sync policy
   * @param lookup a lookup with access to the record's canonical constructor and accessors
   * @return the open vector
   * @throws IllegalArgumentException if {@code recordType} is not a record of primitives, or {@code
   *     lookup} cannot reach its constructor or accessors; the file is not touched
   * @throws VecFormatException as {@link #open(Path, Class, VecOptions)} says
   * @throws VecLockedException if another process, or this JVM, holds a conflicting lock
   * @throws IOException if the file cannot be opened, created, locked or mapped
   */
  public static <R extends Record> StructVec<R> open(
      Path path, Class<R> recordType, VecOptions options, MethodHandles.Lookup lookup)
      throws IOException {
    return open(
        path, recordType, options, Objects.requireNonNull(lookup, "lookup"), Backend.current());
  }

  /**
   * Opens as the public overloads do, on {@code backend}.
   *
   * @param <R> the record type
   * @param path the file
   * @param recordType the record class of the elements
   * @param options magic, data version, read-only, sync policy
   * @param lookup a lookup with access to the record, or null for this module's own access
   * @param backend the native backend or the fallback
   * @return the open vector
   * @throws IOException as the public overloads say
   */
  static <R extends Record> StructVec<R> open(
      Path path,
      Class<R> recordType,
      VecOptions options,
      MethodHandles.Lookup lookup,
      Backend backend)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(recordType, "recordType");
    Objects.requireNonNull(options, "options");
    // The record is checked before the file is touched: a refused record never creates a file.
    RecordCodec codec = RecordCodec.of(recordType, lookup);
    ElementLayout layout = codec.layout();
    return new StructVec<>(Storage.open(path, options, layout, backend), recordType, codec);
  }

  // ---------------------------------------------------------------------------------- records

  /**
   * {@return the element at {@code index}, as a new record}
   *
   * @param index from 0 to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  public R get(long index) {
    return read(storage.readIndex(index));
  }

  /**
   * Replaces the element at {@code index}.
   *
   * @param index from 0 to {@code size() - 1}
   * @param value the new record
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws NullPointerException if {@code value} is null
   * @throws UnsupportedOperationException if the vector is read-only
   * @throws RuntimeException whatever an accessor of {@code value} throws; the vector is unchanged
   */
  public void set(long index, R value) {
    Objects.requireNonNull(value, "value");
    codec.write(one, 0, value); // every accessor runs before the mapping is touched
    long i = storage.writeIndex(index);
    try {
      MemorySegment.copy(one, 0, storage.data(), i * elementSize, elementSize);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
    storage.countMutation();
  }

  /**
   * Appends {@code value}, growing the file when the capacity is exhausted.
   *
   * @param value the record
   * @throws NullPointerException if {@code value} is null
   * @throws UncheckedIOException if the file cannot grow (for example, the disk is full); the
   *     vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void add(R value) {
    Objects.requireNonNull(value, "value");
    long i = storage.appendSlot();
    write(i, value);
    storage.appended(i);
  }

  /**
   * Appends all of {@code values}, in their iteration order, all or nothing. Room for all of them
   * is made first, so a full disk fails before any is added; the records are stored past the size,
   * which grows only after the last one is stored, so an accessor that throws adds none of them.
   *
   * @param values the records
   * @throws NullPointerException if {@code values} is or holds null; the vector is unchanged
   * @throws UncheckedIOException if the file cannot grow; the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   * @throws RuntimeException whatever an accessor of a record throws; the vector is unchanged
   */
  public void addAll(Collection<? extends R> values) {
    Object[] records = values.toArray();
    for (Object r : records) {
      Objects.requireNonNull(r, "values holds null");
    }
    try {
      storage.reserve(records.length);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot grow to hold " + records.length + " more elements; the vector is unchanged", e);
    }
    if (records.length == 0) {
      return;
    }
    // Stored directly past the size (the capacity is reserved), then published at once: nothing
    // below the size changes until every record is stored.
    long base = storage.size();
    MemorySegment d = storage.data();
    for (int k = 0; k < records.length; k++) {
      try {
        codec.write(d, (base + k) * elementSize, records[k]);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }
    storage.appended(base + records.length - 1);
  }

  /**
   * Inserts {@code value} at {@code index}, shifting the elements from there up by one.
   *
   * @param index from 0 to {@code size()}
   * @param value the record
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws NullPointerException if {@code value} is null
   * @throws UncheckedIOException if the file cannot grow; the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   * @throws RuntimeException whatever an accessor of {@code value} throws; the vector is unchanged
   */
  public void insertAt(long index, R value) {
    Objects.requireNonNull(value, "value");
    codec.write(one, 0, value); // every accessor runs before the gap is opened
    long i = storage.openGap(index, 1);
    try {
      MemorySegment.copy(one, 0, storage.data(), i * elementSize, elementSize);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
    storage.inserted(1);
  }

  /**
   * Removes the element at {@code index}, shifting the elements after it down by one.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the removed element
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public R removeAt(long index) {
    long i = storage.writeIndex(index);
    R removed = read(i);
    storage.closeGap(i, 1);
    return removed;
  }

  /**
   * Removes the element at {@code index} by moving the last element into its place: constant time,
   * but the order changes.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the removed element
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public R swapRemoveAt(long index) {
    long i = storage.writeIndex(index);
    R removed = read(i);
    storage.swapRemove(i);
    return removed;
  }

  /**
   * Removes the last element.
   *
   * @return the removed element
   * @throws NoSuchElementException if the vector is empty
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public R removeLast() {
    long i = storage.popIndex();
    return read(i);
  }

  /**
   * Sets the size to {@code newSize}: shortens the vector, or appends copies of {@code fill}.
   *
   * @param newSize the new size, at least 0
   * @param fill the record of new elements
   * @throws IllegalArgumentException if {@code newSize} is negative
   * @throws NullPointerException if {@code fill} is null
   * @throws UncheckedIOException if the file cannot grow; the vector is unchanged
   * @throws UnsupportedOperationException if the vector is read-only
   */
  public void resize(long newSize, R fill) {
    Objects.requireNonNull(fill, "fill");
    MemorySegment element = staging(1);
    codec.write(element, 0, fill);
    storage.resize(newSize, element);
  }

  /**
   * {@return the elements, copied into a new unmodifiable list}
   *
   * @throws IllegalStateException if there are more elements than a Java list can hold
   */
  public List<R> toList() {
    int n = storage.arrayLength();
    List<R> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(read(i));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * {@return a stream of the elements} The stream covers the elements present when this method is
   * called; it may be made parallel, since each element is read independently.
   */
  public Stream<R> stream() {
    return LongStream.range(0, storage.size()).mapToObj(this::get);
  }

  /**
   * {@return an iterator over the elements} Fail-fast like {@code java.util}'s: if the size changes
   * while it is in use, its {@code next} throws {@link ConcurrentModificationException}, on a
   * best-effort basis (a change that restores the size is not seen).
   */
  @Override
  public Iterator<R> iterator() {
    long size = storage.size();
    return new Iterator<>() {
      private long next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public R next() {
        if (storage.size() != size) {
          throw sizeChanged(size, "while iterating");
        }
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return get(next++);
      }
    };
  }

  private ConcurrentModificationException sizeChanged(long size, String where) {
    return new ConcurrentModificationException(
        "size changed from "
            + size
            + " to "
            + storage.size()
            + " "
            + where
            + " ("
            + storage.path()
            + ")");
  }

  /**
   * Passes every element, in order, to {@code action}.
   *
   * @param action what to do with each element
   * @throws ConcurrentModificationException if {@code action} changes the size (best effort, as in
   *     {@code java.util})
   */
  @Override
  public void forEach(Consumer<? super R> action) {
    Objects.requireNonNull(action, "action");
    long n = storage.size();
    for (long i = 0; i < n; i++) {
      if (storage.size() != n) {
        throw sizeChanged(n, "in forEach");
      }
      action.accept(read(i));
    }
    if (storage.size() != n) {
      throw sizeChanged(n, "in forEach");
    }
  }

  // ---------------------------------------------------------------------------------- fields

  /**
   * {@return the field named {@code name}, whatever its type} The field stays bound to this vector;
   * it is valid as long as the vector is open. It is the typed view of its component's type (for
   * example a {@link DoubleField}); {@link #doubleField(String)} and its siblings return that view
   * typed, checking the type once.
   *
   * @param name a record component name
   * @throws IllegalArgumentException if the record has no component of that name (the message lists
   *     the names)
   */
  public Field field(String name) {
    checkOpen(storage);
    Field f = fieldsByName.get(Objects.requireNonNull(name, "name"));
    if (f == null) {
      throw new IllegalArgumentException(
          "record "
              + recordType.getSimpleName()
              + " has no component '"
              + name
              + "'; its components are "
              + fieldsByName.keySet());
    }
    return f;
  }

  /**
   * {@return the field named {@code name} as the view of its type, checked here once} The methods
   * below are the same for each of the eight types; a field of another type is refused:
   *
   * <pre>{@code
   * StructVec.DoubleField price = ticks.doubleField("price");
   * double p = price.get(0);     // no type check, no boxing
   * }</pre>
   *
   * @param name a record component name of type {@code double}
   * @throws IllegalArgumentException if the record has no component of that name, or it is not a
   *     {@code double} (the message names its type and the method to use)
   */
  public DoubleField doubleField(String name) {
    return typed(name, DoubleField.class);
  }

  /**
   * {@return the {@code byte} field named {@code name}; see {@link #doubleField(String)}}
   *
   * @param name a record component name of type {@code byte}
   * @throws IllegalArgumentException if there is no such component, or it is not a {@code byte}
   */
  public ByteField byteField(String name) {
    return typed(name, ByteField.class);
  }

  /**
   * {@return the {@code short} field named {@code name}; see {@link #doubleField(String)}}
   *
   * @param name a record component name of type {@code short}
   * @throws IllegalArgumentException if there is no such component, or it is not a {@code short}
   */
  public ShortField shortField(String name) {
    return typed(name, ShortField.class);
  }

  /**
   * {@return the {@code char} field named {@code name}; see {@link #doubleField(String)}}
   *
   * @param name a record component name of type {@code char}
   * @throws IllegalArgumentException if there is no such component, or it is not a {@code char}
   */
  public CharField charField(String name) {
    return typed(name, CharField.class);
  }

  /**
   * {@return the {@code int} field named {@code name}; see {@link #doubleField(String)}}
   *
   * @param name a record component name of type {@code int}
   * @throws IllegalArgumentException if there is no such component, or it is not an {@code int}
   */
  public IntField intField(String name) {
    return typed(name, IntField.class);
  }

  /**
   * {@return the {@code long} field named {@code name}; see {@link #doubleField(String)}}
   *
   * @param name a record component name of type {@code long}
   * @throws IllegalArgumentException if there is no such component, or it is not a {@code long}
   */
  public LongField longField(String name) {
    return typed(name, LongField.class);
  }

  /**
   * {@return the {@code float} field named {@code name}; see {@link #doubleField(String)}}
   *
   * @param name a record component name of type {@code float}
   * @throws IllegalArgumentException if there is no such component, or it is not a {@code float}
   */
  public FloatField floatField(String name) {
    return typed(name, FloatField.class);
  }

  /**
   * {@return the {@code boolean} field named {@code name}; see {@link #doubleField(String)}}
   *
   * @param name a record component name of type {@code boolean}
   * @throws IllegalArgumentException if there is no such component, or it is not a {@code boolean}
   */
  public BooleanField booleanField(String name) {
    return typed(name, BooleanField.class);
  }

  private <F extends Field> F typed(String name, Class<F> view) {
    Field f = field(name);
    if (!view.isInstance(f)) {
      String type = f.elementType().javaName();
      throw new IllegalArgumentException(
          "field '"
              + name
              + "' of "
              + f.owner()
              + " is "
              + type
              + ", not "
              + view.getSimpleName().replace("Field", "").toLowerCase(java.util.Locale.ROOT)
              + "; use "
              + type
              + "Field(\""
              + name
              + "\") ("
              + storage.path()
              + ")");
    }
    return view.cast(f);
  }

  /** {@return the fields, in declaration order} */
  public List<Field> fields() {
    checkOpen(storage);
    return fields;
  }

  /** {@return the record class of the elements} */
  public Class<R> recordType() {
    checkOpen(storage);
    return recordType;
  }

  /**
   * Zero-copy access to one component of every element of a {@link StructVec}. A field is one of
   * eight final classes, one per primitive type ({@link DoubleField} for a {@code double}
   * component, and so on), each with {@code get(index)} and {@code set(index, value)} of exactly
   * its type: {@code get} is a bounds check and one load at {@code index * elementSize() +
   * offset()}, {@code set} a bounds check and one store; no record is made, nothing is boxed, and
   * the type is checked once, when the field is looked up ({@link StructVec#doubleField(String)}
   * and its siblings), not on every access. {@link StructVec#field(String)} returns the field
   * without naming its type; a pattern such as {@code instanceof DoubleField d} then tells it.
   *
   * <p>For every typed class, {@code get(index)} and {@code set(index, value)} throw {@link
   * IndexOutOfBoundsException} if {@code index} is not from 0 to {@code size() - 1}, and {@code
   * set} throws {@link UnsupportedOperationException} on a read-only vector. A {@code boolean} is
   * stored as the byte 1 or 0.
   *
   * <p><b>Threads and lifetime:</b> as its vector's; after the vector is closed every method but
   * {@code toString} throws {@link VecClosedException}. Writes go through the vector's dirty
   * tracking and {@link SyncPolicy} exactly like {@code set}, and are durable when the vector's
   * are.
   */
  public abstract static sealed class Field
      permits ByteField,
          ShortField,
          CharField,
          IntField,
          LongField,
          FloatField,
          DoubleField,
          BooleanField {
    // Every access is aligned by construction: data starts at a page boundary, the element size is
    // a multiple of the element alignment, and a vector opens only files whose layout equals its
    // record's naturally aligned one. The typed classes use unaligned layouts merely to spare the
    // JIT an alignment check per access that it cannot prove away with an element size that is not
    // a
    // constant (it cost a column scan about a third of its speed); the loads and stores are the
    // same instructions.
    final Storage storage;
    final long offset;
    final long elementSize;
    private final String owner;
    private final String name;
    private final ElementType type;

    private Field(Storage storage, String owner, FieldLayout layout, long elementSize) {
      this.storage = storage;
      this.owner = owner;
      this.name = layout.name();
      this.type = layout.type();
      this.offset = layout.offset();
      this.elementSize = elementSize;
      assert offset % type.byteSize() == 0 && elementSize % type.byteSize() == 0 : this;
    }

    /** {@return the field of {@code layout}, of the class that serves its type} */
    static Field of(Storage storage, String owner, FieldLayout layout, long elementSize) {
      return switch (layout.type()) {
        case BYTE -> new ByteField(storage, owner, layout, elementSize);
        case SHORT -> new ShortField(storage, owner, layout, elementSize);
        case CHAR -> new CharField(storage, owner, layout, elementSize);
        case INT -> new IntField(storage, owner, layout, elementSize);
        case LONG -> new LongField(storage, owner, layout, elementSize);
        case FLOAT -> new FloatField(storage, owner, layout, elementSize);
        case DOUBLE -> new DoubleField(storage, owner, layout, elementSize);
        case BOOLEAN -> new BooleanField(storage, owner, layout, elementSize);
        case STRUCT -> throw new AssertionError("a field is never a struct: " + layout);
      };
    }

    /** {@return the record component's name} */
    public String name() {
      checkOpen(storage);
      return name;
    }

    /** {@return the component's primitive class, such as {@code double.class}} */
    public Class<?> type() {
      checkOpen(storage);
      return RecordLayouts.javaType(type);
    }

    /** {@return the byte offset of the field inside an element} */
    public long offset() {
      checkOpen(storage);
      return offset;
    }

    /** {@return the field's size in bytes} */
    public long byteSize() {
      checkOpen(storage);
      return type.byteSize();
    }

    ElementType elementType() {
      return type;
    }

    String owner() {
      return owner;
    }

    /** {@return the type, name and offset, for logs} */
    @Override
    public String toString() {
      return "Field[" + owner + "." + name + ", " + type.javaName() + "@" + offset + "]";
    }
  }

  /** A {@code byte} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class ByteField extends Field {
    private static final ValueLayout.OfByte LAYOUT = ValueLayout.JAVA_BYTE;

    private ByteField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public byte get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, byte value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  /** A {@code short} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class ShortField extends Field {
    private static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private ShortField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public short get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, short value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  /** A {@code char} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class CharField extends Field {
    private static final ValueLayout.OfChar LAYOUT = ValueLayout.JAVA_CHAR_UNALIGNED;

    private CharField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public char get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, char value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  /** A {@code int} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class IntField extends Field {
    private static final ValueLayout.OfInt LAYOUT = ValueLayout.JAVA_INT_UNALIGNED;

    private IntField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public int get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, int value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  /** A {@code long} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class LongField extends Field {
    private static final ValueLayout.OfLong LAYOUT = ValueLayout.JAVA_LONG_UNALIGNED;

    private LongField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public long get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, long value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  /** A {@code float} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class FloatField extends Field {
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private FloatField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public float get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, float value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  /** A {@code double} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class DoubleField extends Field {
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private DoubleField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public double get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, double value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  /** A {@code boolean} {@link Field}: see there for what {@code get} and {@code set} do. */
  public static final class BooleanField extends Field {
    private static final ValueLayout.OfBoolean LAYOUT = ValueLayout.JAVA_BOOLEAN;

    private BooleanField(Storage storage, String owner, FieldLayout layout, long elementSize) {
      super(storage, owner, layout, elementSize);
    }

    /**
     * {@return the field of element {@code index}}
     *
     * @param index from 0 to {@code size() - 1}
     */
    public boolean get(long index) {
      long at = storage.readIndex(index) * elementSize + offset;
      try {
        return storage.data().get(LAYOUT, at);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
    }

    /**
     * Sets the field of element {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @param value the new value
     */
    public void set(long index, boolean value) {
      long at = storage.writeIndex(index) * elementSize + offset;
      try {
        storage.data().set(LAYOUT, at, value);
      } catch (InternalError e) {
        throw storage.fault(e);
      }
      storage.countMutation();
    }
  }

  // ---------------------------------------------------------------------------------- Vec

  /**
   * {@inheritDoc}
   *
   * <p>Element {@code i} starts at byte {@code i * elementSize()}; field {@code f} of it at {@code
   * i * elementSize() + field(f).offset()}. Padding bytes hold whatever was there (zero in a new
   * file).
   */
  @Override
  public MemorySegment asSegment() {
    return super.asSegment();
  }

  /** {@return the record type, file and size, for logs} */
  @Override
  public String toString() {
    return "StructVec<"
        + recordType.getSimpleName()
        + ">["
        + storage.path()
        + (storage.isClosed() ? ", closed]" : ", size=" + storage.size() + "]");
  }

  // ---------------------------------------------------------------------------------- helpers

  @SuppressWarnings("unchecked") // the codec's reader constructs exactly R
  private R read(long index) {
    try {
      return (R) codec.read(storage.data(), index * elementSize);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
  }

  private void write(long index, R value) {
    try {
      codec.write(storage.data(), index * elementSize, value);
    } catch (InternalError e) {
      throw storage.fault(e);
    }
  }

  /** Throws {@link VecClosedException} if the vector of {@code storage} is closed. */
  private static void checkOpen(Storage storage) {
    if (storage.isClosed()) {
      throw new VecClosedException("vector is closed (" + storage.path() + ")");
    }
  }

  /** {@return a zeroed heap buffer of {@code count} elements, aligned like the mapping (8)} */
  private MemorySegment staging(int count) {
    long bytes = count * elementSize;
    return MemorySegment.ofArray(new long[(int) ((bytes + 7) / 8)]).asSlice(0, bytes);
  }
}
