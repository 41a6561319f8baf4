using ModelGen.Kernels;

namespace ModelGen;

/// <summary>
/// One layer of a generated graph model's execution plan, as data: what it computes, its shapes, its weights' place in
/// the weight block and its tensors' place in the activation block. Generated code creates these (an object
/// initializer each); <see cref="Graph.GraphExecutor"/> runs them in order through an <see cref="ILayerBackend"/>.
/// </summary>
/// <remarks>
/// The activation block has two regions. The fixed region (<c>[0, FixedScratchBytes)</c>) holds scratch that does not
/// grow with the batch (padded planes, im2col of one image). The batch region starts right after it and holds every
/// tensor at <c>FixedScratchBytes + offset * batch</c>, where offset is a 64-aligned byte offset planned for one sample;
/// a tensor of <c>n</c> bytes per sample occupies <c>n * batch</c> bytes. Scaling a one-sample plan by the batch keeps
/// it free of overlaps, so the block for batch <c>b</c> is exactly <c>FixedScratchBytes + PeakBytesPerSample * b</c>.
/// </remarks>
public sealed class GraphLayer
{
    /// <summary>Offset meaning the model's input span (never in the activation block).</summary>
    public const long ModelInput = -1;

    /// <summary>Offset meaning the model's output span (never in the activation block).</summary>
    public const long ModelOutput = -2;

    /// <summary>Offset meaning no tensor (an absent weight, bias or second input).</summary>
    public const long None = -3;

    /// <summary>Position in the plan.</summary>
    public required int Index { get; init; }

    /// <summary>Tensor name prefix in weight files (<c>conv1</c>, <c>features.1.conv.0.0</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the layer computes.</summary>
    public required LayerKind Kind { get; init; }

    /// <summary>Weight storage precision (Float32 for weightless layers).</summary>
    public Precision Precision { get; init; }

    /// <summary>
    /// How an Int8 Dense or Conv2d layer quantizes its input: per row (default) or with one calibrated scale stored at
    /// <see cref="InputScaleOffset"/>. A static convolution that runs widened to fp32 (see
    /// <see cref="Graph.GraphScratch.ConvRunsInt8"/>) keeps fp32 activations and leaves its scale unused.
    /// </summary>
    public InputQuantization InputQuantization { get; init; }

    /// <summary>
    /// Activation applied to the output: the layer's own, or that of a standalone activation layer fused into it; for
    /// <see cref="LayerKind.Activation"/> layers, the function itself.
    /// </summary>
    public Activation Activation { get; init; }

    /// <summary>Shape of one input sample: <c>[C, H, W]</c> or <c>[F]</c>.</summary>
    public required int[] InputShape { get; init; }

    /// <summary>Shape of one output sample.</summary>
    public required int[] OutputShape { get; init; }

    /// <summary>The convolution, or the pooling window (in = out = groups = channels); default otherwise.</summary>
    public Conv2dShape Window { get; init; }

    /// <summary>LayerNorm or BatchNorm epsilon.</summary>
    public float Epsilon { get; init; }

    /// <summary>Whether the source file has <c>{Name}.bias</c> for this layer.</summary>
    public bool HasBias { get; init; }

    /// <summary>Tensor prefix of a BatchNorm2d folded into this convolution when the weights load; null when none.</summary>
    public string? FoldedBatchNorm { get; init; }

    /// <summary>
    /// -1 when the layer runs as its own step; otherwise the index of the layer that does its work: the convolution a
    /// BatchNorm is folded into, the producer an activation is fused into. Flatten and Dropout never run (they are views
    /// of their input): for them it is the index of the layer that produces the viewed tensor, -1 for the model input.
    /// </summary>
    public int ExecutedBy { get; init; } = -1;

    /// <summary>Index of the layer whose output is the (first) input, -1 for the model input.</summary>
    public int Source { get; init; } = -1;

    /// <summary>Index of the layer whose output is the second input of an Add, -1 for the model input; -2 when none.</summary>
    public int Source2 { get; init; } = -2;

    /// <summary>Per-sample byte offset of the input in the batch region, or <see cref="ModelInput"/>.</summary>
    public long InputOffset { get; init; } = None;

    /// <summary>Per-sample byte offset of an Add's second input, <see cref="ModelInput"/>, or <see cref="None"/>.</summary>
    public long Input2Offset { get; init; } = None;

    /// <summary>Per-sample byte offset of the output in the batch region, or <see cref="ModelOutput"/>.</summary>
    public long OutputOffset { get; init; } = None;

    /// <summary>Per-sample byte offset of per-row scratch in the batch region (int8 dense: quantized rows and scales).</summary>
    public long RowScratchOffset { get; init; } = None;

    /// <summary>Per-sample bytes of per-row scratch (see <see cref="Graph.GraphScratch"/>).</summary>
    public long RowScratchBytes { get; init; }

    /// <summary>Byte offset of batch-independent scratch in the fixed region; the region is shared by all layers.</summary>
    public long ScratchOffset { get; init; } = None;

    /// <summary>Bytes of batch-independent scratch (see <see cref="Graph.GraphScratch"/>).</summary>
    public long ScratchBytes { get; init; }

    /// <summary>Byte offset in the weight block of the weights (Dense, Conv2d), the scale (standalone BatchNorm) or gamma (LayerNorm).</summary>
    public long WeightOffset { get; init; } = None;

    /// <summary>Byte offset of the int8 per-output-channel scales (fp32).</summary>
    public long ScaleOffset { get; init; } = None;

    /// <summary>Byte offset of the bias (also a folded BatchNorm's, a standalone BatchNorm's shift, LayerNorm's beta), fp32.</summary>
    public long BiasOffset { get; init; } = None;

    /// <summary>Byte offset of the calibrated fp32 input scale of a <see cref="InputQuantization.Static"/> layer.</summary>
    public long InputScaleOffset { get; init; } = None;

    /// <summary>Whether the layer runs as its own step.</summary>
    public bool Executes => ExecutedBy < 0 && Kind is not (LayerKind.Flatten or LayerKind.Dropout);

    /// <summary>Elements of one input sample.</summary>
    public int InputSize => Product(InputShape);

    /// <summary>Elements of one output sample.</summary>
    public int OutputSize => Product(OutputShape);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Index} {Name}: {Kind} [{string.Join(", ", InputShape)}] -> [{string.Join(", ", OutputShape)}] {Precision}"
        + (InputQuantization == InputQuantization.Static ? " static-input" : "") + (Activation != Activation.None ? $" {Activation}" : "") + (Executes ? "" : $" (runs in {ExecutedBy})");

    private static int Product(int[] shape)
    {
        int n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }
}
