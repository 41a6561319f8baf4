using System.Runtime.CompilerServices;
using ModelGen.Quantization;

namespace ModelGen.Kernels;

public static partial class DenseKernels
{
    /// <summary>
    /// Codebook (k-means, weight-sharing) weights as written by <see cref="CodebookQuantizer"/>: each weight is an index
    /// into 16 (4-bit, two per byte, element 2i in the low nibble, rows of (k + 1) / 2 bytes) or 256 (8-bit, rows of k
    /// bytes) fp16 centroids, one codebook per output row (<paramref name="perRow"/>, codebook [n, centroids]) or one
    /// for the tensor ([1, centroids]); fp32 accumulation.
    /// </summary>
    /// <remarks>
    /// Every path widens the row's codebook to fp32 once per row (once per call for a shared codebook), then looks
    /// the weights up in it: AVX2 looks 32 weights of 16 entries up at a time with VPSHUFB on the table's byte planes
    /// (two VPERMPS and a blend per 8 for the rest), NEON keeps them in four registers (TBL on the table's bytes); 256
    /// entries are loaded lane by lane (faster than VGATHERDPS). SIMD paths sum in several accumulators, so they match
    /// the scalar reference within fp32 reordering error, not bit for bit.
    /// Batch 1 multiplies the looked-up weights into x directly; larger batches widen a chunk of the row once and
    /// reuse it for every x row. The lookups, not memory, bound the speed: measurements in DenseCodebookAvx2's remarks.
    /// </remarks>
    public static void Codebook(ReadOnlySpan<float> x, ReadOnlySpan<byte> indices, ReadOnlySpan<ushort> codebook,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int centroids, bool perRow, Activation activation) =>
        Codebook(KernelPaths.Best, x, indices, codebook, bias, y, batch, k, n, centroids, perRow, activation);

    /// <summary>The public Codebook on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Codebook(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<byte> indices,
        ReadOnlySpan<ushort> codebook, ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int centroids,
        bool perRow, Activation activation)
    {
        CodebookQuantizer.CheckCentroids(centroids);
        // Validate checks the shape, x, bias and y; the weights are index bytes, checked below instead of n * k.
        Validate(path, x, int.MaxValue, bias, y, batch, k, n, activation);
        int rowBytes = CodebookQuantizer.IndexBytesPerRow(k, centroids);
        CheckLength(indices.Length, (long)n * rowBytes, nameof(indices), centroids == 16 ? "n * (k + 1) / 2 (4-bit indices)" : "n * k (8-bit indices)");
        CheckLength(codebook.Length, (perRow ? (long)n : 1) * centroids, nameof(codebook),
            perRow ? "n * centroids (one codebook per row)" : "centroids (one shared codebook)");

        var a = new CodebookDense(x, indices, codebook, bias, y, batch, k, n, centroids, perRow, rowBytes, activation);
        switch (path)
        {
            case KernelPath.Avx2: DenseCodebook.Run<DenseCodebookAvx2>(in a); break;
            case KernelPath.Vector128: DenseCodebook.Run<DenseCodebook128<PortableFma128>>(in a); break;
            // SDOT is int8-only: both arm64 paths share the TBL lookups.
            case KernelPath.AdvSimd or KernelPath.AdvSimdDp: DenseCodebook.Run<DenseCodebookAdvSimd>(in a); break;
            default: DenseCodebookScalar.Run(in a); break;
        }
    }
}
