package io.mmapvec;

import io.mmapvec.internal.storage.Backend;
import org.junit.jupiter.api.Nested;

/**
 * Runs {@link VecContract} for each of the six element types on each of the two backends. The
 * native cases are skipped (not failed) where {@code Posix.isAvailable()} is false.
 */
class VecContractTest {

  @Nested
  class LongVecOnNativeBackend extends VecContract<LongVec> {
    LongVecOnNativeBackend() {
      super(VecKind.LONG, Backend.nativeBackend());
    }
  }

  @Nested
  class LongVecOnChannelBackend extends VecContract<LongVec> {
    LongVecOnChannelBackend() {
      super(VecKind.LONG, Backend.channelBackend());
    }
  }

  @Nested
  class IntVecOnNativeBackend extends VecContract<IntVec> {
    IntVecOnNativeBackend() {
      super(VecKind.INT, Backend.nativeBackend());
    }
  }

  @Nested
  class IntVecOnChannelBackend extends VecContract<IntVec> {
    IntVecOnChannelBackend() {
      super(VecKind.INT, Backend.channelBackend());
    }
  }

  @Nested
  class DoubleVecOnNativeBackend extends VecContract<DoubleVec> {
    DoubleVecOnNativeBackend() {
      super(VecKind.DOUBLE, Backend.nativeBackend());
    }
  }

  @Nested
  class DoubleVecOnChannelBackend extends VecContract<DoubleVec> {
    DoubleVecOnChannelBackend() {
      super(VecKind.DOUBLE, Backend.channelBackend());
    }
  }

  @Nested
  class ByteVecOnNativeBackend extends VecContract<ByteVec> {
    ByteVecOnNativeBackend() {
      super(VecKind.BYTE, Backend.nativeBackend());
    }
  }

  @Nested
  class ByteVecOnChannelBackend extends VecContract<ByteVec> {
    ByteVecOnChannelBackend() {
      super(VecKind.BYTE, Backend.channelBackend());
    }
  }

  @Nested
  class ShortVecOnNativeBackend extends VecContract<ShortVec> {
    ShortVecOnNativeBackend() {
      super(VecKind.SHORT, Backend.nativeBackend());
    }
  }

  @Nested
  class ShortVecOnChannelBackend extends VecContract<ShortVec> {
    ShortVecOnChannelBackend() {
      super(VecKind.SHORT, Backend.channelBackend());
    }
  }

  @Nested
  class FloatVecOnNativeBackend extends VecContract<FloatVec> {
    FloatVecOnNativeBackend() {
      super(VecKind.FLOAT, Backend.nativeBackend());
    }
  }

  @Nested
  class FloatVecOnChannelBackend extends VecContract<FloatVec> {
    FloatVecOnChannelBackend() {
      super(VecKind.FLOAT, Backend.channelBackend());
    }
  }
}
