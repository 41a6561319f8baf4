namespace ModelGen.Generators.Model;

/// <summary>Build-time mirror of the runtime's <c>ModelGen.Activation</c> (same names and values; a test keeps them equal).</summary>
internal enum LayerActivation
{
    /// <summary>Identity.</summary>
    None = 0,
    /// <summary>max(x, 0).</summary>
    Relu = 1,
    /// <summary>min(max(x, 0), 6).</summary>
    Relu6 = 2,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid = 3,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 4,
    /// <summary>Exact GELU.</summary>
    Gelu = 5,
}
