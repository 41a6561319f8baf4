namespace ModelGen.Tests.EndToEnd;

/// <summary>The run-time contract of generated models: no allocation, argument checks, disposal, concurrency, save/load.</summary>
public sealed class RuntimeContractTests
{
    public static TheoryData<string> Precisions => new() { "fp32", "fp16", "bf16", "int8" };

    [Theory]
    [MemberData(nameof(Precisions))]
    public void Forward_allocates_nothing_on_the_managed_heap(string precision)
    {
        using var model = Load(precision);
        var output = new float[64 * 10];
        foreach (int batch in new[] { 1, 3, 64 })
        {
            var input = ReferenceData.Input.AsMemory(0, batch * 784);
            AllocationAssert.SteadyStateAllocatesNothing(() =>
            {
                for (int i = 0; i < 200; i++)
                {
                    model.Forward(input.Span, output.AsSpan(0, batch * 10), batch);
                }
            }, $"200 Forward calls at batch {batch}");
        }
    }

    [Fact]
    public void Batch_above_MaxBatch_or_below_one_is_rejected()
    {
        using var model = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        var input = new float[65 * 784];
        var output = new float[65 * 10];
        // MG0005 flags this at build time; the test proves the run-time check behind it.
#pragma warning disable MG0005
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(input, output, 65));
#pragma warning restore MG0005
        Assert.Contains("MaxBatch (64)", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(input.AsSpan(0, 0), output.AsSpan(0, 0), 0));
    }

    [Fact]
    public void Spans_of_the_wrong_length_are_rejected()
    {
        using var model = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        var input = Assert.Throws<ArgumentException>(() => model.Forward(new float[783], new float[10], 1));
        Assert.Contains("784", input.Message);
        var output = Assert.Throws<ArgumentException>(() => model.Forward(new float[2 * 784], new float[10], 2));
        Assert.Contains("20", output.Message);
    }

    [Fact]
    public void Use_after_dispose_throws_and_double_dispose_is_harmless()
    {
        var model = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        model.Dispose();
        model.Dispose();
        Assert.True(model.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => model.Forward(new float[784], new float[10], 1));
        Assert.Throws<ObjectDisposedException>(() => model.Save(new MemoryStream()));
    }

    [Fact]
    public void A_second_concurrent_entry_on_one_instance_is_rejected()
    {
        var state = new ModelState("Demo", new NativeBlock(64), 64);
        state.Enter();
        var error = Assert.Throws<InvalidOperationException>(() => Task.Run(state.Enter, TestContext.Current.CancellationToken).GetAwaiter().GetResult());
        Assert.Contains("one instance per thread", error.Message);
        state.Exit();
        state.Enter();
        state.Exit();
        state.Dispose();
    }

    [Fact]
    public void Instances_run_in_parallel_with_the_serial_results()
    {
        float[] expected;
        using (var serial = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")))
        {
            expected = ReferenceData.Logits(serial);
        }

        var results = new float[4][];
        Parallel.For(0, results.Length, i =>
        {
            using var model = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
            for (int repeat = 0; repeat < 5; repeat++)
            {
                results[i] = ReferenceData.Logits(model);
            }
        });

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Theory]
    [MemberData(nameof(Precisions))]
    public void Saved_packed_weights_reload_to_identical_outputs(string precision)
    {
        using var model = Load(precision);
        using var packed = new MemoryStream();
        model.Save(packed);
        packed.Position = 0;
        using var reloaded = Reload(precision, packed);
        Assert.Equal(ReferenceData.Logits(model), ReferenceData.Logits(reloaded));
    }

    [Fact]
    public void Memory_constants_follow_the_precision()
    {
        const long weights = 784 * 256 + 256 * 10, biases = 4 * (256 + 10), scales = 4 * (256 + 10);
        Assert.Equal(4 * weights + biases, MlpF32.WeightBytes);
        Assert.Equal(2 * weights + biases, MlpF16.WeightBytes);
        Assert.Equal(2 * weights + biases, MlpBF16.WeightBytes);
        Assert.Equal(weights + scales + biases, MlpInt8.WeightBytes);
        Assert.Equal(MlpF32.WeightBytes, MlpInt8.Float32WeightBytes);
        Assert.Equal(MlpInt8.WeightBytes, MlpInt8.Memory.WeightBytes);
        Assert.Equal(MlpInt8.WeightBlockBytes + MlpInt8.ActivationBlockBytes, MlpInt8.Memory.TotalBytes);
        Assert.Contains("hidden", MlpInt8.Memory.ToString());
        Assert.Equal(0, MlpInt8.ActivationBlockBytes % 64);
        Assert.True(MlpInt8.ActivationBlockBytes >= 64 * MlpInt8.ActivationBytesPerSample);
    }

    [Fact]
    public void Weight_block_is_64_byte_aligned()
    {
        using var block = new NativeBlock(1000);
        Assert.Equal(0, block.Address % 64);
        Assert.Equal(1024, block.Length);
    }

    private static IModel Load(string precision) => precision switch
    {
        "fp32" => MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")),
        "fp16" => MlpF16.Load(ReferenceData.ModelPath("fashion_mlp.f16.safetensors")),
        "bf16" => MlpBF16.Load(ReferenceData.ModelPath("fashion_mlp.bf16.safetensors")),
        _ => MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")),
    };

    private static IModel Reload(string precision, Stream packed) => precision switch
    {
        "fp32" => MlpF32.Load(packed),
        "fp16" => MlpF16.Load(packed),
        "bf16" => MlpBF16.Load(packed),
        _ => MlpInt8.Load(packed),
    };
}
