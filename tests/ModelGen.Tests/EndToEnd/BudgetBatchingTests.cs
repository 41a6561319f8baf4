namespace ModelGen.Tests.EndToEnd;

public sealed class BudgetBatchingTests
{
    private static readonly string s_weights = ReferenceData.ModelPath("fashion_mlp.safetensors");

    public static TheoryData<int> CountsAround8 => new() { 1, 7, 8, 9, (3 * 8) + 7 };

    public static TheoryData<int> CountsAround5 => new() { 1, 4, 5, 6, (3 * 5) + 7 };

    [Theory]
    [MemberData(nameof(CountsAround8))]
    public void Int8_runner_equals_its_micro_batches_and_one_big_batch_bit_for_bit(int count)
    {
        using var model = MlpInt8Batch8.Load(s_weights);
        using var big = MlpInt8.Load(s_weights); // MaxBatch 64: the whole count in one call
        CheckAgainstMicroBatchesAndOneBatch(model, big, count, bigBatchTolerance: 0f);
    }

    [Theory]
    [MemberData(nameof(CountsAround5))]
    public void Fp32_runner_equals_its_micro_batches_bit_for_bit_and_one_big_batch_closely(int count)
    {
        using var model = MlpF32Batch5.Load(s_weights);
        using var big = MlpF32.Load(s_weights);

        // fp32 kernels tile rows by batch size, so a row may sum in another order inside a bigger batch.
        CheckAgainstMicroBatchesAndOneBatch(model, big, count, bigBatchTolerance: 1e-5f);
    }

    [Fact]
    public void Progress_reports_samples_done_after_each_micro_batch()
    {
        using var model = MlpInt8Batch8.Load(s_weights);
        const int count = (3 * 8) + 7;
        var progress = new RecordingProgress(8);
        model.ForwardWithinBudget(ReferenceData.Input.AsSpan(0, count * 784), new float[count * 10], count, MlpInt8Batch8.TotalBytes, progress);

        Assert.Equal([8, 16, 24, 31], progress.Reports);
    }

    [Fact]
    public void A_model_over_the_budget_is_rejected_naming_the_figures()
    {
        using var model = MlpInt8Batch8.Load(s_weights);
        var output = new float[10];
        var e = Assert.Throws<ArgumentException>(() =>
            model.ForwardWithinBudget(ReferenceData.Input.AsSpan(0, 784), output, 1, MlpInt8Batch8.TotalBytes - 1));

        Assert.Contains("MlpInt8Batch8", e.Message, StringComparison.Ordinal);
        Assert.Contains(MlpInt8Batch8.TotalBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Contains((MlpInt8Batch8.TotalBytes - 1).ToString("N0", System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxBatch = 7", e.Message, StringComparison.Ordinal); // one sample fewer fits
        Assert.All(output, v => Assert.Equal(0f, v)); // rejected before running

        var tiny = Assert.Throws<ArgumentException>(() => model.ForwardWithinBudget(ReferenceData.Input.AsSpan(0, 784), output, 1, 1000));
        Assert.Contains("even MaxBatch 1 does not fit", tiny.Message, StringComparison.Ordinal);

        // Exactly the model's native total is enough.
        model.ForwardWithinBudget(ReferenceData.Input.AsSpan(0, 784), output, 1, MlpInt8Batch8.TotalBytes);
        Assert.Contains(output, v => v != 0f);
    }

    [Fact]
    public void The_headroom_overload_uses_the_smallest_limit_minus_its_use()
    {
        using var model = MlpInt8Batch8.Load(s_weights);
        var output = new float[10];
        var input = ReferenceData.Input.AsSpan(0, 784).ToArray();

        var roomy = MemoryAvailability.Read(Path.Combine(AppContext.BaseDirectory, "no-cgroup-here"), 1L << 30, 0);
        model.ForwardWithinBudget(input, output, 1, roomy);
        Assert.Contains(output, v => v != 0f);

        var tight = MemoryAvailability.Read(Path.Combine(AppContext.BaseDirectory, "no-cgroup-here"), 1L << 30, (1L << 30) - MlpInt8Batch8.TotalBytes + 1);
        var e = Assert.Throws<ArgumentException>(() => model.ForwardWithinBudget(input, output, 1, tight));
        Assert.Contains("headroom (GarbageCollector)", e.Message, StringComparison.Ordinal);

        var unknown = MemoryAvailability.Read(Path.Combine(AppContext.BaseDirectory, "no-cgroup-here"), 0, 0);
        Assert.Throws<ArgumentException>(() => model.ForwardWithinBudget(input, output, 1, unknown));
    }

    [Fact]
    public void Mismatched_lengths_and_bad_arguments_are_rejected()
    {
        using var model = MlpInt8Batch8.Load(s_weights);
        Assert.Throws<ArgumentException>(() => model.ForwardWithinBudget(new float[3 * 784], new float[2 * 10], 3, MlpInt8Batch8.TotalBytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardWithinBudget(new float[784], new float[10], -1, MlpInt8Batch8.TotalBytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardWithinBudget(new float[784], new float[10], 1, -1L));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelBatching.LargestMaxBatch(MlpInt8Batch8.Memory, -1));
    }

    [Fact]
    public void The_runner_allocates_nothing_per_micro_batch()
    {
        using var model = MlpInt8Batch8.Load(s_weights);
        const int count = (3 * 8) + 7; // four micro-batches
        var input = ReferenceData.Input.AsSpan(0, count * 784).ToArray();
        var output = new float[count * 10];
        var progress = new CountingProgress();
        AllocationAssert.SteadyStateAllocatesNothing(
            () => model.ForwardWithinBudget(input, output, count, MlpInt8Batch8.TotalBytes, progress), "ForwardWithinBudget");
        Assert.True(progress.Last == count);
    }

    // Every variant is the same layers at another MaxBatch: the helper, given any variant's report, must never pick a
    // MaxBatch whose generated total exceeds the budget, must be exact at the report's own MaxBatch, and may fall short
    // of the exact largest only by the alignment reserve it keeps.
    public static TheoryData<string> Families => new() { "int8", "int4-f16-activations" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Largest_MaxBatch_never_overshoots_the_generated_totals(string family)
    {
        var variants = Variants(family);
        foreach (var report in variants)
        {
            foreach (var target in variants)
            {
                foreach (long budget in new[] { target.TotalBytes - 1, target.TotalBytes, target.TotalBytes + 63, target.TotalBytes + 4096 })
                {
                    int largest = ModelBatching.LargestMaxBatch(report, budget);
                    foreach (var v in variants)
                    {
                        Assert.True(v.MaxBatch > largest || v.TotalBytes <= budget,
                            $"from {report.ModelName}'s report, budget {budget}: MaxBatch {largest} chosen, but {v.ModelName} (MaxBatch {v.MaxBatch}) needs {v.TotalBytes}");
                    }

                    if (budget >= target.TotalBytes && report.MaxBatch == target.MaxBatch)
                    {
                        Assert.True(largest >= target.MaxBatch, $"{report.ModelName}: its own total fits, yet {largest} chosen");
                    }

                    // Not needlessly small: short of the exact answer by at most the reserve (7 x 64 bytes) and the staging rows.
                    if (budget >= target.TotalBytes)
                    {
                        long staged = report.ActivationBlockBytes - (report.ActivationBytesPerSample * report.MaxBatch);
                        long slack = (7 * 64) + (staged * 8 / Math.Min(report.MaxBatch, 8)) + 1;
                        Assert.True(target.MaxBatch - largest <= 1 + (slack / report.ActivationBytesPerSample),
                            $"from {report.ModelName}'s report, budget {budget}: only MaxBatch {largest} chosen, {target.ModelName} fits at {target.MaxBatch}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Largest_MaxBatch_by_hand_for_the_int8_mlp()
    {
        // Weight block: 256 x 784 int8 (200,704) + 256 scales (1,024) + bias (1,024), then 10 x 256 int8 (2,560)
        // + 10 scales (40 -> 64) + bias (40 -> 64): 205,440. Per sample: buffer A 256 floats (1,024) + 784 quantized
        // int8 inputs + 1 row scale (4) = 1,812 bytes.
        var memory = MlpInt8.Memory;
        Assert.Equal(205_440, memory.WeightBlockBytes);
        Assert.Equal(1_812, memory.ActivationBytesPerSample);

        // A 1 MiB budget leaves 843,136 bytes; less the alignment reserve (448) and the report's fixed part (its
        // block's rounding at MaxBatch 64), 842,688 / 1,812 = 465 samples.
        long fixedPart = memory.ActivationBlockBytes - (1_812 * 64);
        Assert.Equal((1_048_576 - 205_440 - 448 - fixedPart) / 1_812, ModelBatching.LargestMaxBatch(memory, 1 << 20));
        Assert.Equal(0, ModelBatching.LargestMaxBatch(memory, 205_440 + 1_812)); // the reserve does not fit: not even 1
        Assert.Equal(ModelBatching.MaxBatchLimit, ModelBatching.LargestMaxBatch(memory, long.MaxValue)); // the generator's cap
    }

    private static ModelMemoryReport[] Variants(string family) => family switch
    {
        "int8" => [MlpInt8Batch1.Memory, MlpInt8Batch7.Memory, MlpInt8Batch8.Memory, MlpInt8Batch9.Memory, MlpInt8.Memory, MlpInt8Batch100.Memory],
        _ => [MlpInt4HalfBatch1.Memory, MlpInt4HalfBatch3.Memory, MlpInt4HalfBatch8.Memory, MlpInt4HalfBatch20.Memory, MlpInt4HalfActivations.Memory],
    };

    private static void CheckAgainstMicroBatchesAndOneBatch(IModel model, IModel big, int count, float bigBatchTolerance)
    {
        var input = ReferenceData.Input.AsSpan(0, count * 784);
        var viaRunner = new float[count * 10];
        var progress = new RecordingProgress(model.MaxBatch);
        model.ForwardWithinBudget(input, viaRunner, count, model.Memory.TotalBytes, progress);
        Assert.Equal(count, progress.Reports[^1]);

        var direct = new float[count * 10];
        for (int start = 0; start < count; start += model.MaxBatch)
        {
            int batch = Math.Min(model.MaxBatch, count - start);
            model.Forward(input.Slice(start * 784, batch * 784), direct.AsSpan(start * 10, batch * 10), batch);
        }

        Assert.Equal(direct, viaRunner); // bit for bit: the same calls

        var oneBatch = new float[count * 10];
        big.Forward(input, oneBatch, count);
        for (int i = 0; i < oneBatch.Length; i++)
        {
            if (bigBatchTolerance == 0f)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(oneBatch[i]), BitConverter.SingleToInt32Bits(viaRunner[i]));
            }
            else
            {
                Assert.Equal(oneBatch[i], viaRunner[i], bigBatchTolerance);
            }
        }
    }

    private sealed class RecordingProgress(int capacity) : IProgress<int>
    {
        public List<int> Reports { get; } = new(capacity);

        public void Report(int value) => Reports.Add(value);
    }

    private sealed class CountingProgress : IProgress<int>
    {
        public int Last { get; private set; }

        public void Report(int value) => Last = value;
    }
}
