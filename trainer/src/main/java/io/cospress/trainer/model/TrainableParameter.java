package io.cospress.trainer.model;

import ai.djl.ndarray.NDArray;

/** A named tensor the optimizer updates in place; the name keys its optimizer state. */
public record TrainableParameter(String name, NDArray array) {}
