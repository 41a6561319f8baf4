using System.Diagnostics;
using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Bench;

/// <summary>
/// Batch-1 sparse dense layers against the dense kernel of the same value type, same shape, same run: unstructured
/// at 80% sparsity (fp32: values + uint16 column indices; int8: values + bitmask) and 2:4, fp32 and int8. 4096 x 4096 cycles through enough copies of
/// every operand to exceed the L3 (from main memory, as <see cref="GemvBench"/>); 784 x 256 reuses one (cache-resident).
/// Each sparse kernel is timed in rounds alternating with its dense peer (see <see cref="Timing.AlternatingMedians"/>).
/// </summary>
public static class SparseBench
{
    private const double Sparsity = 0.8;

    /// <summary>One sparse variant against its dense peer: microseconds per product and the bytes it reads / the dense bytes.</summary>
    public sealed record Result(string Name, int N, int K, double DenseUs, double SparseUs, double BytesFraction)
    {
        public double Speedup => DenseUs / SparseUs;
    }

    public static List<Result> Run(int n, int k, bool fromMemory, bool quick)
    {
        var random = new Random(42);
        float[] w = new float[n * k];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 2 - 1);
        float[] x = new float[k], y = new float[n];
        for (int i = 0; i < k; i++) x[i] = (float)(random.NextDouble() - 0.5);
        sbyte[] xq = new sbyte[k];
        float[] xScales = new float[1];

        int kept = SparseLayout.KeptPerRow(k, Sparsity);
        var values = new float[SparseLayout.UnstructuredValueCount(n, k, kept)];
        var index = new byte[SparseLayout.UnstructuredStructureBytes(n, k, kept, int8Values: false)];
        MagnitudePruner.PruneUnstructured(w, n, k, kept, values, index);
        var qValues = new sbyte[values.Length];
        var qScales = new float[n];
        var mask = new byte[SparseLayout.UnstructuredStructureBytes(n, k, kept, int8Values: true)];
        MagnitudePruner.PruneUnstructuredInt8(w, n, k, kept, qValues, qScales, mask);
        var values24 = new float[SparseLayout.TwoOfFourValueCount(n, k)];
        var meta = new byte[SparseLayout.TwoOfFourMetaBytes(n, k)];
        MagnitudePruner.PruneTwoOfFour(w, n, k, values24, meta);
        var (q, scales) = Quantize(w, n, k);
        var q24 = new sbyte[values24.Length];
        var q24Scales = new float[n];
        var meta8 = new byte[meta.Length];
        MagnitudePruner.PruneTwoOfFourInt8(w, n, k, q24, q24Scales, meta8);

        double denseF32Bytes = 4.0 * n * k, denseI8Bytes = (double)n * k + 4.0 * n;
        Func<Action> denseF32 = () =>
        {
            float[] wc = (float[])w.Clone();
            return () => DenseKernels.Float32(x, wc, default, y, 1, k, n, Activation.None);
        };
        Func<Action> denseI8 = () =>
        {
            sbyte[] qc = (sbyte[])q.Clone();
            float[] sc = (float[])scales.Clone();
            return () => DenseKernels.Int8(x, qc, sc, default, y, 1, k, n, Activation.None, xq, xScales);
        };

        double sparseF32Bytes = 4.0 * values.Length + index.Length;
        var sparseF32 = Timing.AlternatingMedians(fromMemory, quick, denseF32Bytes, denseF32, sparseF32Bytes, () =>
        {
            float[] vc = (float[])values.Clone();
            byte[] ic = (byte[])index.Clone();
            return () => DenseKernels.SparseFloat32(x, vc, ic, default, y, 1, k, n, kept, Activation.None);
        });
        double sparseI8Bytes = qValues.Length + mask.Length + 4.0 * n;
        var sparseI8 = Timing.AlternatingMedians(fromMemory, quick, denseI8Bytes, denseI8, sparseI8Bytes, () =>
        {
            sbyte[] vc = (sbyte[])qValues.Clone();
            byte[] mc = (byte[])mask.Clone();
            float[] sc = (float[])qScales.Clone();
            return () => DenseKernels.SparseInt8(x, vc, mc, sc, default, y, 1, k, n, kept, Activation.None, xq, xScales);
        });
        double f24Bytes = 4.0 * values24.Length + meta.Length;
        var f24 = Timing.AlternatingMedians(fromMemory, quick, denseF32Bytes, denseF32, f24Bytes, () =>
        {
            float[] vc = (float[])values24.Clone();
            byte[] mc = (byte[])meta.Clone();
            return () => DenseKernels.TwoOfFourFloat32(x, vc, mc, default, y, 1, k, n, Activation.None);
        });
        double i24Bytes = q24.Length + meta8.Length + 4.0 * n;
        var i24 = Timing.AlternatingMedians(fromMemory, quick, denseI8Bytes, denseI8, i24Bytes, () =>
        {
            sbyte[] vc = (sbyte[])q24.Clone();
            byte[] mc = (byte[])meta8.Clone();
            float[] sc = (float[])q24Scales.Clone();
            return () => DenseKernels.TwoOfFourInt8(x, vc, mc, sc, default, y, 1, k, n, Activation.None, xq, xScales);
        });

        return
        [
            new("sparse80.fp32", n, k, sparseF32.FirstUs, sparseF32.SecondUs, sparseF32Bytes / denseF32Bytes),
            new("sparse80.int8", n, k, sparseI8.FirstUs, sparseI8.SecondUs, sparseI8Bytes / denseI8Bytes),
            new("sparse2of4.fp32", n, k, f24.FirstUs, f24.SecondUs, f24Bytes / denseF32Bytes),
            new("sparse2of4.int8", n, k, i24.FirstUs, i24.SecondUs, i24Bytes / denseI8Bytes),
        ];
    }

    /// <summary>
    /// The fp32 unstructured kernel against the dense one over a range of sparsities, for the cost rule's thresholds
    /// (<see cref="SparseLayout.PrefersUnstructured"/>): one row per shape, dense / sparse time per sparsity.
    /// </summary>
    public static void Sweep(bool quick)
    {
        double[] sparsities = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
        Console.WriteLine($"fp32 unstructured vs dense, batch 1, speedup (dense us / sparse us) at sparsity {string.Join(" / ", sparsities)}");
        foreach (var (n, k, fromMemory) in new[] { (4096, 4096, true), (1024, 4096, true), (512, 1024, false), (256, 784, false) })
        {
            var random = new Random(n + k);
            float[] w = new float[n * k], x = new float[k], y = new float[n];
            for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 2 - 1);
            for (int i = 0; i < k; i++) x[i] = (float)(random.NextDouble() - 0.5);
            var speedups = new List<string>();
            foreach (double sparsity in sparsities)
            {
                int kept = SparseLayout.KeptPerRow(k, sparsity);
                var values = new float[SparseLayout.UnstructuredValueCount(n, k, kept)];
                var index = new byte[SparseLayout.UnstructuredStructureBytes(n, k, kept)];
                MagnitudePruner.PruneUnstructured(w, n, k, kept, values, index);
                var (dense, sparse) = Timing.AlternatingMedians(fromMemory, quick, 4.0 * n * k, () =>
                {
                    float[] wc = (float[])w.Clone();
                    return () => DenseKernels.Float32(x, wc, default, y, 1, k, n, Activation.None);
                }, 6.0 * values.Length, () =>
                {
                    float[] vc = (float[])values.Clone();
                    byte[] ic = (byte[])index.Clone();
                    return () => DenseKernels.SparseFloat32(x, vc, ic, default, y, 1, k, n, kept, Activation.None);
                });
                speedups.Add($"{dense / sparse:F2}");
            }
            Console.WriteLine($"{k} x {n} ({(fromMemory ? "from memory" : "cached")}): {string.Join(" / ", speedups)}");
        }
    }

    private static (sbyte[] Q, float[] Scales) Quantize(float[] w, int rows, int cols)
    {
        var q = new sbyte[w.Length];
        var scales = new float[rows];
        Int8Quantizer.QuantizeRows(w, rows, cols, q, scales);
        return (q, scales);
    }
}
