using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Tests.Kernels;

/// <summary>A pruned dense-layer problem: random w pruned unstructured or 2:4, packed (fp32 and int8) and expanded back.</summary>
internal sealed class SparseProblem
{
    public required bool TwoOfFour { get; init; }
    public required int Batch { get; init; }
    public required int K { get; init; }
    public required int N { get; init; }
    public required int KeptPerRow { get; init; }
    public required float[] X { get; init; }
    public required float[] Bias { get; init; }
    public required float[] Values { get; init; }
    /// <summary>fp32 structure: uint16 column indices (unstructured) or the 2:4 nibbles.</summary>
    public required byte[] Structure { get; init; }
    /// <summary>int8 structure: the bitmask (unstructured) or the 2:4 nibbles.</summary>
    public required byte[] Int8Structure { get; init; }
    /// <summary>The pruned matrix, dense [n, k] (pruned weights 0).</summary>
    public required float[] Expanded { get; init; }
    public required sbyte[] Q { get; init; }
    public required float[] WScales { get; init; }
    /// <summary>The int8 values expanded to dense [n, k] (pruned weights 0), for the dense int8 kernel.</summary>
    public required sbyte[] QExpanded { get; init; }

    public static SparseProblem Unstructured(int batch, int k, int n, int keptPerRow, int seed, bool bias = true)
    {
        var random = new Random(seed);
        float[] x = KernelTestData.Uniform(random, batch * k, 3f);
        float[] w = KernelTestData.Uniform(random, n * k);
        var values = new float[SparseLayout.UnstructuredValueCount(n, k, keptPerRow)];
        var structure = new byte[SparseLayout.UnstructuredStructureBytes(n, k, keptPerRow)];
        MagnitudePruner.PruneUnstructured(w, n, k, keptPerRow, values, structure);
        var expanded = new float[n * k];
        MagnitudePruner.ExpandUnstructured(values, structure, n, k, keptPerRow, expanded);
        var q = new sbyte[values.Length];
        var scales = new float[n];
        var mask = new byte[SparseLayout.UnstructuredStructureBytes(n, k, keptPerRow, int8Values: true)];
        MagnitudePruner.PruneUnstructuredInt8(w, n, k, keptPerRow, q, scales, mask);
        var qExpanded = new sbyte[n * k];
        for (int j = 0; j < n; j++)
            for (int c = 0, t = 0; c < k; c++)
                if ((mask[j * ((k + 7) / 8) + c / 8] >> (c % 8) & 1) != 0)
                    qExpanded[j * k + c] = q[j * keptPerRow + t++];
        return new SparseProblem
        {
            TwoOfFour = false, Batch = batch, K = k, N = n, KeptPerRow = keptPerRow, X = x,
            Bias = bias ? KernelTestData.Uniform(random, n) : [], Values = values, Structure = structure,
            Int8Structure = mask, Expanded = expanded, Q = q, WScales = scales, QExpanded = qExpanded,
        };
    }

    /// <summary>
    /// Group g's two positions in row j of the int8 2:4 layout, read as SparseLayout documents it (written out here
    /// on its own): per step of 16 whole groups 8 bytes, value i of the step (2 (g % 16) + second) in byte i % 8, bits
    /// 2 (i / 8); a nibble per group after the whole steps.
    /// </summary>
    public static (int First, int Second) Int8Positions24(byte[] meta, int k, int j, int g)
    {
        int groups = (k + 3) / 4, metaPerRow = (groups + 1) / 2, row = j * metaPerRow;
        if (g < groups / 16 * 16)
        {
            int step = row + 8 * (g / 16), i = 2 * (g % 16);
            return ((meta[step + i % 8] >> (2 * (i / 8))) & 3, (meta[step + (i + 1) % 8] >> (2 * ((i + 1) / 8))) & 3);
        }
        int nibble = meta[row + g / 2] >> (4 * (g % 2));
        return (nibble & 3, nibble >> 2 & 3);
    }

    public static SparseProblem TwoOfFourRandom(int batch, int k, int n, int seed, bool bias = true)
    {
        var random = new Random(seed);
        float[] x = KernelTestData.Uniform(random, batch * k, 3f);
        float[] w = KernelTestData.Uniform(random, n * k);
        int perRow = 2 * ((k + 3) / 4);
        var values = new float[SparseLayout.TwoOfFourValueCount(n, k)];
        var meta = new byte[SparseLayout.TwoOfFourMetaBytes(n, k)];
        MagnitudePruner.PruneTwoOfFour(w, n, k, values, meta);
        var expanded = new float[n * k];
        MagnitudePruner.ExpandTwoOfFour(values, meta, n, k, expanded);
        var q = new sbyte[values.Length];
        var scales = new float[n];
        var meta8 = new byte[meta.Length];
        MagnitudePruner.PruneTwoOfFourInt8(w, n, k, q, scales, meta8);
        var qExpanded = new sbyte[n * k];
        for (int j = 0; j < n; j++)
            for (int g = 0; g < perRow / 2; g++)
            {
                var (p0, p1) = Int8Positions24(meta8, k, j, g);
                int c0 = 4 * g + p0, c1 = 4 * g + p1;
                if (c0 < k) qExpanded[j * k + c0] = q[j * perRow + 2 * g];
                if (c1 < k) qExpanded[j * k + c1] = q[j * perRow + 2 * g + 1];
            }
        return new SparseProblem
        {
            TwoOfFour = true, Batch = batch, K = k, N = n, KeptPerRow = perRow, X = x,
            Bias = bias ? KernelTestData.Uniform(random, n) : [], Values = values, Structure = meta,
            Int8Structure = meta8, Expanded = expanded, Q = q, WScales = scales, QExpanded = qExpanded,
        };
    }

    public float[] RunFloat(KernelPath path, Activation activation)
    {
        var y = new float[Batch * N];
        if (TwoOfFour) DenseKernels.TwoOfFourFloat32(path, X, Values, Structure, Bias, y, Batch, K, N, activation);
        else DenseKernels.SparseFloat32(path, X, Values, Structure, Bias, y, Batch, K, N, KeptPerRow, activation);
        return y;
    }

    public (float[] Y, sbyte[] Xq, float[] XScales) RunInt8(KernelPath path, Activation activation)
    {
        var y = new float[Batch * N];
        var xq = new sbyte[Batch * K];
        var xScales = new float[Batch];
        if (TwoOfFour) DenseKernels.TwoOfFourInt8(path, X, Q, Int8Structure, WScales, Bias, y, Batch, K, N, activation, xq, xScales);
        else DenseKernels.SparseInt8(path, X, Q, Int8Structure, WScales, Bias, y, Batch, K, N, KeptPerRow, activation, xq, xScales);
        return (y, xq, xScales);
    }

    /// <summary>sum |x w| over row j of the expanded matrix: the scale of a float summation's rounding error.</summary>
    public double Magnitude(int b, int j)
    {
        double m = 0;
        for (int c = 0; c < K; c++) m += Math.Abs((double)X[b * K + c] * Expanded[j * K + c]);
        return m;
    }

    /// <summary>The exact (double) pre-activation output from the expanded matrix.</summary>
    public double Reference(int b, int j)
    {
        double s = Bias.Length > 0 ? Bias[j] : 0;
        for (int c = 0; c < K; c++) s += (double)X[b * K + c] * Expanded[j * K + c];
        return s;
    }
}
