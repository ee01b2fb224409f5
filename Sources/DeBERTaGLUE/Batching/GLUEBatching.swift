/// Model-independent helpers for feeding GLUE examples to a model: the length-sorted evaluation
/// order and its batches. All are pure functions of token-id lists.
public enum GLUEBatching {}
