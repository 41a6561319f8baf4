namespace ModelGen;

/// <summary>
/// Marks a <c>partial</c> class as a ModelGen model. Its <see cref="DenseAttribute"/> properties, in declaration order,
/// form the layer chain; <c>dotnet build</c> generates loading, saving, <c>Forward</c>, <c>Dispose</c> and the memory report.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>Largest batch <c>Forward</c> accepts; the activation block is planned for it. Default 1.</summary>
    public int MaxBatch { get; set; } = 1;

    /// <summary>Optional memory budget for weights plus activations at <see cref="MaxBatch"/>, e.g. <c>"4 MiB"</c>, <c>"512 KB"</c>, <c>"1048576"</c>.</summary>
    public string? MemoryBudget { get; set; }

    /// <summary>Apply a row-wise softmax to the last layer's output.</summary>
    public bool Softmax { get; set; }
}
