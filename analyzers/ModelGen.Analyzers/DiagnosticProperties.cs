namespace ModelGen.Analyzers;

/// <summary>Keys of the properties diagnostics carry for their code fixes.</summary>
internal static class DiagnosticProperties
{
    /// <summary>MG0001: the previous layer's output width, which the flagged InFeatures should be.</summary>
    public const string ExpectedInFeatures = "ExpectedInFeatures";

    /// <summary>MG0004: the largest MaxBatch whose plan fits the budget (0: none).</summary>
    public const string LargestFittingBatch = "LargestFittingBatch";

    /// <summary>MG0004: the property name of the layer holding the most bytes.</summary>
    public const string LargestLayer = "LargestLayer";

    /// <summary>MG0004: a smaller precision for that layer (absent when it is already Int8).</summary>
    public const string LowerPrecision = "LowerPrecision";

    /// <summary>MG0006: how the instance is lost, one of <see cref="Analyzers.UndisposedKind"/>.</summary>
    public const string UndisposedKind = "UndisposedKind";

    /// <summary>MG0006: the field that holds the instance (kind <see cref="Analyzers.UndisposedKind.Field"/>).</summary>
    public const string UndisposedField = "UndisposedField";

    /// <summary>MG0007: "true" when the creation uses nothing that changes between iterations, so it can move before the loop.</summary>
    public const string Hoistable = "Hoistable";

    /// <summary>MG0007: "true" when the loop writes into the array, so a hoisted array must be cleared where it was created.</summary>
    public const string ClearAfterHoist = "ClearAfterHoist";
}
