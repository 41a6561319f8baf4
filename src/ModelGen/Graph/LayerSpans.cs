using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// The memory one layer call works on, resolved by <see cref="Graph.GraphExecutor"/> for the current batch: whole-batch
/// tensors, the layer's packed weights, and its scratch. Valid only during the call.
/// </summary>
/// <remarks>
/// <see cref="Output"/> may be the same memory as <see cref="Input"/> or <see cref="Input2"/> (in-place Add, Activation,
/// standalone BatchNorm); otherwise tensors never overlap. Absent parts are empty.
/// </remarks>
public readonly ref struct LayerSpans
{
    /// <summary>Creates the spans of one call (no calibrated input scale).</summary>
    public LayerSpans(ReadOnlySpan<float> input, ReadOnlySpan<float> input2, Span<float> output, ReadOnlySpan<byte> weights,
        ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, Span<byte> scratch, Span<byte> rowScratch, int batch)
        : this(input, input2, output, weights, scales, bias, scratch, rowScratch, batch, 0f)
    {
    }

    /// <summary>Creates the spans of one call; <paramref name="inputScale"/> is a static layer's calibrated input scale.</summary>
    public LayerSpans(ReadOnlySpan<float> input, ReadOnlySpan<float> input2, Span<float> output, ReadOnlySpan<byte> weights,
        ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, Span<byte> scratch, Span<byte> rowScratch, int batch, float inputScale)
    {
        InputScale = inputScale;
        Input = input;
        Input2 = input2;
        Output = output;
        Weights = weights;
        Scales = scales;
        Bias = bias;
        Scratch = scratch;
        RowScratch = rowScratch;
        Batch = batch;
    }

    /// <summary>The (first) input, <c>batch * InputSize</c> floats.</summary>
    public ReadOnlySpan<float> Input { get; }

    /// <summary>An Add's second input, <c>batch * InputSize</c> floats; empty for other kinds.</summary>
    public ReadOnlySpan<float> Input2 { get; }

    /// <summary>The output, <c>batch * OutputSize</c> floats.</summary>
    public Span<float> Output { get; }

    /// <summary>
    /// The packed weights as stored: Dense <c>[out, in]</c> and Conv2d <c>[out, in / groups, kh, kw]</c> in the layer's
    /// precision (fp32, fp16 or bf16 bits, int8); a standalone BatchNorm's fp32 per-channel scale; LayerNorm's fp32 gamma.
    /// </summary>
    public ReadOnlySpan<byte> Weights { get; }

    /// <summary>Int8 weights' fp32 per-output-channel scales.</summary>
    public ReadOnlySpan<float> Scales { get; }

    /// <summary>fp32 bias per output channel (a folded BatchNorm's, a standalone BatchNorm's shift, LayerNorm's beta).</summary>
    public ReadOnlySpan<float> Bias { get; }

    /// <summary>The layer's batch-independent scratch, laid out as <see cref="Graph.GraphScratch"/> documents.</summary>
    public Span<byte> Scratch { get; }

    /// <summary>The layer's per-row scratch for the whole batch (<c>RowScratchBytes * batch</c> bytes).</summary>
    public Span<byte> RowScratch { get; }

    /// <summary>
    /// The calibrated int8 scale of the input of a layer with <see cref="InputQuantization.Static"/> (from the weight
    /// block); 0 for every other layer.
    /// </summary>
    public float InputScale { get; }

    /// <summary>Samples in the batch.</summary>
    public int Batch { get; }

    /// <summary><see cref="Weights"/> as elements of <typeparamref name="T"/>.</summary>
    public ReadOnlySpan<T> WeightsAs<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(Weights);
}
