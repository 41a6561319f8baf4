using ModelGen.CodeFixes;

namespace ModelGen.Analyzers.Tests.MG0007HotLoopAllocation;

public sealed class CodeFix
{
    private const string Model = """
        using System;
        using ModelGen;
        [Model(MaxBatch = 8)]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
        }
        """;

    [Fact]
    public async Task MovesTheLoadBeforeTheLoop()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixHotLoopAllocation(), Model + """
            public static class Use
            {
                public static void Run(string path, float[][] images, float[] output)
                {
                    foreach (var image in images)
                    {
                        using var model = M.Load(path);
                        model.Forward(image, output, 1);
                    }
                }
            }
            """);

        Assert.Contains("""
                    using var model = M.Load(path);
                    foreach (var image in images)
                    {
                        model.Forward(image, output, 1);
                    }
            """, fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task AnOutputBufferMovesWithoutClearing()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixHotLoopAllocation(), Model + """
            public static class Use
            {
                public static float Run(M model, float[] images)
                {
                    float sum = 0;
                    for (int i = 0; i < 10; i++)
                    {
                        var logits = new float[M.OutputFeatures];
                        model.Forward(images.AsSpan(i * 4, 4), logits, 1);
                        sum += logits[0];
                    }

                    return sum;
                }
            }
            """);

        Assert.Contains("""
                    var logits = new float[M.OutputFeatures];
                    for (int i = 0; i < 10; i++)
                    {
                        model.Forward(images.AsSpan(i * 4, 4), logits, 1);
            """, fixedSource);
        Assert.DoesNotContain("Clear", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task AnInputTheLoopWritesIsClearedWhereItWasCreated()
    {
        // A one-hot input: without the clear, the previous iteration's 1 would stay set.
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixHotLoopAllocation(), Model + """
            public static class Use
            {
                public static void Run(M model, int[] labels, float[] output)
                {
                    foreach (var label in labels)
                    {
                        var input = new float[M.InputFeatures];
                        input[label] = 1;
                        model.Forward(input, output, 1);
                    }
                }
            }
            """);

        Assert.Contains("""
                    var input = new float[M.InputFeatures];
                    foreach (var label in labels)
                    {
                        Array.Clear(input);
                        input[label] = 1;
            """, fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task NoFixWhenTheSizeChangesOrTheNameIsTaken()
    {
        var source = Model + """
            public static class Use
            {
                public static void Run(M model, float[] images, int count)
                {
                    for (int start = 0; start < count; start += 8)
                    {
                        int batch = Math.Min(8, count - start);
                        var logits = new float[batch * 2];
                        model.Forward(images.AsSpan(start * 4, batch * 4), logits, batch);
                    }

                    for (int i = 0; i < 2; i++)
                    {
                        var output = new float[2];
                        model.Forward(images.AsSpan(0, 4), output, 1);
                    }

                    var output2 = 0;
                    {
                        var output = 1;
                        output2 += output;
                    }
                }
            }
            """;
        var (diagnostics, _) = await AnalyzerHarness.AnalyzeAsync(source);
        Assert.Equal(2, diagnostics.Count(d => d.Id == RuleIdentifiers.HotLoopAllocation));
        Assert.Empty(await CodeFixHarness.ActionsAsync(new FixHotLoopAllocation(), source));
    }
}
