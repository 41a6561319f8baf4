using System.Runtime.InteropServices;
using ModelGen.Tests.EndToEnd;

namespace ModelGen.Tests.Threads;

/// <summary>ParallelForward: bit-equal to one thread, no allocation, lifetime and dispose order, errors.</summary>
public sealed class ParallelForwardTests
{
    public static TheoryData<string, int, int> PrecisionBatchThreads()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var precision in new[] { "fp32", "fp16", "bf16", "int8" })
        {
            foreach (int batch in new[] { 1, 2, 3, 5, 63, 64 })
            {
                foreach (int threads in new[] { 2, 3, 4 })
                {
                    data.Add(precision, batch, threads);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PrecisionBatchThreads))]
    public void Results_are_bit_equal_to_single_threaded_Forward(string precision, int batch, int threads)
    {
        using var model = Load(precision);
        AssertBitEqual(model, batch, threads);
    }

    [Theory]
    [InlineData("fp32", 2)]
    [InlineData("fp32", 3)]
    [InlineData("int8", 2)]
    [InlineData("int8", 5)]
    public void Batch_128_is_bit_equal_to_single_threaded_Forward(string precision, int threads)
    {
        using IModel model = precision == "fp32"
            ? MlpF32Batch128.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"))
            : MlpInt8Batch128.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        foreach (int batch in new[] { 1, 2, 63, 64, 128 })
        {
            AssertBitEqual(model, batch, threads);
        }
    }

    [Fact]
    public void Softmax_and_mixed_precision_model_is_bit_equal()
    {
        using var model = MlpMixedSoftmax.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        foreach (int batch in new[] { 1, 4, 7, 8 })
        {
            AssertBitEqual(model, batch, 2);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Forward_allocates_nothing_on_the_calling_thread(int threads)
    {
        using var model = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        using var parallel = new ParallelForward(model, threads);
        var output = new float[64 * 10];
        foreach (int batch in new[] { 1, 3, 64 })
        {
            var input = ReferenceData.Input.AsMemory(0, batch * 784);
            AllocationAssert.SteadyStateAllocatesNothing(() =>
            {
                for (int i = 0; i < 100; i++)
                {
                    parallel.Forward(input.Span, output.AsSpan(0, batch * 10), batch);
                }
            }, $"100 ParallelForward calls at batch {batch} on {threads} threads");
        }
    }

    [Fact]
    public void Small_batches_run_inline_and_larger_ones_use_at_most_ThreadCount_ranges()
    {
        using var script = new ScriptedModel.Script();
        using var model = new ScriptedModel(script);
        using var parallel = new ParallelForward(model, 4, rowAlignment: 1);
        Assert.Equal(4, parallel.ThreadCount);
        Assert.Equal(5, script.Live);
        AssertRanges(parallel, script, [(1, 1), (3, 1), (4, 2), (7, 3), (8, 4), (32, 4)]);
    }

    [Fact]
    public void Aligned_ranges_start_on_multiples_of_RowAlignment()
    {
        using var script = new ScriptedModel.Script();
        using var model = new ScriptedModel(script);
        using var parallel = new ParallelForward(model, 4);
        Assert.Equal(ParallelForward.BitExactRowAlignment, parallel.RowAlignment);
        // 24-row alignment: 16 rows stay inline, 32 split 24 + 8 (8 would round to 0 and 16 to 24).
        AssertRanges(parallel, script, [(2, 1), (16, 1), (31, 2), (32, 2)]);

        using var three = new ParallelForward(model, 3, rowAlignment: 4);
        // 4-row alignment over 3 threads: 12 -> 4 + 4 + 4, 10 -> 4 + 4 + 2, 5 -> 4 + 1 (5 rows make 2 ranges of 2 or more).
        AssertRanges(three, script, [(12, 3), (10, 3), (5, 2)]);
    }

    [Fact]
    public void Unaligned_ranges_keep_int8_bit_equal_and_float_within_rounding()
    {
        using var int8 = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        using (var parallel = new ParallelForward(int8, 2, rowAlignment: 1))
        {
            AssertBitEqual(int8, 64, parallel);
            AssertBitEqual(int8, 63, parallel);
        }

        using var fp32 = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        using var balanced = new ParallelForward(fp32, 2, rowAlignment: 1);
        var input = ReferenceData.Input.AsSpan(0, 64 * 784);
        var expected = new float[64 * 10];
        var actual = new float[64 * 10];
        fp32.Forward(input, expected, 64);
        balanced.Forward(input, actual, 64);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"logit {i}: {actual[i]} vs {expected[i]}");
        }
    }

    public static TheoryData<string> Schemes => new() { "int4", "codebook", "static", "sparse", "2of4", "channels", "f16act", "bf16act", "int4f16act" };

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Every_weight_scheme_and_activation_storage_is_bit_equal(string scheme)
    {
        using IModel model = scheme switch
        {
            "f16act" => MlpF16Activations.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")),
            "bf16act" => MlpBf16Activations.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")),
            "int4f16act" => MlpInt4HalfActivations.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")),
            _ => SchemeModelTests.LoadScheme(scheme),
        };
        foreach (int threads in new[] { 2, 3 })
        {
            foreach (int batch in new[] { 5, 49, 63, 64 })
            {
                AssertBitEqual(model, batch, threads);
            }
        }
    }

    private static void AssertRanges(ParallelForward parallel, ScriptedModel.Script script, (int Batch, int Ranges)[] cases)
    {
        var input = Enumerable.Range(0, 32).Select(i => (float)i).ToArray();
        var output = new float[32];
        foreach (var (batch, ranges) in cases)
        {
            script.Calls = 0;
            Array.Clear(output);
            parallel.Forward(input.AsSpan(0, batch), output.AsSpan(0, batch), batch);
            Assert.True(ranges == script.Calls, $"batch {batch}: {script.Calls} ranges, expected {ranges}");
            Assert.Equal(input.Take(batch).Select(v => 2 * v), output.Take(batch));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(7)]
    public void An_exception_in_any_range_reaches_the_caller_and_the_threads_keep_working(int badRow)
    {
        using var script = new ScriptedModel.Script();
        using var model = new ScriptedModel(script);
        using var parallel = new ParallelForward(model, 4);
        var input = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
        var output = new float[8];
        input[badRow] = -1;
        var error = Assert.Throws<InvalidDataException>(() => parallel.Forward(input, output, 8));
        Assert.Contains("negative input in row", error.Message);

        input[badRow] = badRow;
        parallel.Forward(input, output, 8);
        Assert.Equal(input.Select(v => 2 * v), output);
    }

    [Fact]
    public async Task A_concurrent_call_or_Dispose_during_Forward_is_rejected()
    {
        using var script = new ScriptedModel.Script();
        using var model = new ScriptedModel(script);
        var parallel = new ParallelForward(model, 2);
        var input = new float[4];
        var output = new float[4];
        script.Gate.Reset();
        var running = Task.Run(() => parallel.Forward(input, output, 4), TestContext.Current.CancellationToken);
        script.Entered.Wait(TestContext.Current.CancellationToken);
        var second = Assert.Throws<InvalidOperationException>(() => parallel.Forward(input, output, 4));
        Assert.Contains("one call at a time", second.Message);
        Assert.Throws<InvalidOperationException>(parallel.Dispose);
        script.Gate.Set();
        await running;
        parallel.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_model_and_the_ParallelForward_may_be_disposed_in_either_order(bool modelFirst)
    {
        var model = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        var expected = ReferenceData.Logits(model).AsSpan(0, 64 * 10).ToArray();
        var parallel = new ParallelForward(model, 2);
        var output = new float[64 * 10];
        if (modelFirst)
        {
            model.Dispose();
            parallel.Forward(ReferenceData.Input.AsSpan(0, 64 * 784), output, 64);
            Assert.Equal(expected, output);
            parallel.Dispose();
        }
        else
        {
            parallel.Dispose();
            Assert.Equal(expected, ReferenceData.Logits(model).AsSpan(0, 64 * 10).ToArray());
            model.Dispose();
        }

        parallel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => parallel.Forward(ReferenceData.Input.AsSpan(0, 784), output.AsSpan(0, 10), 1));
    }

    [Fact]
    public void Dispose_frees_every_worker()
    {
        using var script = new ScriptedModel.Script();
        var model = new ScriptedModel(script);
        var parallel = new ParallelForward(model, 3);
        Assert.Equal(4, script.Live);
        parallel.Forward(new float[6], new float[6], 6);
        parallel.Dispose();
        Assert.Equal(1, script.Live);
        model.Dispose();
        Assert.Equal(0, script.Live);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        using var model = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelForward(model, 0));
        Assert.Throws<ArgumentNullException>(() => new ParallelForward(null!, 2));
        using var parallel = new ParallelForward(model, 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => parallel.Forward(new float[65 * 784], new float[65 * 10], 65));
        Assert.Contains("MaxBatch (64)", error.Message);
        Assert.Throws<ArgumentException>(() => parallel.Forward(new float[2 * 784], new float[10], 2));
        Assert.Throws<ObjectDisposedException>(() => new ParallelForward(DisposedModel(), 2));
    }

    [Fact]
    public void Default_thread_count_is_the_processor_count()
    {
        using var model = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        using var parallel = new ParallelForward(model);
        Assert.Equal(Environment.ProcessorCount, parallel.ThreadCount);
        AssertBitEqual(model, 64, parallel);
    }

    private static MlpF32 DisposedModel()
    {
        var model = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        model.Dispose();
        return model;
    }

    private static void AssertBitEqual(IModel model, int batch, int threads)
    {
        using var parallel = new ParallelForward(model, threads);
        AssertBitEqual(model, batch, parallel);
    }

    private static void AssertBitEqual(IModel model, int batch, ParallelForward parallel)
    {
        var input = ReferenceData.Input.AsSpan(0, batch * 784);
        var expected = new float[batch * 10];
        model.Forward(input, expected, batch);
        var actual = new float[batch * 10];
        for (int repeat = 0; repeat < 3; repeat++)
        {
            Array.Fill(actual, float.NaN);
            parallel.Forward(input, actual, batch);
            Assert.Equal(MemoryMarshal.Cast<float, int>(expected).ToArray(), MemoryMarshal.Cast<float, int>(actual).ToArray());
        }
    }

    private static IModel Load(string precision) => precision switch
    {
        "fp32" => MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")),
        "fp16" => MlpF16.Load(ReferenceData.ModelPath("fashion_mlp.f16.safetensors")),
        "bf16" => MlpBF16.Load(ReferenceData.ModelPath("fashion_mlp.bf16.safetensors")),
        _ => MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")),
    };
}
