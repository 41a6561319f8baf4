using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Bench;

/// <summary>
/// Batch-1 sparse dense layers against the dense kernel of the same value type, same shape, same run: unstructured
/// at 80% sparsity (fp32: values + uint16 column indices; int8: values + bitmask) and 2:4, fp32 and int8. 4096 x 4096 cycles through enough copies of
/// every operand to exceed the L3 (from main memory, as <see cref="GemvBench"/>); 784 x 256 reuses one (cache-resident).
/// </summary>
public static class SparseBench
{
    private const long WorkingSetBytes = 64L << 20;
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
        var (q24, q24Scales) = Quantize(values24, n, values24.Length / n);

        double denseF32Bytes = 4.0 * n * k, denseI8Bytes = (double)n * k + 4.0 * n;
        double denseF32 = Time(fromMemory, quick, denseF32Bytes, () =>
        {
            float[] wc = (float[])w.Clone();
            return () => DenseKernels.Float32(x, wc, default, y, 1, k, n, Activation.None);
        });
        double denseI8 = Time(fromMemory, quick, denseI8Bytes, () =>
        {
            sbyte[] qc = (sbyte[])q.Clone();
            float[] sc = (float[])scales.Clone();
            return () => DenseKernels.Int8(x, qc, sc, default, y, 1, k, n, Activation.None, xq, xScales);
        });

        double sparseF32Bytes = 4.0 * values.Length + index.Length;
        double sparseF32 = Time(fromMemory, quick, sparseF32Bytes, () =>
        {
            float[] vc = (float[])values.Clone();
            byte[] mc = (byte[])index.Clone();
            return () => DenseKernels.SparseFloat32(x, vc, mc, default, y, 1, k, n, kept, Activation.None);
        });
        double sparseI8Bytes = qValues.Length + mask.Length + 4.0 * n;
        double sparseI8 = Time(fromMemory, quick, sparseI8Bytes, () =>
        {
            sbyte[] vc = (sbyte[])qValues.Clone();
            byte[] mc = (byte[])mask.Clone();
            float[] sc = (float[])qScales.Clone();
            return () => DenseKernels.SparseInt8(x, vc, mc, sc, default, y, 1, k, n, kept, Activation.None, xq, xScales);
        });
        double f24Bytes = 4.0 * values24.Length + meta.Length;
        double f24 = Time(fromMemory, quick, f24Bytes, () =>
        {
            float[] vc = (float[])values24.Clone();
            byte[] mc = (byte[])meta.Clone();
            return () => DenseKernels.TwoOfFourFloat32(x, vc, mc, default, y, 1, k, n, Activation.None);
        });
        double i24Bytes = q24.Length + meta.Length + 4.0 * n;
        double i24 = Time(fromMemory, quick, i24Bytes, () =>
        {
            sbyte[] vc = (sbyte[])q24.Clone();
            byte[] mc = (byte[])meta.Clone();
            float[] sc = (float[])q24Scales.Clone();
            return () => DenseKernels.TwoOfFourInt8(x, vc, mc, sc, default, y, 1, k, n, Activation.None, xq, xScales);
        });

        return
        [
            new("sparse80.fp32", n, k, denseF32, sparseF32, sparseF32Bytes / denseF32Bytes),
            new("sparse80.int8", n, k, denseI8, sparseI8, sparseI8Bytes / denseI8Bytes),
            new("sparse2of4.fp32", n, k, denseF32, f24, f24Bytes / denseF32Bytes),
            new("sparse2of4.int8", n, k, denseI8, i24, i24Bytes / denseI8Bytes),
        ];
    }

    private static (sbyte[] Q, float[] Scales) Quantize(float[] w, int rows, int cols)
    {
        var q = new sbyte[w.Length];
        var scales = new float[rows];
        Int8Quantizer.QuantizeRows(w, rows, cols, q, scales);
        return (q, scales);
    }

    // From memory: enough copies of the operands to exceed the caches; each call uses the next copy.
    private static double Time(bool fromMemory, bool quick, double bytes, Func<Action> makeCopy)
    {
        int copies = fromMemory ? (int)Math.Max(1, WorkingSetBytes / bytes) : 1;
        var calls = new Action[copies];
        for (int c = 0; c < copies; c++) calls[c] = makeCopy();
        int next = 0;
        return Timing.MedianMicroseconds(() => calls[next++ % copies](), quick, fromMemory ? 200 : 40);
    }
}
