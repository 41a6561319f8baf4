namespace ModelGen;

/// <summary>Runs any number of samples through a model in micro-batches of at most its MaxBatch.</summary>
public static class ModelBatching
{
    /// <summary>
    /// Runs <paramref name="count"/> samples: <paramref name="input"/> [count, InputFeatures] to
    /// <paramref name="output"/> [count, OutputFeatures], in consecutive calls of <c>Forward</c> with at most
    /// <c>MaxBatch</c> samples each. Results equal one call per sample; nothing is allocated.
    /// </summary>
    public static void ForwardInBatches<TModel>(this TModel model, ReadOnlySpan<float> input, Span<float> output, int count)
        where TModel : IModel
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int inputs = model.InputFeatures, outputs = model.OutputFeatures, maxBatch = model.MaxBatch;
        if (input.Length != (long)count * inputs || output.Length != (long)count * outputs)
        {
            throw new ArgumentException(
                $"{count} samples need {(long)count * inputs} input and {(long)count * outputs} output floats; got {input.Length} and {output.Length}.");
        }

        for (int start = 0; start < count; start += maxBatch)
        {
            int batch = Math.Min(maxBatch, count - start);
            model.Forward(input.Slice(start * inputs, batch * inputs), output.Slice(start * outputs, batch * outputs), batch);
        }
    }
}
