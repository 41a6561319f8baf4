namespace ModelGen.Analyzers.Tests.MG0007HotLoopAllocation;

public sealed class Valid
{
    private const string Model = """
        using System;
        using System.Collections.Generic;
        using ModelGen;
        [Model(MaxBatch = 8)]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
        }
        """;

    [Fact]
    public Task CreatedBeforeTheLoop() => AnalyzerHarness.VerifyValidAsync(Model + """
        public static class Use
        {
            public static void Run(string path, float[][] images)
            {
                using var model = M.Load(path);
                using var block = new NativeBlock(64);
                var output = new float[2];
                foreach (var image in images)
                {
                    model.Forward(image, output, 1);
                }
            }
        }
        """);

    [Fact]
    public Task LoadInALambdaOrLocalFunctionDefinedInTheLoop() => AnalyzerHarness.VerifyValidAsync(Model + """
        public static class Use
        {
            public static List<Func<M>> Loaders(string[] paths)
            {
                var loaders = new List<Func<M>>();
                for (int i = 0; i < 3; i++)
                {
                    loaders.Add(() => M.Load("m.safetensors"));
                    M Local() => M.Load("m.safetensors");
                    loaders.Add(Local);
                }

                return loaders;
            }
        }
        """);

    [Fact]
    public Task ArraysNotFedToForwardOrKeptPerIteration() => AnalyzerHarness.VerifyValidAsync(Model + """
        public static class Use
        {
            public static List<float[]> Run(M model, float[] image)
            {
                var kept = new List<float[]>();
                for (int i = 0; i < 3; i++)
                {
                    var scratch = new float[4];
                    scratch[0] = i;
                    var output = new float[2];
                    model.Forward(image, output, 1);
                    kept.Add(output);
                }

                return kept;
            }
        }
        """);

    [Fact]
    public Task LoadOfADifferentFileOnEachIteration() => AnalyzerHarness.VerifyValidAsync(Model + """
        public static class Use
        {
            public static void Run(string[] paths, float[] image, float[] output)
            {
                foreach (var path in paths)
                {
                    using var model = M.Load(path);
                    model.Forward(image, output, 1);
                }
            }
        }
        """);

    [Fact]
    public Task InstancesKeptPastTheirIteration() => AnalyzerHarness.VerifyValidAsync(Model + """
        public static class Use
        {
            public static NativeBlock[] Copies(int count)
            {
                var blocks = new NativeBlock[count];
                for (int i = 0; i < count; i++)
                {
                    blocks[i] = new NativeBlock(4096);
                }

                return blocks;
            }

            public static List<M> Replicas(string path, int count)
            {
                var models = new List<M>();
                for (int i = 0; i < count; i++)
                {
                    var model = M.Load(path);
                    models.Add(model);
                }

                return models;
            }
        }
        """);
}
