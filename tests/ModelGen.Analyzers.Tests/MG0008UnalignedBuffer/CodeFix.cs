using ModelGen.CodeFixes;

namespace ModelGen.Analyzers.Tests.MG0008UnalignedBuffer;

public sealed class CodeFix
{
    private const string Model = """
        using System;
        using System.Runtime.InteropServices;
        using ModelGen;
        [Model(MaxBatch = 8)]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
        }
        """;

    [Fact]
    public async Task AllocBecomesAlignedAllocAndItsFreeAlignedFree()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixUnalignedBuffer(), Model + """
            public static unsafe class Use
            {
                public static void Run(M model, float[] output)
                {
                    float* input = (float*)NativeMemory.Alloc(16);
                    try
                    {
                        model.Forward(new ReadOnlySpan<float>(input, 4), output, 1);
                    }
                    finally
                    {
                        NativeMemory.Free(input);
                    }

                    void* other = NativeMemory.Alloc(8);
                    NativeMemory.Free(other);
                }
            }
            """);

        Assert.Contains("float* input = (float*)NativeMemory.AlignedAlloc(16, 64);", fixedSource);
        Assert.Contains("NativeMemory.AlignedFree(input);", fixedSource);
        // Another allocation, not handed to ModelGen, keeps its matching Free.
        Assert.Contains("NativeMemory.Free(other);", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task AllocZeroedIsClearedAfterTheAlignedAlloc()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixUnalignedBuffer(), Model + """
            public static unsafe class Use
            {
                public static void Run(M model, float[] output, nuint bytes)
                {
                    float* input = (float*)NativeMemory.AllocZeroed(bytes);
                    model.Forward(new ReadOnlySpan<float>(input, 4), output, 1);
                    NativeMemory.Free(input);
                }
            }
            """);

        Assert.Contains("""
                    float* input = (float*)NativeMemory.AlignedAlloc(bytes, 64);
                    NativeMemory.Clear(input, bytes);
            """, fixedSource);
        Assert.Contains("NativeMemory.AlignedFree(input);", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task NoFixForAllocHGlobalOrATwoArgumentAlloc()
    {
        var source = Model + """
            public static unsafe class Use
            {
                public static void Run(M model, float[] output)
                {
                    nint handle = Marshal.AllocHGlobal(16);
                    float* input = (float*)NativeMemory.Alloc(4, sizeof(float));
                    model.Forward(new ReadOnlySpan<float>((float*)handle, 4), output, 1);
                    model.Forward(new ReadOnlySpan<float>(input, 4), output, 1);
                }
            }
            """;
        var (diagnostics, _) = await AnalyzerHarness.AnalyzeAsync(source);
        Assert.Equal(2, diagnostics.Count(d => d.Id == RuleIdentifiers.UnalignedBuffer));
        Assert.Empty(await CodeFixHarness.ActionsAsync(new FixUnalignedBuffer(), source));
    }
}
