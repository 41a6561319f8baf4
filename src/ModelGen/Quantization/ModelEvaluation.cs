using System.Globalization;
using System.Text;

namespace ModelGen.Quantization;

/// <summary>Output error of one layer of a quantized or pruned model against the same layer of the fp32 model.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="CosineSimilarity">Cosine of the angle between all its outputs and the reference's, over every sample; NaN when the widths differ (channel pruning).</param>
/// <param name="SnrDb">Signal-to-noise ratio <c>10 log10(sum ref^2 / sum (out - ref)^2)</c> in dB; +Infinity when equal, NaN when the widths differ.</param>
public sealed record LayerError(string Name, double CosineSimilarity, double SnrDb);

/// <summary>What <see cref="ModelEvaluation.Evaluate"/> measured.</summary>
/// <param name="Samples">Samples evaluated.</param>
/// <param name="Top1Accuracy">Share of samples whose arg-max output is the label, in [0, 1].</param>
/// <param name="Top1Agreement">Share of samples whose arg-max equals the reference model's, in [0, 1].</param>
/// <param name="Layers">Per-layer output error against the reference, in layer order. Each layer sees the outputs of the
/// model's own earlier layers, so errors accumulate: a jump between two rows points at the layer that loses accuracy.</param>
public sealed record AccuracyReport(long Samples, double Top1Accuracy, double Top1Agreement, IReadOnlyList<LayerError> Layers)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"{Samples:N0} samples: top-1 {Top1Accuracy:P2}, agreement with reference {Top1Agreement:P2}").AppendLine();
        sb.Append(c, $"  {"layer",-16} {"cosine",10} {"SNR dB",8}").AppendLine();
        foreach (LayerError layer in Layers)
        {
            sb.Append(c, $"  {layer.Name,-16} {layer.CosineSimilarity,10:F6} {layer.SnrDb,8:F2}").AppendLine();
        }

        return sb.ToString().TrimEnd();
    }
}

/// <summary>Evaluates a model configuration on labelled data against a reference (usually the fp32 model).</summary>
public static class ModelEvaluation
{
    /// <summary>
    /// Runs <paramref name="model"/> and <paramref name="reference"/> (same input and output widths and layer count)
    /// over <paramref name="inputs"/> [count, InputFeatures] in batches, and reports top-1 accuracy against
    /// <paramref name="labels"/>, top-1 agreement with the reference, and each layer's output error.
    /// </summary>
    public static AccuracyReport Evaluate(IModel model, IModel reference, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reference);
        if (model.InputFeatures != reference.InputFeatures || model.OutputFeatures != reference.OutputFeatures)
            throw new ArgumentException($"The model maps {model.InputFeatures} -> {model.OutputFeatures} features but the reference {reference.InputFeatures} -> {reference.OutputFeatures}.", nameof(reference));
        var layerNames = model.ObservedLayerNames;
        int layerCount = layerNames.Count;
        if (reference.ObservedLayerNames.Count != layerCount)
            throw new ArgumentException($"The model has {layerCount} layers but the reference {reference.ObservedLayerNames.Count}.", nameof(reference));
        int width = model.InputFeatures, classes = model.OutputFeatures;
        if (labels.IsEmpty) throw new ArgumentException("Evaluation needs at least one labelled sample.", nameof(labels));
        if (inputs.Length != (long)labels.Length * width)
            throw new ArgumentException($"inputs has {inputs.Length} floats; {labels.Length} labels need {(long)labels.Length * width}.", nameof(inputs));

        int batch = Math.Min(64, Math.Min(model.MaxBatch, reference.MaxBatch));
        var sums = new ErrorSums[layerCount];
        // Each layer's output for the whole batch, from both models: observers may hand rows over in chunks.
        var referenceOutputs = new float[layerCount][];
        var modelOutputs = new float[layerCount][];
        var modelOutput = new float[batch * classes];
        var referenceOutput = new float[batch * classes];
        LayerOutputObserver Keep(float[][] outputs) => (layer, firstRow, rows, output) =>
        {
            int layerWidth = rows == 0 ? 0 : output.Length / rows;
            float[] buffer = outputs[layer] is { } existing && existing.Length == batch * layerWidth ? existing : new float[batch * layerWidth];
            output.CopyTo(buffer.AsSpan(firstRow * layerWidth));
            outputs[layer] = buffer;
        };
        LayerOutputObserver keepReference = Keep(referenceOutputs), keepModel = Keep(modelOutputs);

        long correct = 0, agree = 0;
        for (int start = 0; start < labels.Length; start += batch)
        {
            int count = Math.Min(batch, labels.Length - start);
            ReadOnlySpan<float> x = inputs.Slice(start * width, count * width);
            reference.ForwardObserved(x, referenceOutput.AsSpan(0, count * classes), count, keepReference);
            model.ForwardObserved(x, modelOutput.AsSpan(0, count * classes), count, keepModel);
            for (int layer = 0; layer < layerCount; layer++)
            {
                sums[layer].Add(modelOutputs[layer], referenceOutputs[layer], count, batch);
            }

            for (int s = 0; s < count; s++)
            {
                int predicted = ArgMax(modelOutput.AsSpan(s * classes, classes));
                correct += predicted == labels[start + s] ? 1 : 0;
                agree += predicted == ArgMax(referenceOutput.AsSpan(s * classes, classes)) ? 1 : 0;
            }
        }

        // Layers that never run as their own step (fused into another, or views) are never observed: not reported.
        var layers = new List<LayerError>(layerCount);
        for (int i = 0; i < layerCount; i++)
        {
            if (modelOutputs[i] is not null || referenceOutputs[i] is not null)
                layers.Add(sums[i].ToError(layerNames[i]));
        }

        return new AccuracyReport(labels.Length, (double)correct / labels.Length, (double)agree / labels.Length, layers);
    }

    /// <summary>Index of the largest value; the first on ties.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }

        return best;
    }

    private struct ErrorSums
    {
        private double _dot, _model, _reference, _error;
        private bool _widthsDiffer;

        // output and reference hold [batch, width]; the first rows are this round's.
        public void Add(float[]? output, float[]? reference, int rows, int batch)
        {
            if (output is null || reference is null || output.Length != reference.Length)
            {
                _widthsDiffer = true;
                return;
            }

            int count = rows * (output.Length / batch);
            for (int i = 0; i < count; i++)
            {
                double m = output[i], r = reference[i];
                _dot += m * r;
                _model += m * m;
                _reference += r * r;
                _error += (m - r) * (m - r);
            }
        }

        public readonly LayerError ToError(string name) => _widthsDiffer
            ? new LayerError(name, double.NaN, double.NaN)
            : new LayerError(name, _dot / Math.Sqrt(_model * _reference), 10 * Math.Log10(_reference / _error));
    }
}
