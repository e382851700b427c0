package io.mmapvec.export;

import io.mmapvec.ByteVec;
import io.mmapvec.DoubleVec;
import io.mmapvec.FloatVec;
import io.mmapvec.IntVec;
import io.mmapvec.LongVec;
import io.mmapvec.ShortVec;
import io.mmapvec.StructVec;
import io.mmapvec.Vec;
import java.util.ArrayList;
import java.util.List;

/**
 * One column's values read from a vector through the core's typed API (not through the exporter):
 * integers and booleans (0/1) as longs, floating values as doubles.
 */
record ColumnValues(String name, ColumnType type, long[] ints, double[] reals) {

  int size() {
    return ints != null ? ints.length : reals.length;
  }

  boolean floating() {
    return type == ColumnType.FLOAT || type == ColumnType.DOUBLE;
  }

  /** {@return every column of {@code vec}, in file order} */
  @SuppressWarnings("unchecked")
  static List<ColumnValues> of(Vec vec) {
    int n = Math.toIntExact(vec.size());
    List<ColumnValues> out = new ArrayList<>();
    switch (vec) {
      case ByteVec v -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = v.get(i);
        out.add(new ColumnValues("value", ColumnType.BYTE, a, null));
      }
      case ShortVec v -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = v.get(i);
        out.add(new ColumnValues("value", ColumnType.SHORT, a, null));
      }
      case IntVec v -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = v.get(i);
        out.add(new ColumnValues("value", ColumnType.INT, a, null));
      }
      case LongVec v -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = v.get(i);
        out.add(new ColumnValues("value", ColumnType.LONG, a, null));
      }
      case FloatVec v -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = v.get(i);
        out.add(new ColumnValues("value", ColumnType.FLOAT, null, a));
      }
      case DoubleVec v -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = v.get(i);
        out.add(new ColumnValues("value", ColumnType.DOUBLE, null, a));
      }
      case StructVec<?> s -> {
        StructVec<Fixtures.AllTypes> v = (StructVec<Fixtures.AllTypes>) s;
        long[] b = new long[n], l = new long[n], sh = new long[n], c = new long[n];
        long[] in = new long[n], z = new long[n];
        double[] f = new double[n], d = new double[n];
        for (int i = 0; i < n; i++) {
          Fixtures.AllTypes r = v.get(i);
          b[i] = r.b();
          l[i] = r.l();
          sh[i] = r.s();
          c[i] = r.c();
          in[i] = r.i();
          f[i] = r.f();
          d[i] = r.d();
          z[i] = r.z() ? 1 : 0;
        }
        out.add(new ColumnValues("b", ColumnType.BYTE, b, null));
        out.add(new ColumnValues("l", ColumnType.LONG, l, null));
        out.add(new ColumnValues("s", ColumnType.SHORT, sh, null));
        out.add(new ColumnValues("c", ColumnType.CHAR, c, null));
        out.add(new ColumnValues("i", ColumnType.INT, in, null));
        out.add(new ColumnValues("f", ColumnType.FLOAT, null, f));
        out.add(new ColumnValues("d", ColumnType.DOUBLE, null, d));
        out.add(new ColumnValues("z", ColumnType.BOOLEAN, z, null));
      }
    }
    return out;
  }
}
