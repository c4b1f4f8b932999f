package io.cospress.operator.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives names and label values for objects the operator creates from a run's name, keeping them
 * within Kubernetes' length and character limits.
 *
 * <p>A DistillationRun name is a DNS subdomain (up to 253 characters, dots allowed), while a Job
 * name must fit a DNS label (63 characters, no dots) because Kubernetes copies it into the {@code
 * job-name} label of its pods, and label values are capped at 63 characters as well. When a name
 * does not fit as it is, its beginning is kept (so people still recognise it) and an 8-character
 * hash of the full original name is inserted before the suffix (so two runs that share a long
 * prefix, or differ only in dots and dashes, still get distinct names). The result is a pure
 * function of its input: the same run always maps to the same name, which is what lets the operator
 * find its objects again after a restart instead of creating duplicates.
 */
public final class KubernetesNames {

  /** Longest DNS-1123 label, and longest label value. */
  public static final int MAX_LABEL_LENGTH = 63;

  /** Longest DNS-1123 subdomain. */
  public static final int MAX_SUBDOMAIN_LENGTH = 253;

  private static final int HASH_LENGTH = 8;

  private KubernetesNames() {}

  /**
   * Returns {@code base + suffix} if it is a valid DNS label, otherwise a shortened form with a
   * hash of {@code base}. The suffix must itself be valid in a DNS label (for example "-a3").
   */
  public static String dnsLabel(String base, String suffix) {
    String candidate = base + suffix;
    if (candidate.length() <= MAX_LABEL_LENGTH && base.indexOf('.') < 0) {
      return candidate;
    }
    return shortened(base.replace('.', '-'), hashOf(base), suffix, MAX_LABEL_LENGTH);
  }

  /**
   * Returns {@code base + suffix} if it fits a DNS subdomain, otherwise a shortened form with a
   * hash of {@code base}. Used for ConfigMaps, ServiceAccounts and RBAC objects, which accept
   * subdomain names.
   */
  public static String dnsSubdomain(String base, String suffix) {
    String candidate = base + suffix;
    if (candidate.length() <= MAX_SUBDOMAIN_LENGTH) {
      return candidate;
    }
    return shortened(base, hashOf(base), suffix, MAX_SUBDOMAIN_LENGTH);
  }

  /** Returns the value as it is if it fits a label value, otherwise a shortened, hashed form. */
  public static String labelValue(String value) {
    if (value.length() <= MAX_LABEL_LENGTH) {
      return value;
    }
    return shortened(value, hashOf(value), "", MAX_LABEL_LENGTH);
  }

  private static String shortened(String base, String hash, String suffix, int maxLength) {
    int room = maxLength - suffix.length() - hash.length() - 1;
    String prefix = trimTrailingSeparators(base.substring(0, Math.min(room, base.length())));
    // The hash is lower-case hex, so it is a valid start of a name when no prefix survives.
    return prefix.isEmpty() ? hash + suffix : prefix + "-" + hash + suffix;
  }

  private static String trimTrailingSeparators(String name) {
    int end = name.length();
    while (end > 0 && !Character.isLetterOrDigit(name.charAt(end - 1))) {
      end--;
    }
    return name.substring(0, end);
  }

  private static String hashOf(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
