package io.cospress.trainer.config;

/** How often the student is evaluated against the teacher, and the kNN monitor's settings. */
public record EvaluationConfig(
    int intervalEpochs, int knnK, double knnTemperature, int bankSize, int similaritySampleSize) {}
