namespace ModelGen.Generators.Model;

/// <summary>One <c>[Dense]</c> property: how it is declared and the attribute's arguments.</summary>
/// <param name="Property">The property declaration.</param>
/// <param name="IsBound">False when the compiler could not bind the attribute; the values below are then defaults.</param>
/// <param name="InFeatures">Input width.</param>
/// <param name="OutFeatures">Output width.</param>
/// <param name="Activation">Fused activation, possibly an undefined value cast from an integer.</param>
/// <param name="Precision">Weight precision, possibly an undefined value cast from an integer.</param>
/// <param name="Bias">Whether the layer has a bias.</param>
/// <param name="Name">The explicit tensor name, or null to derive it from the property name.</param>
/// <param name="Scheme">Quantization and pruning options beyond the precision.</param>
internal sealed record DenseSpec(
    LayerPropertySpec Property,
    bool IsBound,
    int InFeatures,
    int OutFeatures,
    LayerActivation Activation,
    LayerPrecision Precision,
    bool Bias,
    string? Name,
    LayerScheme Scheme)
{
    /// <summary>Output width the layer computes: <see cref="LayerScheme.KeepOutputs"/> when it prunes channels.</summary>
    public int KeptOutFeatures => Scheme.KeepOutputs > 0 ? Scheme.KeepOutputs : OutFeatures;

    /// <summary>The tensor name prefix in weight files: <see cref="Name"/>, or the property name in snake_case.</summary>
    public string TensorName => Name ?? TensorNames.FromPropertyName(Property.Name);
}
