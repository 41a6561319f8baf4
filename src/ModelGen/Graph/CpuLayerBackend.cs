using System.Runtime.InteropServices;
using ModelGen.Graph;
using ModelGen.Kernels;
using ModelGen.Numerics;

namespace ModelGen;

/// <summary>
/// Runs every graph layer kind with ModelGen's CPU kernels on <see cref="KernelPaths.Best"/>. Every method is virtual:
/// a backend that offloads some kinds derives from this class and overrides only those. Allocates nothing.
/// </summary>
public class CpuLayerBackend : ILayerBackend
{
    /// <summary>The shared default instance.</summary>
    public static CpuLayerBackend Instance { get; } = new();

    /// <inheritdoc/>
    public virtual void Dense(GraphLayer layer, in LayerSpans spans)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int k = GraphLayout.InFeatures(layer), n = GraphLayout.OutFeatures(layer);
        int rowsPerSample = GraphLayout.DenseRowsPerSample(layer), rows = spans.Batch * rowsPerSample;
        switch (layer.Precision)
        {
            case Precision.Float32:
                DenseKernels.Float32(spans.Input, spans.WeightsAs<float>(), spans.Bias, spans.Output, rows, k, n, layer.Activation);
                break;
            case Precision.Float16:
                DenseKernels.Float16(spans.Input, spans.WeightsAs<ushort>(), spans.Bias, spans.Output, rows, k, n, layer.Activation);
                break;
            case Precision.BFloat16:
                DenseKernels.BFloat16(spans.Input, spans.WeightsAs<ushort>(), spans.Bias, spans.Output, rows, k, n, layer.Activation);
                break;
            case Precision.Int8 when layer.InputQuantization == InputQuantization.Static:
                // One calibrated scale for every row: only the quantized rows of the row scratch are used.
                DenseKernels.Int8Static(spans.Input, spans.InputScale, spans.WeightsAs<sbyte>(), spans.Scales, spans.Bias, spans.Output,
                    rows, k, n, layer.Activation, MemoryMarshal.Cast<byte, sbyte>(spans.RowScratch[..(rows * k)]));
                break;
            case Precision.Int8:
                // Row scratch for the batch: the quantized rows, then (64-aligned per sample) their scales.
                int quantizedBytes = (int)GraphScratch.Align((long)rowsPerSample * k) * spans.Batch;
                Span<sbyte> xq = MemoryMarshal.Cast<byte, sbyte>(spans.RowScratch[..(rows * k)]);
                Span<float> xScales = MemoryMarshal.Cast<byte, float>(spans.RowScratch.Slice(quantizedBytes, rows * 4));
                DenseKernels.Int8(spans.Input, spans.WeightsAs<sbyte>(), spans.Scales, spans.Bias, spans.Output, rows, k, n,
                    layer.Activation, xq, xScales);
                break;
            default:
                throw Unsupported(layer);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// fp32 weights go straight to <see cref="ConvKernels.Conv2d(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, in Conv2dShape, Activation, Span{float})"/>;
    /// fp16, bf16 and grouped int8 weights are first widened to fp32 at the start of the scratch; int8 weights with one
    /// group run as an int8 GEMM over im2col rows (see <see cref="GraphScratch.ConvBytes"/> for both layouts), quantized
    /// per row or, for <see cref="InputQuantization.Static"/>, with the calibrated <see cref="LayerSpans.InputScale"/>.
    /// A static convolution that runs widened keeps its fp32 input: the scale is unused there.
    /// </remarks>
    public virtual void Conv2d(GraphLayer layer, in LayerSpans spans)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Conv2dShape shape = layer.Window;
        if (layer.Precision == Precision.Int8 && GraphScratch.ConvRunsInt8(GraphLayout.Geometry(shape)))
        {
            if (layer.InputQuantization == InputQuantization.Static)
            {
                ConvInt8.Conv2dStatic(KernelPaths.Best, spans.Input, spans.InputScale, spans.WeightsAs<sbyte>(), spans.Scales, spans.Bias,
                    spans.Output, spans.Batch, shape, layer.Activation, spans.Scratch);
                return;
            }

            ConvInt8.Conv2d(KernelPaths.Best, spans.Input, spans.WeightsAs<sbyte>(), spans.Scales, spans.Bias, spans.Output,
                spans.Batch, shape, layer.Activation, spans.Scratch);
            return;
        }

        long convFloats = ConvKernels.ScratchFloats(shape);
        if (layer.Precision == Precision.Float32)
        {
            ConvKernels.Conv2d(spans.Input, spans.WeightsAs<float>(), spans.Bias, spans.Output, spans.Batch, shape,
                layer.Activation, Floats(spans.Scratch, 0, convFloats));
            return;
        }

        int count = shape.WeightCount;
        long widenedBytes = GraphScratch.Align(count * 4L);
        Span<float> widened = Floats(spans.Scratch, 0, count);
        switch (layer.Precision)
        {
            case Precision.Float16:
                HalfConversion.ToSingle(spans.WeightsAs<ushort>()[..count], widened);
                break;
            case Precision.BFloat16:
                BFloat16Conversion.ToSingle(spans.WeightsAs<ushort>()[..count], widened);
                break;
            case Precision.Int8:
                ConvInt8.Dequantize(KernelPaths.Best, spans.WeightsAs<sbyte>()[..count], spans.Scales[..shape.OutChannels],
                    shape.OutChannels, shape.WeightsPerOutChannel, widened);
                break;
            default:
                throw Unsupported(layer);
        }

        ConvKernels.Conv2d(spans.Input, widened, spans.Bias, spans.Output, spans.Batch, shape, layer.Activation,
            Floats(spans.Scratch, widenedBytes, convFloats));
    }

    /// <inheritdoc/>
    public virtual void BatchNorm2d(GraphLayer layer, in LayerSpans spans)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int channels = layer.InputShape[0], plane = layer.InputSize / channels;
        ReadOnlySpan<float> scale = spans.WeightsAs<float>();
        ReadOnlySpan<float> shift = spans.Bias;
        CheckSameOrDisjoint(spans.Input, spans.Output, (long)spans.Batch * layer.InputSize);
        Span<float> y = spans.Output;
        ReadOnlySpan<float> x = spans.Input;
        for (int b = 0; b < spans.Batch; b++)
            for (int c = 0; c < channels; c++)
            {
                float s = scale[c], t = shift[c];
                int start = (b * channels + c) * plane;
                // Each element is read before it is written, so y may be x itself.
                for (int i = start; i < start + plane; i++)
                    y[i] = ActivationFunctions.Apply(x[i] * s + t, layer.Activation);
            }
    }

    /// <inheritdoc/>
    public virtual void Pool(GraphLayer layer, in LayerSpans spans)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int channels = layer.InputShape[0], height = layer.InputShape[1], width = layer.InputShape[2];
        Conv2dShape window = layer.Window;
        switch (layer.Kind)
        {
            case LayerKind.MaxPool2d:
                PoolKernels.MaxPool2d(spans.Input, spans.Output, spans.Batch, channels, height, width,
                    window.KernelHeight, window.StrideHeight, window.PaddingHeight);
                break;
            case LayerKind.AvgPool2d:
                PoolKernels.AvgPool2d(spans.Input, spans.Output, spans.Batch, channels, height, width,
                    window.KernelHeight, window.StrideHeight, window.PaddingHeight);
                break;
            case LayerKind.GlobalAvgPool:
                PoolKernels.GlobalAvgPool(spans.Input, spans.Output, spans.Batch, channels, height * width);
                break;
            default:
                throw Unsupported(layer);
        }

        ApplyInPlace(spans.Output[..(spans.Batch * layer.OutputSize)], layer.Activation);
    }

    /// <inheritdoc/>
    public virtual void LayerNorm(GraphLayer layer, in LayerSpans spans)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int width = layer.InputShape[^1], rows = spans.Batch * (layer.InputSize / width);
        NormKernels.LayerNorm(spans.Input, spans.WeightsAs<float>(), spans.Bias, spans.Output, rows, width, layer.Epsilon);
        ApplyInPlace(spans.Output[..(rows * width)], layer.Activation);
    }

    /// <inheritdoc/>
    public virtual void Activate(GraphLayer layer, in LayerSpans spans)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int count = spans.Batch * layer.InputSize;
        Span<float> y = spans.Output[..count];
        CheckSameOrDisjoint(spans.Input, spans.Output, count);
        spans.Input[..count].CopyTo(y); // a no-op copy in place
        ApplyInPlace(y, layer.Activation);
    }

    /// <inheritdoc/>
    public virtual void Add(GraphLayer layer, in LayerSpans spans)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int count = spans.Batch * layer.InputSize;
        ElementwiseKernels.Add(spans.Input[..count], spans.Input2[..count], spans.Output, layer.Activation);
    }

    /// <summary><paramref name="floats"/> floats of <paramref name="bytes"/> starting <paramref name="byteOffset"/> bytes in.</summary>
    private static Span<float> Floats(Span<byte> bytes, long byteOffset, long floats) =>
        MemoryMarshal.Cast<byte, float>(bytes.Slice((int)byteOffset, checked((int)(floats * 4))));

    /// <summary>The activation over <paramref name="y"/> in place (vectorized where it is exact).</summary>
    private static void ApplyInPlace(Span<float> y, Activation activation)
    {
        if (activation != Activation.None)
            ConvKernels.BiasActivation(KernelPaths.Best, y, [], 1, y.Length, activation);
    }

    private static void CheckSameOrDisjoint(ReadOnlySpan<float> x, Span<float> y, long count)
    {
        if (x.Length < count || y.Length < count)
            throw new ArgumentException($"Input ({x.Length}) and output ({y.Length}) need {count} elements each.");
        if (y.Overlaps(x, out int offset) && offset != 0)
            throw new ArgumentException("The output must be the input itself or not overlap it.");
    }

    private static NotSupportedException Unsupported(GraphLayer layer) =>
        new($"Layer '{layer.Name}' ({layer.Kind}, {layer.Precision}) is not supported by the CPU backend.");
}
