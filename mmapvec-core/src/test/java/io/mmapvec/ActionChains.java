package io.mmapvec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * A small stateful-testing harness: seeded random chains of steps run against the system under test
 * and an in-heap model together, and on failure shrunk to a shortest failing chain.
 *
 * <p>Every step draws its random choices when it is generated and keeps them, so a chain replays
 * exactly; steps that need an index pick it relative to the state when they run (for example {@code
 * raw % (size + 1)}), so a chain with steps removed is still a valid chain. That is what makes
 * shrinking by deletion work.
 *
 * <p>The failure message names the seed and the shrunk chain, step by step, so a failure is
 * reproduced by running the same seed again.
 */
final class ActionChains {
  private ActionChains() {}

  /** One step of a chain. */
  interface Step<S> {
    /**
     * Applies the step to the system and the model, and checks them against each other.
     *
     * @param state the system and the model
     * @throws Exception on any failure, assertion errors included
     */
    void apply(S state) throws Exception;
  }

  /**
   * A step with a description for failure reports.
   *
   * @param description what the step does, with its drawn arguments
   * @param step the step
   * @param <S> the state type
   */
  record Named<S>(String description, Step<S> step) {
    @Override
    public String toString() {
      return description;
    }
  }

  /** Draws one step; called once per position of a chain. */
  interface StepFactory<S> {
    /**
     * {@return a new step with its random choices drawn from {@code random}}
     *
     * @param random the chain's random source
     */
    Named<S> draw(SplittableRandom random);
  }

  /**
   * Runs {@code chains} random chains of up to {@code maxSteps} steps; fails with the shortest
   * failing chain found.
   *
   * @param what names the property in the failure message
   * @param seed the seed of the first chain; chain {@code i} uses {@code seed + i}
   * @param chains how many chains
   * @param maxSteps the longest chain
   * @param fresh makes a fresh state (system opened on a new file, empty model); closed after each
   *     chain
   * @param factories the kinds of step, drawn with equal probability
   * @param <S> the state type
   */
  static <S extends AutoCloseable> void check(
      String what,
      long seed,
      int chains,
      int maxSteps,
      Callable<S> fresh,
      List<StepFactory<S>> factories) {
    for (int c = 0; c < chains; c++) {
      long chainSeed = seed + c;
      SplittableRandom random = new SplittableRandom(chainSeed);
      int length = 1 + random.nextInt(maxSteps);
      List<Named<S>> chain = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        chain.add(factories.get(random.nextInt(factories.size())).draw(random));
      }
      Throwable failure = run(chain, fresh);
      if (failure != null) {
        List<Named<S>> shortest = shrink(chain, fresh);
        Throwable shortestFailure = run(shortest, fresh);
        StringBuilder b =
            new StringBuilder(what)
                .append(" failed for seed ")
                .append(chainSeed)
                .append(" (chain of ")
                .append(chain.size())
                .append(" steps); a shortest failing chain has ")
                .append(shortest.size())
                .append(" steps:");
        for (int i = 0; i < shortest.size(); i++) {
          b.append("\n  ").append(i + 1).append(". ").append(shortest.get(i));
        }
        throw new AssertionError(b.toString(), shortestFailure != null ? shortestFailure : failure);
      }
    }
  }

  /** {@return the failure of the chain, or null if it passes} */
  private static <S extends AutoCloseable> Throwable run(List<Named<S>> chain, Callable<S> fresh) {
    S state;
    try {
      state = fresh.call();
    } catch (Exception e) {
      throw new IllegalStateException("could not make a fresh state", e);
    }
    Throwable failure = null;
    try {
      for (Named<S> s : chain) {
        s.step().apply(state);
      }
    } catch (Exception | AssertionError e) {
      failure = e;
    } finally {
      try {
        state.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    return failure;
  }

  /** Deletes ever smaller runs of steps while the chain still fails (delta debugging). */
  private static <S extends AutoCloseable> List<Named<S>> shrink(
      List<Named<S>> failing, Callable<S> fresh) {
    List<Named<S>> current = new ArrayList<>(failing);
    for (int chunk = Math.max(1, current.size() / 2); chunk >= 1; ) {
      boolean removedAny = false;
      for (int from = 0; from < current.size(); ) {
        List<Named<S>> candidate = new ArrayList<>(current);
        candidate.subList(from, Math.min(candidate.size(), from + chunk)).clear();
        if (!candidate.isEmpty() && run(candidate, fresh) != null) {
          current = candidate;
          removedAny = true;
        } else {
          from += chunk;
        }
      }
      if (!removedAny) {
        chunk /= 2;
      }
    }
    return current;
  }
}
