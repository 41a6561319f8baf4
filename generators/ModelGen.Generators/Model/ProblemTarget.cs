namespace ModelGen.Generators.Model;

/// <summary>The piece of source a problem points at; the analyzer turns it into a location.</summary>
internal enum ProblemTargetKind
{
    /// <summary>The model class identifier.</summary>
    ModelIdentifier,
    /// <summary>The whole <c>[Model]</c> attribute.</summary>
    ModelAttribute,
    /// <summary>The <c>MaxBatch = ...</c> argument (the attribute when omitted).</summary>
    MaxBatch,
    /// <summary>The <c>MemoryBudget = ...</c> argument.</summary>
    MemoryBudget,
    /// <summary>The <c>ActivationPrecision = ...</c> argument.</summary>
    ActivationPrecision,
    /// <summary>The <c>WeightPrecision = ...</c> argument.</summary>
    WeightPrecision,
    /// <summary>A layer property's identifier.</summary>
    LayerIdentifier,
    /// <summary>A layer's whole <c>[Dense]</c> attribute.</summary>
    LayerAttribute,
    /// <summary>A layer's first constructor argument.</summary>
    InFeatures,
    /// <summary>A layer's second constructor argument.</summary>
    OutFeatures,
    /// <summary>A layer's <c>Activation = ...</c> argument.</summary>
    Activation,
    /// <summary>A layer's <c>Precision = ...</c> argument.</summary>
    Precision,
    /// <summary>A layer's <c>Name = ...</c> argument.</summary>
    Name,
    /// <summary>A layer's <c>GroupSize = ...</c> argument.</summary>
    GroupSize,
    /// <summary>A layer's <c>Pruning = ...</c> argument.</summary>
    Pruning,
    /// <summary>A layer's <c>Sparsity = ...</c> argument.</summary>
    Sparsity,
    /// <summary>A layer's <c>KeepOutputs = ...</c> argument.</summary>
    KeepOutputs,
    /// <summary>A layer's <c>ChannelNorm = ...</c> argument.</summary>
    ChannelNorm,
    /// <summary>A layer's <c>InputQuantization = ...</c> argument.</summary>
    InputQuantization,
    /// <summary>A layer's <c>SparseStorage = ...</c> argument.</summary>
    SparseStorage,
    /// <summary>The <c>InputShape = ...</c> argument of a graph model.</summary>
    InputShape,
    /// <summary>A graph layer's <c>Input = ...</c> argument.</summary>
    Input,
    /// <summary>An Add layer's residual (its constructor argument).</summary>
    Residual,
    /// <summary>A convolution's or pool's kernel size argument.</summary>
    KernelSize,
    /// <summary>A graph layer's <c>Stride = ...</c> argument.</summary>
    Stride,
    /// <summary>A graph layer's <c>Padding = ...</c> argument.</summary>
    Padding,
    /// <summary>A convolution's <c>Dilation = ...</c> argument.</summary>
    Dilation,
    /// <summary>A convolution's <c>Groups = ...</c> argument.</summary>
    Groups,
    /// <summary>A normalization layer's <c>Epsilon = ...</c> argument.</summary>
    Epsilon,
}

/// <summary>Where a problem points: a kind of target and, for layer targets, the layer's index.</summary>
/// <param name="Kind">What the problem points at.</param>
/// <param name="LayerIndex">Index into <see cref="ModelSpec.Layers"/> (<see cref="ModelSpec.GraphLayers"/> when <paramref name="InGraph"/>); -1 for model targets.</param>
/// <param name="InGraph">Whether the index is into the graph layers.</param>
internal readonly record struct ProblemTarget(ProblemTargetKind Kind, int LayerIndex, bool InGraph = false)
{
    /// <summary>A target on graph layer <paramref name="index"/>.</summary>
    public static ProblemTarget GraphLayer(ProblemTargetKind kind, int index) => new(kind, index, true);

    /// <summary>A target on the class or its <c>[Model]</c> attribute.</summary>
    public static ProblemTarget Model(ProblemTargetKind kind) => new(kind, -1);

    /// <summary>A target on layer <paramref name="index"/>.</summary>
    public static ProblemTarget Layer(ProblemTargetKind kind, int index) => new(kind, index);
}
