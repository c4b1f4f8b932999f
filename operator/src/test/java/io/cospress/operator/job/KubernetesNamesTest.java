package io.cospress.operator.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubernetesNamesTest {

  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

  @Test
  void shortDnsLabelIsKeptAsItIs() {
    assertThat(KubernetesNames.dnsLabel("vit-distil", "-a1")).isEqualTo("vit-distil-a1");
  }

  @Test
  void dotsInARunNameAreReplacedAndDisambiguatedByHash() {
    String dotted = KubernetesNames.dnsLabel("vit.distil", "-a1");
    String dashed = KubernetesNames.dnsLabel("vit-distil", "-a1");

    assertThat(dotted).matches(DNS_LABEL).startsWith("vit-distil-").endsWith("-a1");
    assertThat(dotted).isNotEqualTo(dashed);
  }

  @Test
  void longDnsLabelKeepsItsBeginningAndEndsInAnAlphanumeric() {
    // The cut falls right after a dash, which must not end up next to the hash's separator.
    String base = "a".repeat(49) + "-" + "b".repeat(30);

    String name = KubernetesNames.dnsLabel(base, "-a1");

    assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL).startsWith("a".repeat(49));
    assertThat(name).doesNotContain("--");
  }

  @Test
  void labelValueOfALongNameFitsAndStaysDistinct() {
    String a = "run-" + "x".repeat(100);
    String b = "run-" + "x".repeat(99) + "y";

    assertThat(KubernetesNames.labelValue(a)).hasSize(63).isEqualTo(KubernetesNames.labelValue(a));
    assertThat(KubernetesNames.labelValue(a)).isNotEqualTo(KubernetesNames.labelValue(b));
    assertThat(KubernetesNames.labelValue("short")).isEqualTo("short");
  }

  @Test
  void subdomainAllowsLongNamesUpTo253() {
    String base = "r".repeat(240);
    assertThat(KubernetesNames.dnsSubdomain(base, "-manifest")).isEqualTo(base + "-manifest");

    String tooLong = "r".repeat(250);
    assertThat(KubernetesNames.dnsSubdomain(tooLong, "-manifest"))
        .hasSizeLessThanOrEqualTo(253)
        .endsWith("-manifest");
  }
}
