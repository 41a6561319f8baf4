using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>An int8 dense problem with its scratch buffers.</summary>
internal sealed class Int8Problem
{
    public required int Batch { get; init; }
    public required int K { get; init; }
    public required int N { get; init; }
    public required float[] X { get; init; }
    public required sbyte[] W { get; init; }
    public required float[] WScales { get; init; }
    public required float[] Bias { get; init; }

    public static Int8Problem Random(int batch, int k, int n, int seed, bool bias = true)
    {
        var random = new Random(seed);
        var wScales = new float[n];
        for (int j = 0; j < n; j++) wScales[j] = (float)(0.001 + random.NextDouble() * 0.02);
        return new Int8Problem
        {
            Batch = batch, K = k, N = n,
            X = KernelTestData.Uniform(random, batch * k, 3f),
            W = KernelTestData.Int8Weights(random, n * k),
            WScales = wScales,
            Bias = bias ? KernelTestData.Uniform(random, n) : [],
        };
    }

    public (float[] Y, sbyte[] Xq, float[] XScales) Run(KernelPath path, Activation activation)
    {
        var y = new float[Batch * N];
        var xq = new sbyte[Batch * K];
        var xScales = new float[Batch];
        DenseKernels.Int8(path, X, W, WScales, Bias, y, Batch, K, N, activation, xq, xScales);
        return (y, xq, xScales);
    }
}
