using ModelGen.Tests.EndToEnd;

namespace ModelGen.Tests.Threads;

/// <summary>Workers share one weight block: reference counting, dispose order, use after dispose.</summary>
public sealed class SharedWeightsTests
{
    [Fact]
    public void A_shared_state_uses_the_same_weight_block_and_its_own_activation_block()
    {
        using var original = new ModelState("Demo", new NativeBlock(256), 128);
        using var worker = original.ShareWeights();
        Assert.Same(original.Weights, worker.Weights);
        Assert.NotSame(original.Activations, worker.Activations);
        Assert.Equal(original.Activations.Length, worker.Activations.Length);
        Assert.Equal(2, original.WeightSharers);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_weight_block_is_freed_with_the_last_sharer_in_either_order(bool originalFirst)
    {
        var original = new ModelState("Demo", new NativeBlock(256), 128);
        var worker = original.ShareWeights();
        var weights = original.Weights;
        var (first, second) = originalFirst ? (original, worker) : (worker, original);

        first.Dispose();
        first.Dispose();
        Assert.True(first.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => first.Weights);
        Assert.Throws<ObjectDisposedException>(() => first.ShareWeights());
        Assert.False(weights.IsDisposed);
        Assert.Equal(1, second.WeightSharers);
        second.Enter();
        second.Exit();

        second.Dispose();
        Assert.True(weights.IsDisposed);
    }

    [Fact]
    public void A_worker_of_a_worker_keeps_the_weights_after_both_ancestors_are_disposed()
    {
        var original = new ModelState("Demo", new NativeBlock(256), 128);
        var worker = original.ShareWeights();
        var grandchild = worker.ShareWeights();
        var weights = original.Weights;
        original.Dispose();
        worker.Dispose();
        Assert.False(weights.IsDisposed);
        Assert.Equal(1, grandchild.WeightSharers);
        grandchild.Dispose();
        Assert.True(weights.IsDisposed);
    }

    [Fact]
    public void Shared_weights_reject_acquire_after_free_and_unbalanced_release()
    {
        var block = new NativeBlock(64);
        var shared = new SharedWeights(block);
        shared.Acquire();
        shared.Release();
        Assert.False(block.IsDisposed);
        shared.Release();
        Assert.True(block.IsDisposed);
        Assert.Equal(0, shared.References);
        Assert.Throws<ObjectDisposedException>(shared.Acquire);
        Assert.Throws<InvalidOperationException>(shared.Release);
        Assert.Equal(0, shared.References);
    }

    [Fact]
    public void A_worker_computes_what_the_original_computes_and_outlives_it()
    {
        var original = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        var expected = ReferenceData.Logits(original);
        using var worker = original.CreateWorker();
        Assert.Equal(expected, ReferenceData.Logits(worker));

        original.Dispose();
        Assert.True(original.IsDisposed);
        Assert.False(worker.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => original.Forward(new float[784], new float[10], 1));
        Assert.Throws<ObjectDisposedException>(() => original.CreateWorker());
        Assert.Equal(expected, ReferenceData.Logits(worker));

        using var second = worker.CreateWorker();
        Assert.Equal(expected, ReferenceData.Logits(second));
    }

    [Fact]
    public void Workers_run_Forward_in_parallel_with_the_serial_results()
    {
        using var original = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        var expected = ReferenceData.Logits(original);
        IModel[] workers = [original.CreateWorker(), original.CreateWorker(), original.CreateWorker()];
        var results = new float[workers.Length][];
        Parallel.For(0, workers.Length, i =>
        {
            for (int repeat = 0; repeat < 5; repeat++)
            {
                results[i] = ReferenceData.Logits(workers[i]);
            }
        });

        foreach (var worker in workers)
        {
            worker.Dispose();
        }

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void A_worker_through_IModel_is_the_same_model_type()
    {
        using IModel original = MlpF16.Load(ReferenceData.ModelPath("fashion_mlp.f16.safetensors"));
        using var worker = original.CreateWorker();
        Assert.IsType<MlpF16>(worker);
        Assert.Equal(ReferenceData.Logits(original), ReferenceData.Logits(worker));
    }
}
