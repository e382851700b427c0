package io.mmapvec.export;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_void;

import io.mmapvec.StructVec;
import io.mmapvec.VecOptions;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.TypeKind;
import java.lang.classfile.attribute.RecordAttribute;
import java.lang.classfile.attribute.RecordComponentInfo;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.AccessFlag;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Record classes made at run time for the columns of a Parquet schema, so that the import can
 * create a record vector through {@link StructVec}'s public API without an application's record
 * class: a record with the same component names and types in the same order has the same layout
 * (StructVec's contract), so it opens the same files.
 *
 * <p>Each class is defined once per layout (component names and types) and kept for the life of the
 * JVM, built with the JDK's Class-File API: private final fields, the canonical constructor, the
 * accessors, and {@code toString}, {@code equals} and {@code hashCode} through {@link
 * java.lang.runtime.ObjectMethods}, as javac makes them. Stateless; any thread may call it.
 */
final class RecordClasses {
  private static final ClassDesc RECORD = ClassDesc.of("java.lang.Record");
  private static final ClassDesc OBJECT_METHODS = ClassDesc.of("java.lang.runtime.ObjectMethods");
  private static final DirectMethodHandleDesc BOOTSTRAP =
      ConstantDescs.ofCallsiteBootstrap(
          OBJECT_METHODS,
          "bootstrap",
          CD_Object,
          ConstantDescs.CD_Class,
          CD_String,
          ConstantDescs.CD_MethodHandle.arrayType());

  /** The classes defined so far, by layout (offsets zero: names and types decide). */
  private static final Map<List<Column>, Defined> DEFINED = new ConcurrentHashMap<>();

  private static final AtomicLong NEXT_ID = new AtomicLong();

  private RecordClasses() {}

  /**
   * A record class and what opening and creating vectors of it takes.
   *
   * @param type the record class
   * @param lookup a lookup with full access to it
   * @param zero its canonical constructor bound to all-zero arguments: {@code () -> Record}
   */
  record Defined(Class<? extends Record> type, MethodHandles.Lookup lookup, MethodHandle zero) {

    /**
     * {@return a vector of these records} As {@link StructVec#open(Path, Class, VecOptions,
     * MethodHandles.Lookup)}.
     *
     * @param path the file
     * @param options as StructVec says
     * @throws IOException as StructVec says
     */
    StructVec<? extends Record> open(Path path, VecOptions options) throws IOException {
      return StructVec.open(path, type, options, lookup);
    }

    /** {@return a record whose components are all zero (false)} */
    Record newZero() {
      try {
        return (Record) zero.invoke();
      } catch (Throwable t) {
        throw new IllegalStateException("the generated record constructor failed", t);
      }
    }
  }

  /**
   * {@return a record class with one component per column, in order}
   *
   * @param columns names (valid JVM field names, checked by the caller) and types
   */
  static Defined define(List<Column> columns) {
    List<Column> key = columns.stream().map(c -> new Column(c.name(), c.type(), 0)).toList();
    return DEFINED.computeIfAbsent(key, RecordClasses::build);
  }

  private static Defined build(List<Column> columns) {
    ClassDesc self =
        ClassDesc.of(RecordClasses.class.getPackageName() + ".Row$" + NEXT_ID.incrementAndGet());
    List<ClassDesc> types = columns.stream().map(c -> c.type().descriptor()).toList();
    MethodTypeDesc constructorType = MethodTypeDesc.of(CD_void, types);
    byte[] bytes =
        ClassFile.of()
            .build(
                self,
                cb -> {
                  cb.withFlags(AccessFlag.PUBLIC, AccessFlag.FINAL, AccessFlag.SUPER);
                  cb.withSuperclass(RECORD);
                  List<RecordComponentInfo> components = new ArrayList<>();
                  for (Column c : columns) {
                    ClassDesc t = c.type().descriptor();
                    cb.withField(c.name(), t, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL);
                    components.add(RecordComponentInfo.of(c.name(), t, List.of()));
                    cb.withMethodBody(
                        c.name(),
                        MethodTypeDesc.of(t),
                        ClassFile.ACC_PUBLIC,
                        code -> {
                          code.aload(0);
                          code.getfield(self, c.name(), t);
                          code.return_(TypeKind.from(t));
                        });
                  }
                  cb.withMethodBody(
                      ConstantDescs.INIT_NAME,
                      constructorType,
                      ClassFile.ACC_PUBLIC,
                      code -> {
                        code.aload(0);
                        code.invokespecial(RECORD, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void);
                        int slot = 1;
                        for (Column c : columns) {
                          ClassDesc t = c.type().descriptor();
                          code.aload(0);
                          code.loadLocal(TypeKind.from(t), slot);
                          code.putfield(self, c.name(), t);
                          slot += TypeKind.from(t).slotSize();
                        }
                        code.return_();
                      });
                  objectMethod(cb, self, columns, "toString", MethodTypeDesc.of(CD_String, self));
                  objectMethod(cb, self, columns, "hashCode", MethodTypeDesc.of(CD_int, self));
                  objectMethod(
                      cb, self, columns, "equals", MethodTypeDesc.of(CD_boolean, self, CD_Object));
                  cb.with(RecordAttribute.of(components));
                });
    try {
      Class<? extends Record> type =
          MethodHandles.lookup().defineClass(bytes).asSubclass(Record.class);
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
      MethodHandle constructor =
          lookup.findConstructor(
              type,
              java.lang.invoke.MethodType.methodType(
                  void.class,
                  columns.stream().map(c -> primitive(c.type())).toArray(Class<?>[]::new)));
      Object[] zeros = columns.stream().map(c -> zero(c.type())).toArray();
      MethodHandle zero = MethodHandles.insertArguments(constructor, 0, zeros);
      return new Defined(type, lookup, zero);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("defining a record class for " + describe(columns), e);
    }
  }

  private static void objectMethod(
      java.lang.classfile.ClassBuilder cb,
      ClassDesc self,
      List<Column> columns,
      String name,
      MethodTypeDesc indyType) {
    List<java.lang.constant.ConstantDesc> args = new ArrayList<>();
    args.add(self);
    args.add(columns.stream().map(Column::name).collect(Collectors.joining(";")));
    for (Column c : columns) {
      args.add(
          MethodHandleDesc.ofField(
              DirectMethodHandleDesc.Kind.GETTER, self, c.name(), c.type().descriptor()));
    }
    DynamicCallSiteDesc site =
        DynamicCallSiteDesc.of(
            BOOTSTRAP, name, indyType, args.toArray(java.lang.constant.ConstantDesc[]::new));
    MethodTypeDesc methodType = indyType.dropParameterTypes(0, 1);
    cb.withMethodBody(
        name,
        methodType,
        ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
        code -> {
          code.aload(0);
          if (name.equals("equals")) {
            code.aload(1);
          }
          code.invokedynamic(site);
          code.return_(TypeKind.from(methodType.returnType()));
        });
  }

  private static Class<?> primitive(ColumnType t) {
    return switch (t) {
      case BYTE -> byte.class;
      case SHORT -> short.class;
      case CHAR -> char.class;
      case INT -> int.class;
      case LONG -> long.class;
      case FLOAT -> float.class;
      case DOUBLE -> double.class;
      case BOOLEAN -> boolean.class;
    };
  }

  private static Object zero(ColumnType t) {
    return switch (t) {
      case BYTE -> (byte) 0;
      case SHORT -> (short) 0;
      case CHAR -> (char) 0;
      case INT -> 0;
      case LONG -> 0L;
      case FLOAT -> 0f;
      case DOUBLE -> 0d;
      case BOOLEAN -> false;
    };
  }

  private static String describe(List<Column> columns) {
    return columns.stream()
        .map(c -> c.type().javaName() + " " + c.name())
        .collect(Collectors.joining(", ", "(", ")"));
  }

  /**
   * {@return null if {@code name} can be a field of a generated record, else why not}
   *
   * @param name a column name
   */
  static String checkFieldName(String name) {
    if (name.isEmpty()) {
      return "an empty name";
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      // The JVM forbids these in field names (JVMS 4.2.2).
      if (ch == '.' || ch == ';' || ch == '[' || ch == '/' || ch == '<' || ch == '>') {
        return "the character '" + ch + "', which a record field name cannot hold";
      }
    }
    return null;
  }
}
