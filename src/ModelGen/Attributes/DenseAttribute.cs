namespace ModelGen;

/// <summary>
/// A fully connected layer <c>y = activation(x W^T + b)</c>, declared on a <c>partial</c> property of type
/// <see cref="DenseLayer"/>. Weights load from <c>{Name}.weight</c> [out, in] and <c>{Name}.bias</c> [out], PyTorch's
/// <c>nn.Linear</c> layout.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
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

    /// <summary>
    /// Weights per quantization block along the input dimension for <see cref="Precision.Int4"/> and
    /// <see cref="Precision.Int4Asymmetric"/>: 32, 64 or 128, dividing the input width. Default 32.
    /// </summary>
    public int GroupSize { get; set; } = 32;

    /// <summary>Weight pruning applied at load. Default <see cref="ModelGen.Pruning.None"/>.</summary>
    public Pruning Pruning { get; set; }

    /// <summary>Share of weights <see cref="ModelGen.Pruning.Magnitude"/> removes from each row, in (0, 1).</summary>
    public double Sparsity { get; set; }

    /// <summary>
    /// Whether a <see cref="ModelGen.Pruning.Magnitude"/> layer is stored sparse or dense. Default
    /// <see cref="ModelGen.SparseStorage.Auto"/>: the faster of the two for the layer's shape.
    /// </summary>
    public SparseStorage SparseStorage { get; set; }

    /// <summary>
    /// Structured pruning: keep this many of the <c>outFeatures</c> output neurons (ranked by <see cref="ChannelNorm"/>
    /// at load). The next layer still declares the file's width as its input; its matching input columns are dropped.
    /// 0 (default) keeps all.
    /// </summary>
    public int KeepOutputs { get; set; }

    /// <summary>The norm that ranks neurons for <see cref="KeepOutputs"/>. Default <see cref="ModelGen.ChannelNorm.L2"/>.</summary>
    public ChannelNorm ChannelNorm { get; set; }

    /// <summary>How an <see cref="Precision.Int8"/> layer quantizes its input. Default dynamic (per row).</summary>
    public InputQuantization InputQuantization { get; set; }
}
