package io.cospress.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cospress.trainer.loss.LossProbe;
import io.cospress.trainer.loss.LossValues;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints the four CosPress terms and the total for an input file in the fixture format. */
@Command(
    name = "loss",
    mixinStandardHelpOptions = true,
    description = {
      "Compute the CosPress terms for FILE.npz (arrays teacher, student, ln_weight, ln_bias,",
      "linear_weight, linear_bias, temperatures; float32, finite; all weights 1) and print them",
      "as JSON. Malformed input exits with code 2."
    })
final class LossCommand implements Callable<Integer> {

  @Parameters(paramLabel = "FILE.npz", description = "Input arrays in the loss-fixture format.")
  Path file;

  @Override
  public Integer call() throws Exception {
    LossValues terms = LossProbe.evaluate(file).terms();
    Map<String, Double> json = new LinkedHashMap<>();
    json.put("local", terms.local());
    json.put("global", terms.global());
    json.put("feature", terms.feature());
    json.put("token", terms.token());
    json.put("total", terms.total());
    System.out.println(
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
    return 0;
  }
}
