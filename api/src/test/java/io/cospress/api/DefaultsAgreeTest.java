package io.cospress.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cospress.api.v1alpha1.DistillationRunSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every spec default is declared in the CRD ({@code @Default}, which the API server applies) and,
 * for local runs without an API server, as a Java field initialiser that the trainer still relies
 * on. Until the trainer applies the CRD's defaults itself, the two must agree field by field.
 */
class DefaultsAgreeTest {

  private static final ObjectMapper JSON = Serialization.jsonMapper();
  private static final String MODEL_PACKAGE = DistillationRunSpec.class.getPackageName();

  /** A field whose default lives in both places. */
  record Duplicated(String path, JsonNode value) {}

  @Test
  void everyJavaInitialiserIsTheSchemaDefaultOfItsField() throws Exception {
    List<String> disagreements = new ArrayList<>();
    List<Duplicated> duplicated = new ArrayList<>();

    walk(DistillationRunSpec.class, "spec", disagreements, duplicated);

    assertThat(disagreements).isEmpty();
    // The report lists the duplication the trainer's own defaulting will remove.
    duplicated.forEach(
        d -> System.out.println("default in CRD and Java: " + d.path() + " = " + d.value()));
    assertThat(duplicated)
        .extracting(Duplicated::path)
        .contains(
            "spec.training.temperatures",
            "spec.training.optimizer",
            "spec.training.optimizer.learningRate",
            "spec.dataset.augmentation",
            "spec.dataset.augmentation.enabled",
            "spec.maxRestarts");
  }

  private static void walk(
      Class<?> type, String path, List<String> disagreements, List<Duplicated> duplicated)
      throws Exception {
    Object instance = type.getDeclaredConstructor().newInstance();
    for (Field field : type.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      field.setAccessible(true);
      String fieldPath = path + "." + field.getName();
      Object initial = field.get(instance);
      Default declared = field.getAnnotation(Default.class);
      if (declared == null && initial != null) {
        disagreements.add(fieldPath + " has a Java initialiser but no @Default: " + initial);
      } else if (declared != null && initial == null) {
        disagreements.add(fieldPath + " has @Default(" + declared.value() + ") but no initialiser");
      } else if (declared != null) {
        JsonNode fromJava = JSON.valueToTree(initial);
        // As the CRD generator reads it: YAML or JSON, as the field's class.
        JsonNode fromSchema =
            JSON.valueToTree(Serialization.unmarshal(declared.value(), field.getType()));
        if (!fromJava.equals(fromSchema)) {
          disagreements.add(fieldPath + ": Java " + fromJava + " but @Default " + fromSchema);
        }
        duplicated.add(new Duplicated(fieldPath, fromJava));
      }
      Class<?> nested = modelClass(field.getGenericType());
      if (nested != null && !nested.isEnum()) {
        walk(nested, fieldPath, disagreements, duplicated);
      }
    }
  }

  /** The model class a field holds, directly or as the element of a list, or null. */
  private static Class<?> modelClass(Type type) {
    if (type instanceof Class<?> cls) {
      return cls.getPackageName().equals(MODEL_PACKAGE) ? cls : null;
    }
    if (type instanceof ParameterizedType parameterized) {
      for (Type argument : parameterized.getActualTypeArguments()) {
        Class<?> found = modelClass(argument);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
