namespace ModelGen;

/// <summary>
/// Inference BatchNorm over channels, PyTorch's <c>nn.BatchNorm2d</c> in eval mode:
/// <c>(x - running_mean) / sqrt(running_var + eps) * weight + bias</c> from <c>{Name}.weight</c>, <c>.bias</c>,
/// <c>.running_mean</c>, <c>.running_var</c>. Folded into the convolution right before it when that convolution has
/// no other reader; otherwise applied as a per-channel scale and shift.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class BatchNorm2dAttribute : LayerAttribute
{
    /// <summary>BatchNorm over <paramref name="channels"/> channels.</summary>
    public BatchNorm2dAttribute(int channels) => Channels = channels;

    /// <summary>Channels normalized.</summary>
    public int Channels { get; }

    /// <summary>Added to the variance. Default 1e-5 (PyTorch's default).</summary>
    public double Epsilon { get; set; } = 1e-5;
}
