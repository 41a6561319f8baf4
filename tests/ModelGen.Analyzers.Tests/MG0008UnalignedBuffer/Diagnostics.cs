namespace ModelGen.Analyzers.Tests.MG0008UnalignedBuffer;

public sealed class Diagnostics
{
    private const string Model = """
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
        """;

    [Fact]
    public async Task AllocThroughAPointerLocalAndASpanIntoForward()
    {
        var message = await AnalyzerHarness.VerifySingleAsync(Model + """
            public static unsafe class Use
            {
                public static void Run(M model, float[] output)
                {
                    float* input = (float*){|MG0008:NativeMemory.Alloc(16)|};
                    var span = new ReadOnlySpan<float>(input, 4);
                    model.Forward(span, output, 1);
                    NativeMemory.Free(input);
                }
            }
            """);

        Assert.Equal("Memory from 'NativeMemory.Alloc' is not 64-byte aligned but backs a tensor passed to 'M.Forward': allocate it with NativeMemory.AlignedAlloc(size, 64) and free it with NativeMemory.AlignedFree, or use a ModelGen.NativeBlock", message);
    }

    [Fact]
    public async Task AllocHGlobalIntoAKernelThroughPointerArithmeticAndSlice()
    {
        var message = await AnalyzerHarness.VerifySingleAsync(Model + """
            public static unsafe class Use
            {
                public static void Run(float[] x, float[] bias)
                {
                    nint handle = {|MG0008:Marshal.AllocHGlobal(64)|};
                    float* w = (float*)handle + 2;
                    var weights = new Span<float>(w, 8).Slice(0, 8);
                    DenseKernels.Float32(x, weights, bias, new float[2], 1, 4, 2, Activation.None);
                    Marshal.FreeHGlobal(handle);
                }
            }
            """);

        Assert.Equal("Memory from 'Marshal.AllocHGlobal' is not 64-byte aligned but backs a tensor passed to 'DenseKernels.Float32': allocate it with NativeMemory.AlignedAlloc(size, 64) and free it with NativeMemory.AlignedFree, or use a ModelGen.NativeBlock", message);
    }

    [Fact]
    public Task OneDiagnosticPerAllocationWhateverTheNumberOfUses() => AnalyzerHarness.VerifyAsync(Model + """
        public static unsafe class Use
        {
            public static void Run(M model)
            {
                float* buffer = (float*){|MG0008:NativeMemory.AllocZeroed(24 * sizeof(float))|};
                float* output = (float*){|MG0008:NativeMemory.Alloc(2, sizeof(float))|};
                model.Forward(new ReadOnlySpan<float>(buffer, 4), new Span<float>(buffer + 4, 2), 1);
                model.Forward(new ReadOnlySpan<float>(buffer, 4), new Span<float>(output, 2), 1);
            }
        }
        """);
}
