/// Model-independent helpers for feeding GLUE examples to a model: dynamic padding, length-sorted
/// evaluation order. All are pure functions of token-id lists.
public enum GLUEBatching {}
