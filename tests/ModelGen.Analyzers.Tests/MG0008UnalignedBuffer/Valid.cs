namespace ModelGen.Analyzers.Tests.MG0008UnalignedBuffer;

public sealed class Valid
{
    [Fact]
    public Task AlignedAllocationsNativeBlocksAndBuffersNotHandedToModelGen() => AnalyzerHarness.VerifyValidAsync("""
        using System;
        using System.Runtime.InteropServices;
        using ModelGen;
        using ModelGen.Kernels;
        [Model(MaxBatch = 8)]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
        }
        public static unsafe class Use
        {
            public static void Run(M model, float[] w, float[] bias)
            {
                float* input = (float*)NativeMemory.AlignedAlloc(16, 64);
                using var block = new NativeBlock(8);
                model.Forward(new ReadOnlySpan<float>(input, 4), block.AsSpan<float>(0, 2), 1);
                DenseKernels.Float32(new ReadOnlySpan<float>(input, 4), w, bias, block.AsSpan<float>(0, 2), 1, 4, 2, Activation.None);
                NativeMemory.AlignedFree(input);

                // Unaligned memory that never reaches a tensor argument.
                byte* text = (byte*)NativeMemory.Alloc(100);
                nint handle = Marshal.AllocHGlobal(100);
                new Span<byte>(text, 100).Clear();
                NativeMemory.Free(text);
                Marshal.FreeHGlobal(handle);
            }
        }
        """);
}
