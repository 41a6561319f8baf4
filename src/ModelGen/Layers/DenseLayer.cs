using System.Globalization;
using ModelGen.Kernels;

namespace ModelGen;

/// <summary>
/// Compile-time description of one dense layer of a generated model: its shape, precision, pruning and where its
/// packed tensors live in the model's weight block. Instances are created by generated code; the optional scheme
/// properties are set with an object initializer and keep their defaults for plain layers.
/// </summary>
public sealed class DenseLayer
{
    private readonly int _sourceInFeatures;
    private readonly int _sourceOutFeatures;

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
    /// <summary>Input width the layer computes with (after the previous layer's channel pruning).</summary>
    public int InFeatures { get; }
    /// <summary>Output width the layer computes (after its own channel pruning).</summary>
    public int OutFeatures { get; }
    /// <summary>Weight storage precision.</summary>
    public Precision Precision { get; }
    /// <summary>Fused activation.</summary>
    public Activation Activation { get; }
    /// <summary>Whether the layer has a bias.</summary>
    public bool HasBias => BiasOffset >= 0;

    /// <summary>Input width in an unpruned (PyTorch) weight file; differs from <see cref="InFeatures"/> after channel pruning.</summary>
    public int SourceInFeatures { get => _sourceInFeatures == 0 ? InFeatures : _sourceInFeatures; init => _sourceInFeatures = value; }
    /// <summary>Output width in an unpruned weight file; differs from <see cref="OutFeatures"/> when channels are pruned.</summary>
    public int SourceOutFeatures { get => _sourceOutFeatures == 0 ? OutFeatures : _sourceOutFeatures; init => _sourceOutFeatures = value; }
    /// <summary>How output neurons are ranked when <see cref="OutFeatures"/> &lt; <see cref="SourceOutFeatures"/>.</summary>
    public ChannelNorm ChannelNorm { get; init; }
    /// <summary>Int4 block size along the input; 0 for other precisions.</summary>
    public int GroupSize { get; init; }
    /// <summary>Weight pruning applied at load.</summary>
    public Pruning Pruning { get; init; }
    /// <summary>Share of each row <see cref="Pruning.Magnitude"/> removes.</summary>
    public double Sparsity { get; init; }
    /// <summary>Whether a <see cref="Pruning.Magnitude"/> layer is stored sparse (the cost rule found the sparse kernel faster) rather than dense with zeros.</summary>
    public bool StoredSparse { get; init; }
    /// <summary>How an Int8 layer quantizes its input.</summary>
    public InputQuantization InputQuantization { get; init; }

    /// <summary>Byte offset of the weight tensor (dense matrix, packed nibbles, indices or sparse values).</summary>
    public int WeightOffset { get; }
    /// <summary>Byte offset of the weight scales (Int8: fp32 per row; Int4: fp16 per block), else -1.</summary>
    public int ScaleOffset { get; }
    /// <summary>Byte offset of the fp32 bias, else -1.</summary>
    public int BiasOffset { get; }
    /// <summary>Byte offset of the sparse structure (unstructured) or 2:4 metadata, else -1.</summary>
    public int StructureOffset { get; init; } = -1;
    /// <summary>Byte offset of the fp16 block minimums (<see cref="Precision.Int4Asymmetric"/>), else -1.</summary>
    public int MinOffset { get; init; } = -1;
    /// <summary>Byte offset of the fp16 codebook (Codebook precisions), else -1.</summary>
    public int CodebookOffset { get; init; } = -1;
    /// <summary>Byte offset of the fp32 static input scale (<see cref="InputQuantization.Static"/>), else -1.</summary>
    public int InputScaleOffset { get; init; } = -1;

    /// <summary>Weights each row keeps after <see cref="Pruning.Magnitude"/>; <see cref="InFeatures"/> otherwise.</summary>
    public int KeptPerRow => Pruning == Pruning.Magnitude ? SparseLayout.KeptPerRow(InFeatures, Sparsity) : InFeatures;

    /// <summary>Bytes of the weight tensor alone.</summary>
    public long WeightMatrixBytes => DenseLayout.Tensors(this)[0].Bytes;
    /// <summary>Bytes this layer holds: every packed tensor (weights, structure, scales, codebook, bias), no padding.</summary>
    public long Bytes => DenseLayout.Bytes(this);
    /// <summary>Bytes of the unpruned layer in fp32, as the source file holds it.</summary>
    public long Float32Bytes => DenseLayout.LayerBytes(SourceInFeatures, SourceOutFeatures, Precision.Float32, HasBias);

    /// <summary>How the weights are stored, e.g. <c>Int4 g32</c>, <c>Float32 sparse 80%</c>, <c>Int8 2:4</c>, <c>128 of 256 outputs</c>.</summary>
    public string Storage => DenseLayout.DescribeStorage(this);

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}: Dense({InFeatures} -> {OutFeatures}, {Activation}) {Storage}, {Bytes:N0} bytes");
}
