package io.cospress.trainer.report;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where training stands and how fast it goes: the {@code progress} of a report, with the field
 * names and meaning of the run's {@code status.progress}.
 *
 * @param epochs completed over total epochs, e.g. "3/10"
 * @param etaSeconds estimated seconds until the run finishes, or null before the first step
 * @param imagesPerSecond throughput over the last steps, or null before the first step
 * @param lastUpdateTime when this report was made (RFC 3339)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProgressReport(
    String epochs,
    Integer epoch,
    Integer totalEpochs,
    Long step,
    Long totalSteps,
    Double fraction,
    Double imagesPerSecond,
    Double learningRate,
    Long etaSeconds,
    String lastUpdateTime) {}
