namespace ModelGen;

/// <summary>
/// A fully connected layer <c>y = activation(x W^T + b)</c>, declared on a <c>partial</c> property of type
/// <see cref="DenseLayer"/>. Weights load from <c>{Name}.weight</c> [out, in] and <c>{Name}.bias</c> [out], PyTorch's
/// <c>nn.Linear</c> layout.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Creates a dense layer of <paramref name="inFeatures"/> inputs and <paramref name="outFeatures"/> outputs.</summary>
    public DenseAttribute(int inFeatures, int outFeatures)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
    }

    /// <summary>Input width (PyTorch's <c>in_features</c>).</summary>
    public int InFeatures { get; }

    /// <summary>Output width (PyTorch's <c>out_features</c>).</summary>
    public int OutFeatures { get; }

    /// <summary>Fused activation. Default <see cref="ModelGen.Activation.None"/>.</summary>
    public Activation Activation { get; set; }

    /// <summary>Whether the layer has a bias vector. Default true.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Weight storage precision. Default <see cref="ModelGen.Precision.Float32"/>.</summary>
    public Precision Precision { get; set; }

    /// <summary>Tensor name prefix in the weight file. Default: the property name in snake_case (<c>FcA</c> -> <c>fc_a</c>).</summary>
    public string? Name { get; set; }
}
