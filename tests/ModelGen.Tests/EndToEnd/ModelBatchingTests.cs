namespace ModelGen.Tests.EndToEnd;

public sealed class ModelBatchingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(256)]
    public void Micro_batches_give_the_results_of_one_call_per_sample(int count)
    {
        using var model = MlpMixedSoftmax.Load(ReferenceData.ModelPath("fashion_mlp.safetensors")); // MaxBatch 8
        var input = ReferenceData.Input.AsSpan(0, count * 784);
        var batched = new float[count * 10];
        model.ForwardInBatches(input, batched, count);

        var single = new float[count * 10];
        for (int i = 0; i < count; i++)
        {
            model.Forward(input.Slice(i * 784, 784), single.AsSpan(i * 10, 10), 1);
        }

        // Batched kernels may sum in another order than the batch-1 path: equal up to float rounding.
        for (int i = 0; i < single.Length; i++)
        {
            Assert.Equal(single[i], batched[i], 1e-5f);
        }
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        using var model = MlpMixedSoftmax.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        Assert.Throws<ArgumentException>(() => model.ForwardInBatches(new float[3 * 784], new float[2 * 10], 3));
    }
}
