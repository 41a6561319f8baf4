namespace ModelGen.Generators.Model;

/// <summary>The arguments of <c>[Model]</c>, with the runtime attribute's defaults where an argument is omitted.</summary>
/// <param name="IsBound">False when the compiler could not bind the attribute; the other values are then defaults.</param>
/// <param name="MaxBatch">Largest batch <c>Forward</c> accepts.</param>
/// <param name="MemoryBudget">The budget text as written (<c>"4 MiB"</c>), or null when not set.</param>
/// <param name="Softmax">Whether a row-wise softmax follows the last layer.</param>
/// <param name="ActivationPrecision">Storage of intermediate activations, possibly an undefined value.</param>
/// <param name="WeightPrecision">Graph models: the precision of weighted layers that set none, possibly an undefined value.</param>
/// <param name="InputShape">A graph model's per-sample input shape as written; null for a Dense chain.</param>
internal sealed record ModelOptionsSpec(bool IsBound, int MaxBatch, string? MemoryBudget, bool Softmax,
    LayerPrecision ActivationPrecision = LayerPrecision.Float32, EquatableArray<int>? InputShape = null,
    LayerPrecision WeightPrecision = LayerPrecision.Float32)
{
    /// <summary>Whether intermediate activations are stored in 16 bits (each layer then runs in chunks of rows).</summary>
    public bool HasHalfActivations => ActivationPrecision is LayerPrecision.Float16 or LayerPrecision.BFloat16;

    /// <summary>The runtime's <c>ModelAttribute.MaxBatch</c> default.</summary>
    public const int DefaultMaxBatch = 1;
}
