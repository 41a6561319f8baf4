namespace ModelGen.Quantization;

/// <summary>
/// The sample streaming both calibrations share: samples are checked for length and copied into one reused buffer of
/// <see cref="CalibrationOptions.BatchSize"/> rows, each full (and the last partial) batch is run, and progress is told
/// the samples done, so memory stays bounded whatever the count.
/// </summary>
internal static class CalibrationBatches
{
    /// <summary>
    /// Streams <paramref name="samples"/> of <paramref name="inputs"/> floats each, <paramref name="batchSize"/> at a
    /// time from the start of <paramref name="batch"/>, through <paramref name="run"/> (rows, index of the batch's first
    /// sample) and returns how many there were.
    /// </summary>
    /// <exception cref="ArgumentException">A sample of the wrong length (named by index), or no sample at all.</exception>
    public static long Run(IEnumerable<ReadOnlyMemory<float>> samples, float[] batch, int batchSize, int inputs,
        string firstLayer, Action<int, long> run, IProgress<long>? progress)
    {
        long done = 0;
        int rows = 0;
        foreach (ReadOnlyMemory<float> sample in samples)
        {
            if (sample.Length != inputs)
            {
                throw new ArgumentException(
                    $"Sample {done + rows} has {sample.Length} values; layer '{firstLayer}' takes {inputs}.", nameof(samples));
            }

            sample.Span.CopyTo(batch.AsSpan(rows * inputs));
            if (++rows == batchSize)
            {
                run(rows, done);
                done += rows;
                rows = 0;
                progress?.Report(done);
            }
        }

        if (rows > 0)
        {
            run(rows, done);
            done += rows;
            progress?.Report(done);
        }

        if (done == 0)
        {
            throw new ArgumentException("calibration needs at least one sample", nameof(samples));
        }

        return done;
    }
}
