using ModelGen.Kernels;
using ModelGen.Quantization;

namespace ModelGen.Bench;

/// <summary>
/// 4096 x 4096 codebook matrix-vector products from main memory (per-row fp16 codebooks; enough copies to exceed the
/// L3, as <see cref="GemvBench"/> does), 16 centroids (4-bit indices, 8 MiB) and 256 (8-bit, 16 MiB), to compare with
/// the fp32 and int8 GEMV measured in the same run.
/// </summary>
public static class CodebookBench
{
    private const int Size = 4096;
    private const int WorkingSetBytes = 64 << 20;

    /// <summary>Microseconds per product with <paramref name="centroids"/> (16 or 256) per-row centroids.</summary>
    public static double Gemv(int centroids, bool quick)
    {
        int indexBytes = Size * CodebookQuantizer.IndexBytesPerRow(Size, centroids);
        int copies = Math.Max(1, WorkingSetBytes / indexBytes);
        var random = new Random(42);
        var indices = new byte[copies][];
        var codebooks = new ushort[copies][];
        for (int c = 0; c < copies; c++)
        {
            indices[c] = new byte[indexBytes];
            random.NextBytes(indices[c]);
            codebooks[c] = new ushort[Size * centroids];
            for (int i = 0; i < codebooks[c].Length; i++)
            {
                codebooks[c][i] = BitConverter.HalfToUInt16Bits((Half)(random.NextDouble() - 0.5));
            }
        }

        var x = new float[Size];
        var y = new float[Size];
        for (int i = 0; i < Size; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
        }

        int next = 0;
        return Timing.MedianMicroseconds(() =>
        {
            int c = next++ % copies;
            DenseKernels.Codebook(x, indices[c], codebooks[c], default, y, 1, Size, Size, centroids, perRow: true, Activation.None);
        }, quick, 200);
    }
}
