using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>Shapes, paths and random operands shared by the kernel tests.</summary>
internal static class KernelTestData
{
    public static readonly int[] Ks = [1, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 257, 784];
    public static readonly int[] Ns = [1, 2, 3, 5, 10, 17, 33, 256];
    public static readonly int[] Batches = [1, 2, 3, 5, 8, 13, 64];

    /// <summary>Every path this process supports (always at least Scalar, so theories never come up empty).</summary>
    public static TheoryData<KernelPath> Paths() => new(KernelPaths.Supported);

    /// <summary>
    /// (k, n, batch, seed): the corners of the grid, then a seeded random subset, capped in size so that the scalar
    /// reference stays fast.
    /// </summary>
    public static IEnumerable<(int K, int N, int Batch, int Seed)> Shapes(int randomCount, int seed)
    {
        int s = seed;
        foreach (int k in new[] { 1, 7, 16, 17, 257, 784 })
            foreach (int n in new[] { 1, 5, 256 })
                foreach (int batch in new[] { 1, 2, 13, 64 })
                    if ((long)k * n * batch <= 3_300_000)
                        yield return (k, n, batch, s++);
        var random = new Random(seed);
        for (int c = 0; c < randomCount;)
        {
            int k = Ks[random.Next(Ks.Length)], n = Ns[random.Next(Ns.Length)], batch = Batches[random.Next(Batches.Length)];
            if ((long)k * n * batch > 3_300_000) continue;
            c++;
            yield return (k, n, batch, s++);
        }
    }

    public static float[] Uniform(Random random, int length, float scale = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    public static sbyte[] Int8Weights(Random random, int length)
    {
        var values = new sbyte[length];
        for (int i = 0; i < length; i++)
            values[i] = (sbyte)random.Next(-128, 128);
        return values;
    }

    public static readonly Activation[] Activations = Enum.GetValues<Activation>();
}
