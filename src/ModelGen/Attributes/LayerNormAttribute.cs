namespace ModelGen;

/// <summary>
/// PyTorch's <c>nn.LayerNorm(features)</c> over the last dimension, biased variance:
/// <c>(x - mean) / sqrt(var + eps) * weight + bias</c> from <c>{Name}.weight</c> and <c>{Name}.bias</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>LayerNorm over the last <paramref name="features"/> values.</summary>
    public LayerNormAttribute(int features) => Features = features;

    /// <summary>Width normalized: the input's last dimension.</summary>
    public int Features { get; }

    /// <summary>Added to the variance. Default 1e-5 (PyTorch's default).</summary>
    public double Epsilon { get; set; } = 1e-5;
}
