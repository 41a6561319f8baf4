using ModelGen.IO;
using ModelGen.Kernels;

namespace ModelGen.Quantization;

/// <summary>
/// Calibrates static int8 activation scales: runs a chain of dense layers in fp32 over sample inputs and records each
/// layer's input in an <see cref="ActivationHistogram"/>.
/// </summary>
public static class DenseCalibration
{
    /// <summary>
    /// Runs <paramref name="samples"/> through <paramref name="layers"/> in fp32 and returns each layer's input scale.
    /// </summary>
    /// <param name="weights">A safetensors stream with <c>{name}.weight</c> [out, in] and <c>{name}.bias</c> per layer
    /// (F32, F16, BF16 or F64, as <see cref="DenseModelIO.Load"/> reads them; other tensors are ignored).</param>
    /// <param name="layers">The model's layers in order (generated models expose them as <c>Layers</c>); whatever
    /// their precision, calibration runs fp32 copies of them, with each layer's activation.</param>
    /// <param name="samples">Any number of inputs of <c>layers[0].InFeatures</c> finite floats each, streamed in
    /// batches of <see cref="CalibrationOptions.BatchSize"/>: memory stays bounded whatever the count.</param>
    /// <param name="options">Method, histogram bins and batch size; defaults to <see cref="CalibrationOptions"/>().</param>
    /// <param name="progress">Told the number of samples done after each batch.</param>
    /// <exception cref="ArgumentException">No samples, a sample of the wrong length or not finite, an empty layer list
    /// or layers whose widths do not chain.</exception>
    /// <exception cref="ModelFormatException">The weights are malformed or do not match the layers.</exception>
    public static CalibrationResult Calibrate(Stream weights, IReadOnlyList<DenseLayer> layers,
        IEnumerable<ReadOnlyMemory<float>> samples, CalibrationOptions? options = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(samples);
        options ??= new CalibrationOptions();
        DenseLayer[] float32 = Float32Copies(layers, out long blockBytes);

        using NativeBlock block = DenseModelIO.Load(weights, "calibration", float32, blockBytes,
            new LoadOptions { IgnoreExtraTensors = true });
        var histograms = new ActivationHistogram[float32.Length];
        for (int l = 0; l < histograms.Length; l++)
        {
            histograms[l] = new ActivationHistogram(options.Bins);
        }

        int batchSize = options.BatchSize, inputs = float32[0].InFeatures;
        int widest = float32.Max(l => Math.Max(l.InFeatures, l.OutFeatures));
        var current = new float[batchSize * widest];
        var next = new float[batchSize * widest];
        long done = CalibrationBatches.Run(samples, current, batchSize, inputs, float32[0].Name,
            (rows, first) => Run(block, float32, histograms, current, next, rows, first), progress);

        var results = new LayerCalibration[float32.Length];
        for (int l = 0; l < results.Length; l++)
        {
            results[l] = new LayerCalibration(float32[l].Name, histograms[l].Scale(options), histograms[l].ObservedMax);
        }

        return new CalibrationResult(options.Method, done, results);
    }

    /// <summary>
    /// One batch through the chain: each layer's input goes into its histogram, then through the layer (the last
    /// layer's output is never needed). <paramref name="current"/> holds the batch's inputs; both buffers are reused.
    /// </summary>
    private static void Run(NativeBlock block, DenseLayer[] layers, ActivationHistogram[] histograms,
        float[] current, float[] next, int rows, long firstSample)
    {
        for (int l = 0; l < layers.Length; l++)
        {
            DenseLayer layer = layers[l];
            ReadOnlySpan<float> x = current.AsSpan(0, rows * layer.InFeatures);
            try
            {
                histograms[l].Add(x);
            }
            catch (ArgumentException e)
            {
                string what = l == 0 ? "The samples" : $"The input of layer '{layer.Name}'";
                throw new ArgumentException(
                    $"{what} in samples {firstSample}..{firstSample + rows - 1} must be finite: {e.Message}", "samples", e);
            }

            if (l == layers.Length - 1)
            {
                break;
            }

            ReadOnlySpan<float> bias = layer.HasBias ? block.AsSpan<float>(layer.BiasOffset, layer.OutFeatures) : [];
            DenseKernels.Float32(x, block.AsSpan<float>(layer.WeightOffset, layer.InFeatures * layer.OutFeatures), bias,
                next.AsSpan(0, rows * layer.OutFeatures), rows, layer.InFeatures, layer.OutFeatures, layer.Activation);
            (current, next) = (next, current);
        }
    }

    /// <summary>fp32 versions of <paramref name="layers"/> in a block of their own: each tensor 64-byte aligned.</summary>
    private static DenseLayer[] Float32Copies(IReadOnlyList<DenseLayer> layers, out long blockBytes)
    {
        if (layers.Count == 0)
        {
            throw new ArgumentException("calibration needs at least one layer", nameof(layers));
        }

        var copies = new DenseLayer[layers.Count];
        long offset = 0;
        for (int l = 0; l < copies.Length; l++)
        {
            DenseLayer layer = layers[l] ?? throw new ArgumentNullException(nameof(layers), $"layers[{l}] is null.");
            if (layer.OutFeatures != layer.SourceOutFeatures || layer.InFeatures != layer.SourceInFeatures)
            {
                throw new ArgumentException(
                    $"Layer '{layer.Name}' prunes channels ({layer.SourceInFeatures} -> {layer.SourceOutFeatures} in the file, " +
                    $"{layer.InFeatures} -> {layer.OutFeatures} computed): calibration runs the file's fp32 layers as they are, so models " +
                    "that prune channels cannot be calibrated yet.", nameof(layers));
            }

            if (l > 0 && layer.InFeatures != layers[l - 1].OutFeatures)
            {
                throw new ArgumentException(
                    $"Layer '{layer.Name}' takes {layer.InFeatures} inputs but layer '{layers[l - 1].Name}' gives {layers[l - 1].OutFeatures}: the layers do not chain.",
                    nameof(layers));
            }

            long weightOffset = offset;
            offset += DenseLayout.Align(DenseLayout.WeightMatrixBytes(layer.InFeatures, layer.OutFeatures, Precision.Float32));
            long biasOffset = -1;
            if (layer.HasBias)
            {
                biasOffset = offset;
                offset += DenseLayout.Align(4L * layer.OutFeatures);
            }

            if (offset > int.MaxValue)
            {
                throw new ArgumentException($"The fp32 copies of the layers need {offset} bytes, over the 2 GiB block limit.", nameof(layers));
            }

            copies[l] = new DenseLayer(layer.Name, layer.InFeatures, layer.OutFeatures, Precision.Float32, layer.Activation,
                (int)weightOffset, -1, (int)biasOffset);
        }

        blockBytes = offset;
        return copies;
    }
}
