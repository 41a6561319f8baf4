namespace ModelGen;

/// <summary>
/// Compile-time description of one dense layer of a generated model: its shape, precision and where its packed
/// tensors live in the model's weight block. Instances are created by generated code.
/// </summary>
public sealed class DenseLayer
{
    /// <summary>Used by generated code; offsets are byte offsets into the weight block, -1 when absent.</summary>
    public DenseLayer(string name, int inFeatures, int outFeatures, Precision precision, Activation activation,
        int weightOffset, int scaleOffset, int biasOffset)
    {
        Name = name;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Precision = precision;
        Activation = activation;
        WeightOffset = weightOffset;
        ScaleOffset = scaleOffset;
        BiasOffset = biasOffset;
    }

    /// <summary>Tensor name prefix (<c>{Name}.weight</c>, <c>{Name}.bias</c>).</summary>
    public string Name { get; }
    /// <summary>Input width.</summary>
    public int InFeatures { get; }
    /// <summary>Output width.</summary>
    public int OutFeatures { get; }
    /// <summary>Weight storage precision.</summary>
    public Precision Precision { get; }
    /// <summary>Fused activation.</summary>
    public Activation Activation { get; }
    /// <summary>Whether the layer has a bias.</summary>
    public bool HasBias => BiasOffset >= 0;
    /// <summary>Byte offset of the packed weights ([out, in], row-major) in the weight block.</summary>
    public int WeightOffset { get; }
    /// <summary>Byte offset of the per-output-channel fp32 scales (Int8 only), else -1.</summary>
    public int ScaleOffset { get; }
    /// <summary>Byte offset of the fp32 bias, else -1.</summary>
    public int BiasOffset { get; }

    /// <summary>Bytes of the packed weight matrix alone.</summary>
    public long WeightMatrixBytes => DenseLayout.WeightMatrixBytes(InFeatures, OutFeatures, Precision);
    /// <summary>Bytes this layer holds at its precision: weights, scales and bias.</summary>
    public long Bytes => DenseLayout.LayerBytes(InFeatures, OutFeatures, Precision, HasBias);
    /// <summary>Bytes the same layer would hold in fp32.</summary>
    public long Float32Bytes => DenseLayout.LayerBytes(InFeatures, OutFeatures, Precision.Float32, HasBias);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: Dense({InFeatures} -> {OutFeatures}, {Activation}) {Precision}, {Bytes:N0} bytes";
}
