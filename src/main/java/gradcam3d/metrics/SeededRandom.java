package gradcam3d.metrics;

/**
 * The random numbers of the metrics, reproducible in any language: the SplitMix64 generator
 * (Steele et al. 2014). Draw j of a stream seeded s is splitmix64(s + j * 0x9E3779B97F4A7C15)
 * ({@link Ranking#splitmix64} applies the finaliser to x + the golden gamma, so draw j is
 * {@code Ranking.splitmix64(s + j * gamma)}); a uniform double in [0, 1) is the draw's top 53
 * bits times 2^-53; a standard normal is sqrt(-2 ln(1 - u1)) * cos(2 pi u2) from two uniforms
 * (Box-Muller, the second normal of the pair unused). Each metric seeds its own stream from the
 * run's seed ({@link #stream}), so adding a metric never changes another's draws.
 */
public final class SeededRandom {
  static final long GAMMA = 0x9E3779B97F4A7C15L;
  private long state;

  public SeededRandom(long seed) {
    this.state = seed;
  }

  /**
   * The stream of {@code purpose} (a small constant per metric) and {@code index} (a run, a
   * sample) for the run's seed: seed * 2^32 + purpose * 2^20 + index.
   */
  public static SeededRandom stream(long seed, int purpose, int index) {
    return new SeededRandom((seed << 32) + ((long) purpose << 20) + index);
  }

  public long nextLong() {
    long z = Ranking.splitmix64(state);
    state += GAMMA;
    return z;
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [lo, hi). */
  public double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  /** Standard normal. */
  public double nextGaussian() {
    double u1 = nextDouble();
    double u2 = nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n): the draw's top 53 bits scaled, floored. */
  public int nextInt(int n) {
    return (int) Math.floor(nextDouble() * n);
  }
}
