namespace ModelGen.Analyzers.Tests.MG0007HotLoopAllocation;

public sealed class Diagnostics
{
    private const string Model = """
        using System;
        using System.IO;
        using ModelGen;
        [Model(MaxBatch = 8)]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
        }
        """;

    [Fact]
    public async Task LoadInAForeachBody()
    {
        var message = await AnalyzerHarness.VerifySingleAsync(Model + """
            public static class Use
            {
                public static void Run(string path, float[][] images, float[] output)
                {
                    foreach (var image in images)
                    {
                        using var model = {|MG0007:M.Load(path)|};
                        model.Forward(image, output, 1);
                    }
                }
            }
            """);

        Assert.Equal("'M.Load' inside a foreach loop runs on every iteration: load the model once before the loop and reuse it", message);
    }

    [Fact]
    public async Task GenericLoadThroughIModelInAWhileBody()
    {
        var message = await AnalyzerHarness.VerifySingleAsync(Model + """
            public static class Use
            {
                public static void Run<TModel>(Stream weights, int rounds) where TModel : IModel<TModel>
                {
                    while (rounds-- > 0)
                    {
                        weights.Position = 0;
                        using var model = {|MG0007:TModel.Load(weights)|};
                    }
                }
            }
            """);

        Assert.Equal("'TModel.Load' inside a while loop runs on every iteration: load the model once before the loop and reuse it", message);
    }

    [Fact]
    public async Task NativeBlockInADoBody()
    {
        var message = await AnalyzerHarness.VerifySingleAsync(Model + """
            public static class Use
            {
                public static void Run(int n)
                {
                    do
                    {
                        using var block = {|MG0007:new NativeBlock(4096)|};
                    }
                    while (--n > 0);
                }
            }
            """);

        Assert.Equal("'new NativeBlock(...)' inside a do-while loop runs on every iteration: allocate it once before the loop and reuse it", message);
    }

    [Fact]
    public async Task OutputArrayThroughALocal()
    {
        var message = await AnalyzerHarness.VerifySingleAsync(Model + """
            public static class Use
            {
                public static float Run(M model, float[] images)
                {
                    float sum = 0;
                    for (int i = 0; i < 10; i++)
                    {
                        var logits = {|MG0007:new float[M.OutputFeatures]|};
                        model.Forward(images.AsSpan(i * 4, 4), logits, 1);
                        sum += logits[0] + logits.Length;
                    }

                    return sum;
                }
            }
            """);

        Assert.Equal("'new float[]' passed to 'M.Forward' inside a for loop runs on every iteration: allocate it once before the loop and reuse it", message);
    }

    [Fact]
    public Task ArraysPassedDirectlyAndCollectionExpressions() => AnalyzerHarness.VerifyAsync(Model + """
        public static class Use
        {
            public static void Run(M model, float[] output)
            {
                for (int i = 0; i < 10; i++)
                {
                    model.Forward({|MG0007:new float[4]|}, output, 1);
                    float[] input = {|MG0007:[1, 2, 3, 4]|};
                    model.Forward(input, output, 1);
                }
            }
        }
        """);

    [Fact]
    public async Task SizeFromTheLoopVariableAsksForSlices()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(Model + """
            public static class Use
            {
                public static void Run(M model, float[] images, int count)
                {
                    for (int start = 0; start < count; start += 8)
                    {
                        int batch = Math.Min(8, count - start);
                        var logits = {|MG0007:new float[batch * 2]|};
                        model.Forward(images.AsSpan(start * 4, batch * 4), logits, batch);
                    }
                }
            }
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("'new float[]' passed to 'M.Forward' inside a for loop runs on every iteration: allocate the largest size once before the loop and use slices of it", diagnostic.GetMessage());
        Assert.Equal("false", diagnostic.Properties[DiagnosticProperties.Hoistable]);
    }

    [Fact]
    public Task InnermostLoopOfNestedLoops() => AnalyzerHarness.VerifyAsync(Model + """
        public static class Use
        {
            public static void Run(string path)
            {
                for (int i = 0; i < 2; i++)
                {
                    for (int j = 0; j < 2; j++)
                    {
                        using var model = {|MG0007:M.Load(path)|};
                    }
                }
            }
        }
        """);
}
