using System.Globalization;

namespace ModelGen;

/// <summary>
/// Runs any number of samples through a model in micro-batches of at most its MaxBatch, optionally within a memory
/// budget, and sizes MaxBatch for a budget.
/// </summary>
public static class ModelBatching
{
    /// <summary>The largest <c>MaxBatch</c> the generator accepts (2^20).</summary>
    public const int MaxBatchLimit = 1 << 20;

    // Rows a chunked layer (16-bit activations, padded int4 rows) stages at a time: the generator plans its fp32 staging
    // rows and, with 16-bit activations, its quantization scratch for min(MaxBatch, ChunkRows) rows, not per sample.
    private const int ChunkRows = 8;

    // The activation block holds at most six buffers (A, B, quantized rows, row scales, staged input, staged output),
    // each placed on a 64-byte boundary, and its end is rounded up to 64: less than 7 x 64 bytes of rounding in all.
    private const long AlignmentReserve = 7 * DenseLayout.Alignment;

    /// <summary>
    /// Runs <paramref name="count"/> samples: <paramref name="input"/> [count, InputFeatures] to
    /// <paramref name="output"/> [count, OutputFeatures], in consecutive calls of <c>Forward</c> with at most
    /// <c>MaxBatch</c> samples each. Results equal one call per sample; nothing is allocated.
    /// </summary>
    public static void ForwardInBatches<TModel>(this TModel model, ReadOnlySpan<float> input, Span<float> output, int count)
        where TModel : IModel
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckLengths(model, input, output, count);
        RunMicroBatches(model, input, output, count, progress: null);
    }

    /// <summary>
    /// Runs <paramref name="count"/> samples like <see cref="ForwardInBatches"/>, after checking that the model
    /// instance's native memory (<see cref="ModelMemoryReport.TotalBytes"/>: weight block plus the activation block
    /// planned for MaxBatch) fits <paramref name="budgetBytes"/>. The activation block is allocated once, at MaxBatch,
    /// so every micro-batch is MaxBatch samples except the last, and running uses no memory beyond it: nothing is
    /// allocated per micro-batch. After each micro-batch <paramref name="progress"/> (if any) receives the number of
    /// samples done, ending at <paramref name="count"/>; it is called on this thread.
    /// </summary>
    /// <exception cref="ArgumentException">The model needs more native memory than <paramref name="budgetBytes"/>
    /// (the message names both figures and the largest MaxBatch that would fit), or the spans do not match
    /// <paramref name="count"/>.</exception>
    public static void ForwardWithinBudget<TModel>(this TModel model, ReadOnlySpan<float> input, Span<float> output, int count,
        long budgetBytes, IProgress<int>? progress = null)
        where TModel : IModel
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        CheckLengths(model, input, output, count);
        CheckFits(model.Memory, budgetBytes, "the budget");
        RunMicroBatches(model, input, output, count, progress);
    }

    /// <summary>
    /// <see cref="ForwardWithinBudget{TModel}(TModel, ReadOnlySpan{float}, Span{float}, int, long, IProgress{int}?)"/>
    /// with the headroom of <paramref name="availability"/> (its smallest known limit minus the use against it) as the
    /// budget. Take the snapshot (<see cref="MemoryAvailability.Read()"/>) before loading the model: afterwards the
    /// model's own blocks are part of the use and would count twice.
    /// </summary>
    /// <exception cref="ArgumentException">The headroom is unknown, or the model does not fit it.</exception>
    public static void ForwardWithinBudget<TModel>(this TModel model, ReadOnlySpan<float> input, Span<float> output, int count,
        MemoryAvailability availability, IProgress<int>? progress = null)
        where TModel : IModel
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(availability);
        CheckLengths(model, input, output, count);
        if (availability.HeadroomBytes is not { } headroom)
        {
            throw new ArgumentException($"The memory headroom is unknown ({availability}); pass a byte budget instead.", nameof(availability));
        }

        CheckFits(model.Memory, headroom, string.Create(CultureInfo.InvariantCulture, $"the memory headroom ({availability.Source})"));
        RunMicroBatches(model, input, output, count, progress);
    }

    /// <summary>
    /// The largest MaxBatch for which a model with <paramref name="memory"/>'s layers plans a weight block plus
    /// activation block of at most <paramref name="budgetBytes"/>; 0 when not even MaxBatch 1 fits; at most
    /// <see cref="MaxBatchLimit"/>. Computed from the report's figures, not by re-planning: the activation block grows
    /// by <see cref="ModelMemoryReport.ActivationBytesPerSample"/> per sample on top of the staging rows of chunked
    /// layers (what the report's block holds beyond the per-sample part, scaled to min(batch, 8) rows). It does not model the 64-byte alignment rounding of each
    /// activation buffer; it reserves the worst case (7 x 64 bytes) and rounds down, so it never overshoots the budget
    /// and may come out a few samples below the exact largest. At the report's own MaxBatch it is exact: the result
    /// is at least <see cref="ModelMemoryReport.MaxBatch"/> when <see cref="ModelMemoryReport.TotalBytes"/> fits, and
    /// below it when it does not. For a graph model (<see cref="ModelMemoryReport.Plan"/> set) it is exact: its block is
    /// fixed scratch plus the planned peak per sample times the batch.
    /// </summary>
    public static int LargestMaxBatch(ModelMemoryReport memory, long budgetBytes)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        if (memory.Plan is { } plan)
        {
            // A graph model's block is exactly fixed scratch + peak per sample * batch: no reserve needed.
            long left = budgetBytes - memory.WeightBlockBytes - plan.FixedScratchBytes;
            if (left < plan.PeakBytesPerSample) return 0;
            long fits = plan.PeakBytesPerSample == 0 ? MaxBatchLimit : left / plan.PeakBytesPerSample;
            return (int)Math.Min(fits, Math.Min(MaxBatchLimit, (int.MaxValue - plan.FixedScratchBytes) / Math.Max(1, plan.PeakBytesPerSample)));
        }

        long perSample = memory.ActivationBytesPerSample;
        int planned = memory.MaxBatch;

        // What the block holds beyond the per-sample part: chunk staging (and the rounding at the planned MaxBatch).
        // Staging is planned for min(MaxBatch, ChunkRows) rows, so it is scaled to min(b, ChunkRows) rows for batch b.
        long staged = Math.Max(0, memory.ActivationBlockBytes - (perSample * planned));
        int plannedChunk = Math.Min(planned, ChunkRows);

        // From ChunkRows samples up the staging is constant and the bound is linear in the batch.
        long fullOverhead = StagedBytes(staged, ChunkRows, plannedChunk) + AlignmentReserve;
        long available = budgetBytes - memory.WeightBlockBytes - fullOverhead;
        long largest = available < 0 ? 0
            : perSample == 0 ? MaxBatchLimit
            : Math.Min(available / perSample, Math.Max(0, int.MaxValue - fullOverhead) / perSample); // a block is at most 2 GiB
        largest = Math.Min(largest, MaxBatchLimit);

        // Below ChunkRows the staging shrinks with the batch: try each smaller batch.
        if (largest < ChunkRows)
        {
            largest = ChunkRows - 1;
            while (largest > 0)
            {
                long block = (perSample * largest) + StagedBytes(staged, (int)largest, plannedChunk) + AlignmentReserve;
                if (block <= int.MaxValue && memory.WeightBlockBytes + block <= budgetBytes)
                {
                    break;
                }

                largest--;
            }
        }

        // The planned total only grows with MaxBatch, and the report knows it exactly at its own MaxBatch.
        largest = memory.TotalBytes <= budgetBytes ? Math.Max(largest, planned) : Math.Min(largest, planned - 1);
        return (int)largest;
    }

    // Staging bytes for `rows` chunk rows, from `staged` bytes planned for `plannedRows`, rounded up.
    private static long StagedBytes(long staged, int rows, int plannedRows) => ((staged * rows) + plannedRows - 1) / plannedRows;

    private static void CheckLengths<TModel>(TModel model, ReadOnlySpan<float> input, Span<float> output, int count)
        where TModel : IModel
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int inputs = model.InputFeatures, outputs = model.OutputFeatures;
        if (input.Length != (long)count * inputs || output.Length != (long)count * outputs)
        {
            throw new ArgumentException(
                $"{count} samples need {(long)count * inputs} input and {(long)count * outputs} output floats; got {input.Length} and {output.Length}.");
        }
    }

    private static void CheckFits(ModelMemoryReport memory, long budgetBytes, string budgetName)
    {
        if (memory.TotalBytes <= budgetBytes)
        {
            return;
        }

        int largest = LargestMaxBatch(memory, budgetBytes);
        string advice = largest > 0
            ? $"declare MaxBatch = {largest} or lower"
            : "even MaxBatch 1 does not fit: store the weights at a lower precision";
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"{memory.ModelName} needs {memory.TotalBytes:N0} bytes of native memory (weight block {memory.WeightBlockBytes:N0} + " +
            $"activation block {memory.ActivationBlockBytes:N0} at MaxBatch {memory.MaxBatch}), more than {budgetName} of " +
            $"{budgetBytes:N0} bytes: {advice}."));
    }

    private static void RunMicroBatches<TModel>(TModel model, ReadOnlySpan<float> input, Span<float> output, int count, IProgress<int>? progress)
        where TModel : IModel
    {
        int inputs = model.InputFeatures, outputs = model.OutputFeatures, maxBatch = model.MaxBatch;
        for (int start = 0; start < count; start += maxBatch)
        {
            int batch = Math.Min(maxBatch, count - start);
            model.Forward(input.Slice(start * inputs, batch * inputs), output.Slice(start * outputs, batch * outputs), batch);
            progress?.Report(start + batch);
        }
    }
}
