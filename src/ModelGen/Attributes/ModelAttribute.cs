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

    /// <summary>
    /// Storage of the intermediate activations between layers: <see cref="Precision.Float32"/> (default),
    /// <see cref="Precision.BFloat16"/> or <see cref="Precision.Float16"/>. 16-bit storage halves the activation
    /// buffers; each layer then runs on chunks of 8 rows, widened to fp32 for the kernel (fp32 accumulation) and narrowed
    /// again (round to nearest even) for the next layer. Float16 overflows to infinity above 65,504; BFloat16 keeps the
    /// fp32 range with 8 bits of precision.
    /// </summary>
    public Precision ActivationPrecision { get; set; }

    /// <summary>
    /// Shape of one input sample, PyTorch's order without the batch: <c>new[] { 1, 28, 28 }</c> for NCHW images,
    /// <c>new[] { 784 }</c> for vectors. Setting it makes the model a graph model: its layers may be any of the layer
    /// attributes (<see cref="Conv2dAttribute"/>, <see cref="AddAttribute"/>, ...), typed <see cref="GraphLayer"/>,
    /// and shapes are inferred through the graph at build time. Null (default) for a chain of <see cref="DenseAttribute"/> layers.
    /// </summary>
    public int[]? InputShape { get; set; }

    /// <summary>
    /// Graph models: weight precision of the <see cref="DenseAttribute"/> and <see cref="Conv2dAttribute"/> layers that
    /// do not set their own (Float32, Float16, BFloat16 or Int8), so one architecture, with its blocks, serves several
    /// precisions. Default Float32.
    /// </summary>
    public Precision WeightPrecision { get; set; }

    /// <summary>Apply a row-wise softmax to the last layer's output.</summary>
    public bool Softmax { get; set; }
}
