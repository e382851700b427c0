package io.mmapvec.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shape the per-element path relies on (see {@link ElementAccess}): one final class at the
 * bottom of a sealed chain, every method a facade calls final, and the parts it reaches on every
 * access held in final fields. A change that made one of them overridable or reassignable would let
 * the JIT no longer bind those calls statically.
 */
class StorageShapeTest {

  @Test
  void theLayersAreOneSealedChainEndingInAFinalStorage() {
    assertThat(Modifier.isFinal(Storage.class.getModifiers())).isTrue();
    assertThat(Storage.class.getSuperclass()).isEqualTo(ElementEdits.class);
    assertThat(ElementEdits.class.getPermittedSubclasses()).containsExactly(Storage.class);
    assertThat(ElementEdits.class.getSuperclass()).isEqualTo(ElementAccess.class);
    assertThat(ElementAccess.class.getPermittedSubclasses()).containsExactly(ElementEdits.class);
  }

  @Test
  void everyMethodOfTheProtocolLayersIsFinalExceptTheOneHook() {
    List<String> overridable = new ArrayList<>();
    for (Class<?> layer : List.of(ElementAccess.class, ElementEdits.class)) {
      for (Method m : layer.getDeclaredMethods()) {
        int mod = m.getModifiers();
        if (!Modifier.isStatic(mod)
            && !Modifier.isPrivate(mod)
            && !Modifier.isFinal(mod)
            && !m.isSynthetic()) {
          overridable.add(layer.getSimpleName() + "." + m.getName());
        }
      }
    }
    // The everyWrites hook runs once per N writes, not per element; Storage implements it.
    assertThat(overridable).containsExactly("ElementAccess.syncAfterWrites");
  }

  @Test
  void thePartsReachedOnEveryAccessAreFinalFields() throws NoSuchFieldException {
    for (String name : List.of("dirty", "schedule", "controller", "elementSize", "path")) {
      Field f = ElementAccess.class.getDeclaredField(name);
      assertThat(Modifier.isFinal(f.getModifiers())).as(name).isTrue();
    }
  }
}
