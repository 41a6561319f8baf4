namespace ModelGen;

/// <summary>Element-wise activation fused into a layer's output.</summary>
public enum Activation
{
    /// <summary>Identity.</summary>
    None = 0,
    /// <summary>max(x, 0).</summary>
    Relu = 1,
    /// <summary>min(max(x, 0), 6).</summary>
    Relu6 = 2,
    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid = 3,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 4,
    /// <summary>Exact GELU: 0.5 x (1 + erf(x / sqrt 2)), as PyTorch's default.</summary>
    Gelu = 5,
}
