package io.cospress.trainer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.cospress.api.schema.CrdSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CRD's own CEL rules ({@code x-kubernetes-validations}), evaluated on a local manifest the way
 * the API server evaluates them on a run: each rule with {@code self} bound to the value at its
 * schema node (typed by {@link CelValues}), only where that value is present, and a failure
 * reported at the node's path (plus the rule's {@code fieldPath}) with the rule's own message (its
 * {@code messageExpression} when that evaluates, else {@code message}). A rule added to the model
 * is therefore enforced locally with the message a cluster gives, and nothing here repeats it.
 *
 * <p>Transition rules, those that read {@code oldSelf}, compare an update with the stored object. A
 * local run has no stored object (every run is a create), so they are skipped here, as the API
 * server skips them on create; in a cluster the API server enforces them.
 */
final class CelRules {

  private static final String SELF = "self";
  private static final String OLD_SELF = "oldSelf";

  private final Node root;

  private CelRules(Node root) {
    this.root = root;
  }

  /** The rules of the CRD's {@code spec}, compiled once per process. */
  static CelRules ofSpec() {
    return SpecRules.RULES;
  }

  /** Compiled on first use (class initialisation is lazy and thread-safe). */
  private static final class SpecRules {
    static final CelRules RULES = compile(CrdSchema.specSchema());
  }

  /**
   * Compiles every rule under {@code schema}.
   *
   * @throws IllegalStateException if a rule does not compile (a model defect: the CRD tests apply
   *     every rule to a real API server, and {@code CelRulesTest} compiles every one here)
   */
  static CelRules compile(JsonNode schema) {
    Node node = Node.of(schema, "", new HashMap<>());
    return new CelRules(node == null ? Node.EMPTY : node);
  }

  /** One line ({@code path: message}) per rule the schema-valid {@code value} breaks. */
  List<String> check(JsonNode value, String path) {
    List<String> problems = new ArrayList<>();
    root.check(value, path, problems);
    return problems;
  }

  /** Transition rules ({@code oldSelf}), which a local run skips; for tests and docs. */
  List<String> transitionRules() {
    List<String> rules = new ArrayList<>();
    root.collectTransitions(rules);
    return rules;
  }

  /** A schema node with its own rules and the children that have rules somewhere below. */
  private record Node(
      JsonNode schema,
      List<Rule> rules,
      List<String> transitions,
      Map<String, Node> properties,
      Node items,
      Node additional) {

    static final Node EMPTY = new Node(null, List.of(), List.of(), Map.of(), null, null);

    /** The node for {@code schema}, or null when no rule lies at or below it. */
    static Node of(JsonNode schema, String location, Map<CelType, Cel> environments) {
      List<Rule> rules = new ArrayList<>();
      List<String> transitions = new ArrayList<>();
      for (JsonNode rule : schema.path("x-kubernetes-validations")) {
        // One environment per type of self: building one costs far more than compiling a rule.
        Cel cel = environments.computeIfAbsent(CelValues.typeOf(schema), Rule::environment);
        Rule compiled = Rule.compile(rule, cel, location);
        if (compiled.transition()) {
          transitions.add(location + ": " + rule.path("rule").asText());
        } else {
          rules.add(compiled);
        }
      }
      Map<String, Node> properties = new LinkedHashMap<>();
      schema
          .path("properties")
          .fields()
          .forEachRemaining(
              p -> {
                Node child = of(p.getValue(), location + "." + p.getKey(), environments);
                if (child != null) {
                  properties.put(p.getKey(), child);
                }
              });
      Node items =
          schema.has("items") ? of(schema.get("items"), location + "[]", environments) : null;
      Node additional =
          schema.path("additionalProperties").isObject()
              ? of(schema.get("additionalProperties"), location + "[*]", environments)
              : null;
      if (rules.isEmpty()
          && transitions.isEmpty()
          && properties.isEmpty()
          && items == null
          && additional == null) {
        return null;
      }
      return new Node(schema, rules, transitions, properties, items, additional);
    }

    void check(JsonNode value, String path, List<String> problems) {
      if (value == null || value.isNull() || schema == null) {
        return;
      }
      if (!rules.isEmpty()) {
        Object self = CelValues.of(value, schema);
        for (Rule rule : rules) {
          rule.check(self, path).ifPresent(problems::add);
        }
      }
      properties.forEach(
          (name, child) -> child.check(value.get(name), path + "." + name, problems));
      if (items != null && value.isArray()) {
        for (int i = 0; i < value.size(); i++) {
          items.check(value.get(i), path + "[" + i + "]", problems);
        }
      }
      if (additional != null && value.isObject()) {
        value
            .fields()
            .forEachRemaining(
                f -> additional.check(f.getValue(), path + "[" + f.getKey() + "]", problems));
      }
    }

    void collectTransitions(List<String> into) {
      into.addAll(transitions);
      properties.values().forEach(child -> child.collectTransitions(into));
      if (items != null) {
        items.collectTransitions(into);
      }
      if (additional != null) {
        additional.collectTransitions(into);
      }
    }
  }

  /** One compiled rule. */
  private record Rule(
      String expression,
      CelRuntime.Program program,
      CelRuntime.Program messageProgram,
      String message,
      String fieldPath,
      boolean transition) {

    static Rule compile(JsonNode rule, Cel cel, String location) {
      String expression = rule.path("rule").asText();
      CelAbstractSyntaxTree ast = compile(cel, expression, location);
      boolean transition = readsOldSelf(ast);
      CelRuntime.Program messageProgram = null;
      if (rule.hasNonNull("messageExpression") && !transition) {
        messageProgram =
            program(cel, compile(cel, rule.get("messageExpression").asText(), location));
      }
      return new Rule(
          expression,
          transition ? null : program(cel, ast),
          messageProgram,
          rule.hasNonNull("message") ? rule.get("message").asText() : null,
          rule.path("fieldPath").asText(""),
          transition);
    }

    Optional<String> check(Object self, String path) {
      String at = path + fieldPathSuffix();
      Object result;
      try {
        result = program.eval(Map.of(SELF, self));
      } catch (CelEvaluationException e) {
        // As the API server reports a rule that errors: the error and the rule.
        return Optional.of(
            at + ": " + firstLine(e.getMessage()) + " evaluating rule: " + expression);
      }
      if (Boolean.TRUE.equals(result)) {
        return Optional.empty();
      }
      return Optional.of(at + ": " + message(self));
    }

    private String message(Object self) {
      if (messageProgram != null) {
        try {
          Object text = messageProgram.eval(Map.of(SELF, self));
          if (text instanceof String s && !s.isBlank()) {
            return s;
          }
        } catch (CelEvaluationException e) {
          // The API server falls back to the static message too.
        }
      }
      return message != null ? message : "failed rule: " + expression;
    }

    /** {@code .a.b} or {@code ['a']} relative to the rule's node, as a dotted suffix. */
    private String fieldPathSuffix() {
      return fieldPath.replaceAll("\\['([^']*)'\\]", ".$1");
    }

    private static Cel environment(CelType selfType) {
      return CelFactory.standardCelBuilder()
          .setOptions(
              CelOptions.current()
                  // Kubernetes compares int and double as numbers (1 > 0.5 is true).
                  .enableHeterogeneousNumericComparisons(true)
                  .build())
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addCompilerLibraries(CelExtensions.strings())
          .addRuntimeLibraries(CelExtensions.strings())
          .addVar(SELF, selfType)
          // Declared so transition rules compile and can be recognised; never bound.
          .addVar(OLD_SELF, selfType)
          .build();
    }

    private static CelAbstractSyntaxTree compile(Cel cel, String expression, String location) {
      try {
        return cel.compile(expression).getAst();
      } catch (CelValidationException e) {
        throw new IllegalStateException(
            "CRD rule at spec"
                + location
                + " does not compile: "
                + expression
                + ": "
                + firstLine(e.getMessage()),
            e);
      }
    }

    private static CelRuntime.Program program(Cel cel, CelAbstractSyntaxTree ast) {
      try {
        return cel.createProgram(ast);
      } catch (CelEvaluationException e) {
        throw new IllegalStateException("CRD rule cannot be planned: " + e.getMessage(), e);
      }
    }

    private static boolean readsOldSelf(CelAbstractSyntaxTree ast) {
      return CelNavigableAst.fromAst(ast)
          .getRoot()
          .allNodes()
          .anyMatch(
              n ->
                  n.expr().getKind() == CelExpr.ExprKind.Kind.IDENT
                      && n.expr().ident().name().equals(OLD_SELF));
    }

    private static String firstLine(String message) {
      String m = message == null ? "" : message.strip();
      int nl = m.indexOf('\n');
      return nl > 0 ? m.substring(0, nl) : m;
    }
  }
}
