package io.cospress.trainer.data;

/**
 * Derives independent random seeds from a run seed and integer coordinates (epoch, image index).
 *
 * <p>Adjacent coordinates must give unrelated streams: seeding {@code SplittableRandom} with {@code
 * seed + index} directly would make image {@code i} of epoch {@code e + 1} correlate with image
 * {@code i + k} of epoch {@code e}. Each coordinate is therefore folded in through the SplitMix64
 * finaliser, a bijection with full avalanche.
 */
final class Seeds {

  /** Separates the shuffling stream from the augmentation stream for the same coordinates. */
  static final long EPOCH_ORDER = 0x4f524445524c4c31L;

  static final long AUGMENTATION = 0x4155474d454e5431L;
  static final long SUBSET = 0x5355425345543031L;

  private Seeds() {}

  /** A seed for {@code (seed, domain, a)}. */
  static long derive(long seed, long domain, long a) {
    return mix(mix(mix(seed ^ 0x9e3779b97f4a7c15L) + domain) + a);
  }

  /** A seed for {@code (seed, domain, a, b)}. */
  static long derive(long seed, long domain, long a, long b) {
    return mix(derive(seed, domain, a) + b);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
