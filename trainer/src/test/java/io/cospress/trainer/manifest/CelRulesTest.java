package io.cospress.trainer.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.schema.CrdSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD's own CEL rules, evaluated locally: each rule of the schema, broken by a manifest, gives
 * the rule's own message at the path the API server names; transition rules are skipped, not
 * guessed at; and values have the types of the structural schema, not of the YAML.
 */
class CelRulesTest {

  private static final String VALID = ManifestLoaderTest.VALID;

  /** A manifest that breaks exactly one rule, and the problem the API server would report. */
  record Broken(String name, String yaml, String problem) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Broken> brokenRules() {
    return Stream.of(
        new Broken(
            "student with model and architecture",
            VALID.replace(
                "    model: models/student.pt",
                "    model: models/student.pt\n    architecture: {type: resnet}"),
            "spec.student: set exactly one of student.model or student.architecture"),
        new Broken(
            "ViT width not divisible by heads",
            VALID.replace(
                "    model: models/student.pt",
                "    architecture: {type: vit, patchSize: 4, width: 10, heads: 3}"),
            "spec.student.architecture.width: must be divisible by architecture.heads"),
        new Broken(
            "ViT patch that does not divide the image",
            VALID.replace(
                "    model: models/student.pt", "    architecture: {type: vit, patchSize: 5}"),
            "spec.student.architecture.patchSize: must divide dataset.imageSize"),
        new Broken(
            "a zero temperature",
            VALID.replace("batchSize: 32", "batchSize: 32\n    temperatures: [0.1, 0]"),
            "spec.training.temperatures: every temperature must be > 0"),
        new Broken(
            "three means for one channel",
            VALID.replace("channels: 1", "channels: 1\n    mean: [0.5, 0.5, 0.5]"),
            "spec.dataset.mean: needs one value per channel (dataset.channels)"),
        new Broken(
            "one std for three channels",
            VALID.replace("channels: 1", "channels: 3\n    std: [0.5]"),
            "spec.dataset.std: needs one value per channel (dataset.channels)"),
        new Broken(
            "a zero std",
            VALID.replace("channels: 1", "channels: 1\n    std: [0]"),
            "spec.dataset.std: every value must be > 0"),
        new Broken(
            "two channels",
            VALID.replace("channels: 1", "channels: 2"),
            "spec.dataset.channels: must be 1 (grayscale) or 3 (RGB)"),
        new Broken(
            "idx training split without labels",
            VALID.replace("      labels: data/train-labels.gz\n", ""),
            "spec.dataset.train.labels: required for the idx format"),
        new Broken(
            "idx validation split without labels",
            VALID.replace(
                "      labels: data/train-labels.gz\n",
                "      labels: data/train-labels.gz\n    validation: {path: data/val.gz}\n"),
            "spec.dataset.validation.labels: required for the idx format"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenRules")
  void aBrokenRuleIsReportedWithItsOwnMessageAtItsPath(Broken broken) {
    assertThat(problemsOf(broken.yaml())).containsExactly(broken.problem());
  }

  /** A rule of the schema and the path its failures are reported at. */
  record SchemaRule(String path, String rule, String message, boolean hasMessageExpression) {}

  @Test
  void everyRuleOfTheSchemaHasACaseAboveWithTheSchemasOwnMessage() {
    List<SchemaRule> rules = new ArrayList<>();
    collect(CrdSchema.specSchema(), "spec", rules);
    Map<String, List<String>> reported =
        brokenRules()
            .map(Broken::problem)
            .collect(
                Collectors.groupingBy(
                    p -> p.substring(0, p.indexOf(": ")),
                    Collectors.mapping(
                        p -> p.substring(p.indexOf(": ") + 2), Collectors.toList())));

    List<SchemaRule> local = rules.stream().filter(r -> !r.rule().contains("oldSelf")).toList();
    assertThat(local).hasSize((int) brokenRules().count());
    for (SchemaRule rule : local) {
      assertThat(reported).as("a case above breaks %s", rule).containsKey(rule.path());
      if (!rule.hasMessageExpression()) {
        assertThat(reported.get(rule.path())).as("message of %s", rule).contains(rule.message());
      }
    }
  }

  @Test
  void transitionRulesAreSkippedLocallyAndListed() {
    List<String> transitions = CelRules.ofSpec().transitionRules();

    assertThat(transitions)
        .containsExactlyInAnyOrder(
            ".teacher: self == oldSelf",
            ".student: self == oldSelf",
            ".dataset: self == oldSelf",
            ".training: self == oldSelf",
            ".checkpoint.path: self == oldSelf",
            ".checkpoint.claimName: self == oldSelf");
    // A valid manifest passes although nothing binds oldSelf.
    assertThat(ManifestLoader.parse(VALID, Path.of("/b")).name()).isEqualTo("demo");
  }

  @Test
  void wholeNumbersInANumberFieldAreDoublesAsTheApiServerSeesThem() {
    // `t > 0.0` on an int would not type-check in CEL; the schema says number, so 1 is 1.0.
    String yaml = VALID.replace("batchSize: 32", "batchSize: 32\n    temperatures: [1, 2]");
    assertThat(ManifestLoader.parse(yaml, Path.of("/b")).config().training().temperatures())
        .containsExactly(1.0, 2.0);
    assertThat(problemsOf(VALID.replace("channels: 1", "channels: 3\n    std: [1, 1, 0]")))
        .containsExactly("spec.dataset.std: every value must be > 0");
  }

  @Test
  void aRuleThatErrorsIsReportedWithTheRuleAsTheApiServerDoes() throws Exception {
    JsonNode schema =
        new ObjectMapper()
            .readTree(
                """
                {"type": "object",
                 "properties": {"a": {"type": "integer"}},
                 "x-kubernetes-validations": [{"rule": "self.a > 1", "message": "a too small"}]}
                """);
    CelRules rules = CelRules.compile(schema);

    assertThat(rules.check(new ObjectMapper().readTree("{\"a\": 0}"), "spec"))
        .containsExactly("spec: a too small");
    assertThat(rules.check(new ObjectMapper().readTree("{}"), "spec"))
        .singleElement()
        .asString()
        .startsWith("spec: ")
        .contains("evaluating rule: self.a > 1");
  }

  @Test
  void aMessageExpressionGivesTheMessageAndFallsBackToTheStaticOneWhenItFails() throws Exception {
    // The CRD has none today: the API server's cost estimate refuses string() of an int there.
    JsonNode schema =
        new ObjectMapper()
            .readTree(
                """
                {"type": "object",
                 "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
                 "x-kubernetes-validations": [
                   {"rule": "self.a > 1", "message": "a too small",
                    "messageExpression": "'a is ' + string(self.a)", "fieldPath": ".a"},
                   {"rule": "self.a < 5", "message": "a too large",
                    "messageExpression": "'b is ' + self.b"}]}
                """);
    CelRules rules = CelRules.compile(schema);

    assertThat(rules.check(new ObjectMapper().readTree("{\"a\": 0}"), "spec"))
        .containsExactly("spec.a: a is 0");
    assertThat(rules.check(new ObjectMapper().readTree("{\"a\": 9}"), "spec"))
        .containsExactly("spec: a too large"); // self.b is absent: the expression fails
  }

  @Test
  void aRuleTheTrainerCannotCompileFailsLoudlyNotSilently() throws Exception {
    JsonNode schema =
        new ObjectMapper()
            .readTree(
                """
                {"type": "object",
                 "x-kubernetes-validations": [{"rule": "self.noSuchFunction()", "message": "m"}]}
                """);

    assertThatThrownBy(() -> CelRules.compile(schema))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not compile")
        .hasMessageContaining("self.noSuchFunction()");
  }

  private static List<String> problemsOf(String yaml) {
    try {
      ManifestLoader.parse(yaml, Path.of("/base"));
    } catch (ManifestException e) {
      return e.problems();
    }
    throw new AssertionError("manifest was accepted");
  }

  private static void collect(JsonNode schema, String path, List<SchemaRule> into) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      into.add(
          new SchemaRule(
              path + rule.path("fieldPath").asText(""),
              rule.path("rule").asText(),
              rule.path("message").asText(),
              rule.has("messageExpression")));
    }
    schema
        .path("properties")
        .fields()
        .forEachRemaining(p -> collect(p.getValue(), path + "." + p.getKey(), into));
  }
}
