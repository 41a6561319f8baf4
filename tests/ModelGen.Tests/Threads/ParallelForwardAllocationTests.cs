using ModelGen.Tests.EndToEnd;

namespace ModelGen.Tests.Threads;

/// <summary>Runs alone (no other test class in parallel): it counts allocations of every thread in the process.</summary>
[CollectionDefinition(nameof(ParallelForwardAllocationTests), DisableParallelization = true)]
public sealed class ParallelForwardAllocationCollection;

/// <summary>ParallelForward's worker threads allocate nothing per call either.</summary>
[Collection(nameof(ParallelForwardAllocationTests))]
public sealed class ParallelForwardAllocationTests
{
    [Fact]
    public void No_thread_allocates_per_call()
    {
        using var model = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        using var parallel = new ParallelForward(model, 3);
        var input = ReferenceData.Input.AsMemory(0, 64 * 784);
        var output = new float[64 * 10];
        for (int attempt = 0; attempt < 20; attempt++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 100; i++)
            {
                parallel.Forward(input.Span, output, 64);
            }

            if (GC.GetTotalAllocatedBytes(precise: true) == before)
            {
                return;
            }
        }

        Assert.Fail("every one of 20 rounds of 100 ParallelForward calls allocated managed memory on some thread");
    }
}
