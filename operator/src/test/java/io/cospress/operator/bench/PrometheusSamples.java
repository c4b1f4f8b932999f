package io.cospress.operator.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of one scrape in the Prometheus text format, and the sums and quantiles of them. */
final class PrometheusSamples {

  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final List<Sample> samples;

  private PrometheusSamples(List<Sample> samples) {
    this.samples = samples;
  }

  static PrometheusSamples parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line.trim());
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return new PrometheusSamples(samples);
  }

  /** The sum over all series of {@code name} whose labels include {@code match}. */
  double sum(String name, Map<String, String> match) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> s.labels().entrySet().containsAll(match.entrySet()))
        .mapToDouble(Sample::value)
        .sum();
  }

  double sum(String name) {
    return sum(name, Map.of());
  }

  /** Number of series of {@code name}. */
  long series(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).count();
  }

  /**
   * The {@code q} quantile of what a histogram recorded between {@code before} and this scrape,
   * interpolated linearly inside the bucket as Prometheus's {@code histogram_quantile} does; NaN
   * when nothing was recorded.
   */
  double quantileSince(PrometheusSamples before, String histogram, double q) {
    Map<Double, Double> now = buckets(histogram);
    Map<Double, Double> then = before.buckets(histogram);
    List<Map.Entry<Double, Double>> deltas = new ArrayList<>();
    for (Map.Entry<Double, Double> bucket : now.entrySet()) {
      deltas.add(
          Map.entry(bucket.getKey(), bucket.getValue() - then.getOrDefault(bucket.getKey(), 0.0)));
    }
    deltas.sort(Comparator.comparing(Map.Entry::getKey));
    if (deltas.isEmpty()) {
      return Double.NaN;
    }
    double total = deltas.get(deltas.size() - 1).getValue();
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> bucket : deltas) {
      if (bucket.getValue() >= rank) {
        if (bucket.getKey().isInfinite()) {
          return lowerBound;
        }
        double inBucket = bucket.getValue() - lowerCount;
        double fraction = inBucket == 0 ? 1 : (rank - lowerCount) / inBucket;
        return lowerBound + (bucket.getKey() - lowerBound) * fraction;
      }
      lowerBound = bucket.getKey();
      lowerCount = bucket.getValue();
    }
    return lowerBound;
  }

  /** Cumulative bucket counts by upper bound, summed over all series of the histogram. */
  private Map<Double, Double> buckets(String histogram) {
    Map<Double, Double> byBound = new LinkedHashMap<>();
    for (Sample s : samples) {
      if (s.name().equals(histogram + "_bucket")) {
        String le = s.labels().get("le");
        double bound = "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        byBound.merge(bound, s.value(), Double::sum);
      }
    }
    return byBound;
  }
}
