package io.mmapvec;

/**
 * Records used by the StructVec tests, with their C layouts in the comments (offsets hand-computed
 * with natural alignment and C padding).
 */
final class StructRecords {
  private StructRecords() {}

  /** time@0, price@8, qty@16; 24 bytes, align 8 (4 bytes of tail padding). */
  record Tick(long time, double price, int qty) {}

  /** The same layout as {@link Tick} under another class name. */
  record TickTwin(long time, double price, int qty) {}

  /** Tick with price as a float: time@0, price@8, qty@12; 16 bytes. */
  record TickFloatPrice(long time, float price, int qty) {}

  /** Tick with price renamed: time@0, bid@8, qty@16; 24 bytes. */
  record TickBid(long time, double bid, int qty) {}

  /** Tick with one more field: time@0, price@8, qty@16, flags@20; 24 bytes. */
  record TickFlags(long time, double price, int qty, int flags) {}

  /**
   * All eight types: b@0, s@2, c@4, i@8, l@16, f@24, d@32, z@40; 48 bytes, align 8 (7 bytes of tail
   * padding).
   */
  record All8(byte b, short s, char c, int i, long l, float f, double d, boolean z) {}

  /** A String component: refused. */
  record WithString(long time, String name) {}

  /** A nested record component: refused. */
  record WithNested(long time, Tick tick) {}

  /** An array component: refused. */
  record WithArray(long time, int[] values) {}

  /** A boxed component: refused. */
  record WithBoxed(Long time) {}

  /** No components: refused. */
  record Empty() {}

  /** A component name of 32 bytes: refused. */
  record LongName(int abcdefghijklmnopqrstuvwxyz012345) {}

  /** A component name of exactly 31 bytes: accepted. */
  record LongestName(int abcdefghijklmnopqrstuvwxyz01234) {}

  /** 85 components, one more than the header's field table holds: refused. */
  record Wide(
      byte f0,
      byte f1,
      byte f2,
      byte f3,
      byte f4,
      byte f5,
      byte f6,
      byte f7,
      byte f8,
      byte f9,
      byte f10,
      byte f11,
      byte f12,
      byte f13,
      byte f14,
      byte f15,
      byte f16,
      byte f17,
      byte f18,
      byte f19,
      byte f20,
      byte f21,
      byte f22,
      byte f23,
      byte f24,
      byte f25,
      byte f26,
      byte f27,
      byte f28,
      byte f29,
      byte f30,
      byte f31,
      byte f32,
      byte f33,
      byte f34,
      byte f35,
      byte f36,
      byte f37,
      byte f38,
      byte f39,
      byte f40,
      byte f41,
      byte f42,
      byte f43,
      byte f44,
      byte f45,
      byte f46,
      byte f47,
      byte f48,
      byte f49,
      byte f50,
      byte f51,
      byte f52,
      byte f53,
      byte f54,
      byte f55,
      byte f56,
      byte f57,
      byte f58,
      byte f59,
      byte f60,
      byte f61,
      byte f62,
      byte f63,
      byte f64,
      byte f65,
      byte f66,
      byte f67,
      byte f68,
      byte f69,
      byte f70,
      byte f71,
      byte f72,
      byte f73,
      byte f74,
      byte f75,
      byte f76,
      byte f77,
      byte f78,
      byte f79,
      byte f80,
      byte f81,
      byte f82,
      byte f83,
      byte f84) {}
}
