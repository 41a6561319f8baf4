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
}

/// <summary>Where a problem points: a kind of target and, for layer targets, the layer's index.</summary>
/// <param name="Kind">What the problem points at.</param>
/// <param name="LayerIndex">Index into <see cref="ModelSpec.Layers"/>; -1 for model targets.</param>
internal readonly record struct ProblemTarget(ProblemTargetKind Kind, int LayerIndex)
{
    /// <summary>A target on the class or its <c>[Model]</c> attribute.</summary>
    public static ProblemTarget Model(ProblemTargetKind kind) => new(kind, -1);

    /// <summary>A target on layer <paramref name="index"/>.</summary>
    public static ProblemTarget Layer(ProblemTargetKind kind, int index) => new(kind, index);
}
