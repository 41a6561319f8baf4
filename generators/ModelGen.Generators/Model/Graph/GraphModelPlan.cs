namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// A graph model's build-time plan: the runtime's <c>GraphLayer</c> entries as values, the weight block, the activation
/// block (fixed scratch region plus a per-sample batch region) and the memory report lines.
/// </summary>
/// <param name="InputShape">One input sample's shape.</param>
/// <param name="OutputShape">One output sample's shape (the last layer's).</param>
/// <param name="Layers">One entry per declared layer, in declaration order.</param>
/// <param name="Memory">One memory report line per layer that owns weights.</param>
/// <param name="WeightBlockBytes">The native weight block, padding included (at least one alignment unit).</param>
/// <param name="WeightBytes">All weights, scales and biases at their precisions, without padding.</param>
/// <param name="Float32WeightBytes">The same tensors in fp32.</param>
/// <param name="FixedScratchBytes">The batch-independent region: the largest convolution scratch.</param>
/// <param name="PeakBytesPerSample">The planned batch region per sample.</param>
/// <param name="NaiveBytesPerSample">The batch region per sample if every tensor had its own space.</param>
/// <param name="LowerBoundBytesPerSample">The largest sum of tensors alive at the same step, per sample.</param>
/// <param name="MaxBatch">The batch the activation block is planned for.</param>
/// <param name="Tensors">What the activation planner was asked to place.</param>
internal sealed record GraphModelPlan(
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    EquatableArray<GraphLayerPlan> Layers,
    EquatableArray<GraphLayerMemory> Memory,
    long WeightBlockBytes,
    long WeightBytes,
    long Float32WeightBytes,
    long FixedScratchBytes,
    long PeakBytesPerSample,
    long NaiveBytesPerSample,
    long LowerBoundBytesPerSample,
    int MaxBatch,
    EquatableArray<TensorLifetime> Tensors)
{
    /// <summary>The activation block at <see cref="MaxBatch"/>: fixed scratch plus the peak per sample times the batch.</summary>
    public long ActivationBlockBytes => FixedScratchBytes + (PeakBytesPerSample * MaxBatch);
}

/// <summary>One memory report line: a layer that owns weights.</summary>
internal sealed record GraphLayerMemory(string Name, LayerPrecision Precision, long Bytes, long Float32Bytes, string Storage);

/// <summary>
/// One runtime <c>GraphLayer</c> as plain values; the emitter writes each as an object initializer that sets the
/// properties differing from their defaults. Offsets use the runtime's markers (-1 model input, -2 model output, -3 none).
/// </summary>
internal sealed record GraphLayerPlan
{
    public const long ModelInput = -1;
    public const long ModelOutput = -2;
    public const long None = -3;

    public int Index { get; init; }
    public string Name { get; init; } = "";
    public GraphLayerKind Kind { get; init; }
    public LayerPrecision Precision { get; init; }
    public LayerActivation Activation { get; init; }
    public LayerInputQuantization InputQuantization { get; init; }
    public EquatableArray<int> InputShape { get; init; }
    public EquatableArray<int> OutputShape { get; init; }

    /// <summary>The 13 <c>Conv2dShape</c> constructor arguments, or empty for no window.</summary>
    public EquatableArray<int> Window { get; init; }

    public double Epsilon { get; init; }
    public bool HasBias { get; init; }
    public string? FoldedBatchNorm { get; init; }
    public int ExecutedBy { get; init; } = -1;
    public int Source { get; init; } = -1;
    public int Source2 { get; init; } = -2;
    public long InputOffset { get; init; } = None;
    public long Input2Offset { get; init; } = None;
    public long OutputOffset { get; init; } = None;
    public long RowScratchOffset { get; init; } = None;
    public long RowScratchBytes { get; init; }
    public long ScratchOffset { get; init; } = None;
    public long ScratchBytes { get; init; }
    public long WeightOffset { get; init; } = None;
    public long ScaleOffset { get; init; } = None;
    public long BiasOffset { get; init; } = None;
    public long InputScaleOffset { get; init; } = None;

    /// <summary>Whether the layer runs as its own step.</summary>
    public bool Executes => ExecutedBy < 0 && Kind is not (GraphLayerKind.Flatten or GraphLayerKind.Dropout);

    /// <summary>Elements of one output sample.</summary>
    public long OutputSize => GraphShapes.Size(System.Linq.Enumerable.ToArray(OutputShape));
}
