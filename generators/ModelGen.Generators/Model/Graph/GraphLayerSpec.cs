namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// One layer property of a graph model (or a graph layer attribute found on a Dense-chain model, which is an error):
/// how it is declared and its layer attribute's arguments, with the runtime attributes' defaults where omitted.
/// </summary>
/// <param name="Property">The property declaration.</param>
/// <param name="IsBound">False when the compiler could not bind the attribute; the values below are then defaults.</param>
/// <param name="AttributeCount">How many layer attributes the property carries (exactly one is valid).</param>
/// <param name="Kind">What the layer computes.</param>
/// <param name="AttributeName">The attribute as written in messages (<c>Conv2d</c>, <c>Relu</c>).</param>
/// <param name="Name">The explicit tensor name, or null to derive it from the property name.</param>
/// <param name="Input">The <c>Input</c> argument: a property name, <c>"input"</c>, or null for the previous layer.</param>
/// <param name="Residual">An Add's residual: a property name or <c>"input"</c>; null for other kinds.</param>
/// <param name="In">Input channels (Conv2d), features (Dense, LayerNorm) or channels (BatchNorm2d).</param>
/// <param name="Out">Output channels (Conv2d) or features (Dense).</param>
/// <param name="KernelSize">Conv2d or pooling window size.</param>
/// <param name="Stride">Conv2d or pooling stride (0 on a pool: the kernel size).</param>
/// <param name="Padding">Conv2d or pooling padding.</param>
/// <param name="Dilation">Conv2d dilation.</param>
/// <param name="Groups">Conv2d groups.</param>
/// <param name="Bias">Whether a Dense or Conv2d layer has its own bias.</param>
/// <param name="Activation">The fused activation (Dense, Conv2d, Add) or the function of an activation layer.</param>
/// <param name="Precision">Weight precision of Dense and Conv2d layers.</param>
/// <param name="Epsilon">BatchNorm2d or LayerNorm epsilon.</param>
/// <param name="DenseSchemeOption">The first Dense quantization or pruning option set (<c>GroupSize</c>, ...), which graph models do not support; null when none.</param>
/// <param name="InputQuantization">How an Int8 Dense or Conv2d layer quantizes its input (possibly undefined); Dynamic for other kinds.</param>
internal sealed record GraphLayerSpec(
    LayerPropertySpec Property,
    bool IsBound,
    int AttributeCount,
    GraphLayerKind Kind,
    string AttributeName,
    string? Name,
    string? Input,
    string? Residual,
    int In,
    int Out,
    int KernelSize,
    int Stride,
    int Padding,
    int Dilation,
    int Groups,
    bool Bias,
    LayerActivation Activation,
    LayerPrecision Precision,
    double Epsilon,
    string? DenseSchemeOption,
    LayerInputQuantization InputQuantization = LayerInputQuantization.Dynamic)
{
    /// <summary>The name of the model input in <c>Input</c> and <c>Residual</c>.</summary>
    public const string ModelInputName = "input";

    /// <summary>The tensor name prefix in weight files: <see cref="Name"/>, or the property name in snake_case.</summary>
    public string TensorName => Name ?? TensorNames.FromPropertyName(Property.Name);

    /// <summary>Whether the layer is a view of its input (Flatten, Dropout): it never runs.</summary>
    public bool IsView => Kind is GraphLayerKind.Flatten or GraphLayerKind.Dropout;

    /// <summary>Whether the layer has weights of its own precision (Dense, Conv2d).</summary>
    public bool HasWeightPrecision => Kind is GraphLayerKind.Dense or GraphLayerKind.Conv2d;

    /// <summary>Whether the layer quantizes its input with a calibrated scale (the validator ensures Int8 weights).</summary>
    public bool HasStaticInput => HasWeightPrecision && InputQuantization == LayerInputQuantization.Static;

    /// <summary>A pool's stride in effect: <see cref="Stride"/>, or the kernel size when 0.</summary>
    public int EffectiveStride => Stride == 0 && Kind is GraphLayerKind.MaxPool2d or GraphLayerKind.AvgPool2d ? KernelSize : Stride;
}
