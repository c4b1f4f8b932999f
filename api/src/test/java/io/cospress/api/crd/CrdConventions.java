package io.cospress.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What the generated CRD needs beyond what Fabric8's generator derives from the model.
 *
 * <ul>
 *   <li><b>Printer columns in the order the model declares them.</b> The generator sorts them by
 *       JSON path; kubectl users expect state first and AGE last, so the order of the {@link
 *       AdditionalPrinterColumn} annotations on the resource class is restored.
 *   <li><b>Object defaults as {@code {}}.</b> For {@code @Default("{}")} the generator writes the
 *       Java object's serialised initialisers. The API server applies a field's default and then
 *       its children's, so {@code {}} gives the same object while every value is declared once, at
 *       its field. The collapse is checked: a default that differs from what its children's
 *       defaults give (a Java initialiser disagreeing with an annotation) fails the build.
 *   <li><b>A status from the start.</b> {@code status} defaults to {@code {}}, so a run the
 *       operator has not seen yet reads back with {@code status.observedGeneration: 0} (that
 *       field's default) and kstatus reports it InProgress, not Current.
 * </ul>
 */
public final class CrdConventions implements CRDPostProcessor {

  private static final Comparator<JsonNode> NUMBERS_BY_VALUE =
      (a, b) ->
          a.isNumber() && b.isNumber()
              ? Double.compare(a.doubleValue(), b.doubleValue())
              : a.equals(b) ? 0 : 1;

  private final List<String> columnOrder;

  public CrdConventions(Class<? extends HasMetadata> resource) {
    this.columnOrder =
        Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
  }

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    if (!(crd instanceof CustomResourceDefinition definition)) {
      throw new IllegalArgumentException("only apiextensions/v1 CRDs are generated, got " + crd);
    }
    for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
      orderColumns(version);
      JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
      collapseObjectDefaults(root, "");
      JSONSchemaProps status = root.getProperties().get("status");
      if (status != null) {
        status.setDefault(JsonNodeFactory.instance.objectNode());
      }
    }
    return crd;
  }

  private void orderColumns(CustomResourceDefinitionVersion version) {
    List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
    for (CustomResourceColumnDefinition column : columns) {
      if (!columnOrder.contains(column.getName())) {
        throw new IllegalStateException(
            "printer column " + column.getName() + " is not declared on the resource class");
      }
    }
    columns.sort(Comparator.comparingInt(c -> columnOrder.indexOf(c.getName())));
  }

  /** Replaces every object default below {@code schema} by {@code {}}, checking it is the same. */
  static void collapseObjectDefaults(JSONSchemaProps schema, String path) {
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      collapseObjectDefaults(schema.getItems().getSchema(), path + "[]");
    }
    if (schema.getProperties() == null) {
      return;
    }
    for (Map.Entry<String, JSONSchemaProps> property : schema.getProperties().entrySet()) {
      String field = path.isEmpty() ? property.getKey() : path + "." + property.getKey();
      JSONSchemaProps child = property.getValue();
      collapseObjectDefaults(child, field);
      JsonNode declared = child.getDefault();
      if (declared != null && declared.isObject() && !declared.isEmpty()) {
        JsonNode fromChildren = withDefaults(JsonNodeFactory.instance.objectNode(), child);
        if (!declared.equals(NUMBERS_BY_VALUE, fromChildren)) {
          throw new IllegalStateException(
              field
                  + ": the default "
                  + declared
                  + " differs from what the defaults of its fields give, "
                  + fromChildren
                  + ": a Java initialiser and a @Default annotation disagree");
        }
        child.setDefault(JsonNodeFactory.instance.objectNode());
      }
    }
  }

  /** {@code value} with the defaults the API server would add, top-down as it does. */
  static ObjectNode withDefaults(ObjectNode value, JSONSchemaProps schema) {
    if (schema.getProperties() == null) {
      return value;
    }
    for (Map.Entry<String, JSONSchemaProps> property : schema.getProperties().entrySet()) {
      JSONSchemaProps child = property.getValue();
      if (!value.has(property.getKey()) && child.getDefault() != null) {
        value.set(property.getKey(), child.getDefault().deepCopy());
      }
      if (value.get(property.getKey()) instanceof ObjectNode nested) {
        withDefaults(nested, child);
      }
    }
    return value;
  }
}
