package io.cospress.api;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Every spec default is declared once, at its field ({@code @Default}, which the CRD generator
 * writes into the schema): the API server applies it to stored runs, the trainer applies the same
 * schema to local manifests, and no Java field initialiser holds a second copy that could drift or
 * hide a missing default.
 */
class DefaultsDeclaredOnceTest {

  private static final String MODEL_PACKAGE = DistillationRunSpec.class.getPackageName();

  /** One field of the spec model, with the value a fresh instance holds. */
  record SpecField(String path, Field field, Object initial) {}

  @Test
  void noSpecFieldHasAJavaInitialiser() throws Exception {
    List<SpecField> fields = specFields();

    assertThat(fields)
        .filteredOn(f -> f.initial() != null)
        .extracting(f -> f.path() + " = " + f.initial())
        .isEmpty();
    assertThat(fields)
        .filteredOn(f -> f.field().isAnnotationPresent(Default.class))
        .extracting(SpecField::path)
        .contains(
            "spec.training",
            "spec.training.temperatures",
            "spec.training.optimizer.learningRate",
            "spec.dataset.augmentation.enabled",
            "spec.maxRestarts");
  }

  @Test
  void everyDefaultReadsAsItsFieldsType() throws Exception {
    List<String> unreadable = new ArrayList<>();
    for (SpecField f : specFields()) {
      Default declared = f.field().getAnnotation(Default.class);
      if (declared == null) {
        continue;
      }
      try {
        // As the CRD generator reads it: YAML or JSON, as the field's class.
        if (Serialization.unmarshal(declared.value(), f.field().getType()) == null) {
          unreadable.add(f.path() + ": @Default(" + declared.value() + ") reads as null");
        }
      } catch (RuntimeException e) {
        unreadable.add(f.path() + ": @Default(" + declared.value() + "): " + e.getMessage());
      }
    }
    assertThat(unreadable).isEmpty();
  }

  private static List<SpecField> specFields() throws Exception {
    List<SpecField> fields = new ArrayList<>();
    walk(DistillationRunSpec.class, "spec", fields);
    return fields;
  }

  private static void walk(Class<?> type, String path, List<SpecField> into) throws Exception {
    Object instance = type.getDeclaredConstructor().newInstance();
    for (Field field : type.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      field.setAccessible(true);
      String fieldPath = path + "." + field.getName();
      into.add(new SpecField(fieldPath, field, field.get(instance)));
      Class<?> nested = modelClass(field.getGenericType());
      if (nested != null && !nested.isEnum()) {
        walk(nested, fieldPath, into);
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
