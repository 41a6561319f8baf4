namespace ModelGen;

/// <summary>PyTorch's <c>nn.MaxPool2d(kernelSize, stride, padding)</c>; padding counts as minus infinity.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class MaxPool2dAttribute : LayerAttribute
{
    /// <summary>A square <paramref name="kernelSize"/> window.</summary>
    public MaxPool2dAttribute(int kernelSize) => KernelSize = kernelSize;

    /// <summary>Window height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows; 0 (default) means <see cref="KernelSize"/>, as in PyTorch.</summary>
    public int Stride { get; set; }

    /// <summary>Padding on each side. Default 0.</summary>
    public int Padding { get; set; }
}

/// <summary>PyTorch's <c>nn.AvgPool2d(kernelSize, stride, padding)</c> (padding counted in the divisor, PyTorch's default).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class AvgPool2dAttribute : LayerAttribute
{
    /// <summary>A square <paramref name="kernelSize"/> window.</summary>
    public AvgPool2dAttribute(int kernelSize) => KernelSize = kernelSize;

    /// <summary>Window height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows; 0 (default) means <see cref="KernelSize"/>, as in PyTorch.</summary>
    public int Stride { get; set; }

    /// <summary>Padding on each side. Default 0.</summary>
    public int Padding { get; set; }
}

/// <summary>Mean over each channel's whole plane: <c>[C, H, W]</c> to <c>[C, 1, 1]</c> (<c>adaptive_avg_pool2d(x, 1)</c>).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute
{
}
