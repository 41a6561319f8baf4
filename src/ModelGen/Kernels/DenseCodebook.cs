using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

/// <summary>The validated operands of one codebook dense call (see <see cref="DenseKernels.Codebook(ReadOnlySpan{float}, ReadOnlySpan{byte}, ReadOnlySpan{ushort}, ReadOnlySpan{float}, Span{float}, int, int, int, int, bool, Activation)"/>).</summary>
internal readonly ref struct CodebookDense
{
    public readonly ref float X;
    public readonly ref byte Indices;
    public readonly ref ushort Codebook;
    public readonly ref float Bias;
    public readonly ref float Y;
    public readonly int Batch, K, N, Centroids, RowBytes;
    public readonly bool PerRow, HasBias;
    public readonly Activation Activation;

    public CodebookDense(ReadOnlySpan<float> x, ReadOnlySpan<byte> indices, ReadOnlySpan<ushort> codebook,
        ReadOnlySpan<float> bias, Span<float> y, int batch, int k, int n, int centroids, bool perRow, int rowBytes,
        Activation activation)
    {
        X = ref MemoryMarshal.GetReference(x);
        Indices = ref MemoryMarshal.GetReference(indices);
        Codebook = ref MemoryMarshal.GetReference(codebook);
        Bias = ref MemoryMarshal.GetReference(bias);
        Y = ref MemoryMarshal.GetReference(y);
        Batch = batch;
        K = k;
        N = n;
        Centroids = centroids;
        PerRow = perRow;
        RowBytes = rowBytes;
        HasBias = !bias.IsEmpty;
        Activation = activation;
    }

    public ref float XRow(int b) => ref Unsafe.Add(ref X, (nint)b * K);

    public ref byte IndexRow(int j) => ref Unsafe.Add(ref Indices, (nint)j * RowBytes);

    /// <summary>Row j's codebook (the shared one when not per row).</summary>
    public ref ushort CodebookOf(int j) => ref Unsafe.Add(ref Codebook, PerRow ? (nint)j * Centroids : 0);

    public ref float YAt(int b, int j) => ref Unsafe.Add(ref Y, (nint)b * N + j);

    /// <summary>Adds the bias, applies the activation and writes y[b, j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int b, int j, float sum)
    {
        if (HasBias) sum += Unsafe.Add(ref Bias, j);
        YAt(b, j) = ActivationFunctions.Apply(sum, Activation);
    }

    /// <summary>Index i (4- or 8-bit) of a row of indices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexAt(ref byte row, int i, int centroids) =>
        centroids == 256 ? Unsafe.Add(ref row, i) : (Unsafe.Add(ref row, i >> 1) >> ((i & 1) * 4)) & 0xF;
}

/// <summary>What a SIMD path supplies to <see cref="DenseCodebook.Run{TPath}"/>.</summary>
internal interface ICodebookPath
{
    /// <summary>Widens <paramref name="count"/> (16 or 256) fp16 codebook entries to fp32.</summary>
    static abstract void WidenCodebook(ref ushort codebook, int count, ref float table);

    /// <summary>sum over i &lt; k of x[i] * table[index i], 4-bit indices.</summary>
    static abstract float Dot16(ref float x, ref byte indices, ref float table, int k);

    /// <summary>sum over i &lt; k of x[i] * table[index i], 8-bit indices.</summary>
    static abstract float Dot256(ref float x, ref byte indices, ref float table, int k);

    /// <summary>w[i] = table[index i] for i &lt; count, 4-bit indices starting at a byte boundary.</summary>
    static abstract void Decode16(ref byte indices, ref float table, ref float w, int count);

    /// <summary>w[i] = table[index i] for i &lt; count, 8-bit indices.</summary>
    static abstract void Decode256(ref byte indices, ref float table, ref float w, int count);

    /// <summary>sum over i &lt; count of x[i] * w[i].</summary>
    static abstract float Dot(ref float x, ref float w, int count);
}

/// <summary>
/// The SIMD codebook kernels' shared loop: per output row the codebook widened to fp32 (once per call when shared);
/// batch 1 looks weights up and multiplies them into x in one pass (W is read once, nothing is stored); larger batches
/// widen a chunk of the row to fp32 once and take plain dot products with every x row's matching chunk, so the lookup
/// cost is paid once per weight, not once per weight and x row. Partial sums of long rows wait in y.
/// </summary>
internal static class DenseCodebook
{
    /// <summary>Weights widened per pass over the batch: 4 KiB, which stays in L1 next to the x chunks.</summary>
    private const int Chunk = 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Run<TPath>(in CodebookDense a) where TPath : struct, ICodebookPath
    {
        Span<float> tableSpan = stackalloc float[256];
        Span<float> chunkSpan = stackalloc float[Chunk];
        ref float table = ref MemoryMarshal.GetReference(tableSpan);
        ref float chunk = ref MemoryMarshal.GetReference(chunkSpan);
        bool nibbles = a.Centroids == 16;
        for (int j = 0; j < a.N; j++)
        {
            if (j == 0 || a.PerRow) TPath.WidenCodebook(ref a.CodebookOf(j), a.Centroids, ref table);
            ref byte indices = ref a.IndexRow(j);
            if (a.Batch == 1)
            {
                float sum = nibbles ? TPath.Dot16(ref a.X, ref indices, ref table, a.K) : TPath.Dot256(ref a.X, ref indices, ref table, a.K);
                a.Store(0, j, sum);
                continue;
            }

            for (int start = 0; start < a.K; start += Chunk)
            {
                int count = Math.Min(Chunk, a.K - start);
                if (nibbles)
                    TPath.Decode16(ref Unsafe.Add(ref indices, start / 2), ref table, ref chunk, count);
                else
                    TPath.Decode256(ref Unsafe.Add(ref indices, start), ref table, ref chunk, count);
                for (int b = 0; b < a.Batch; b++)
                {
                    float partial = TPath.Dot(ref Unsafe.Add(ref a.XRow(b), start), ref chunk, count);
                    ref float y = ref a.YAt(b, j);
                    y = start == 0 ? partial : y + partial;
                }
            }

            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, a.K == 0 ? 0f : a.YAt(b, j));
        }
    }
}
