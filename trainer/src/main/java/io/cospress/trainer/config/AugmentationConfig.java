package io.cospress.trainer.config;

/** Training-time augmentations; evaluation never augments. */
public record AugmentationConfig(
    boolean enabled, double cropScaleMin, boolean horizontalFlip, double colorJitter) {}
