using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelGen.Numerics;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 int4 kernels. A 32-byte load of W holds 64 values (two 32-value chunks, see
/// <see cref="Quantization.Int4Quantizer"/>); one mask gives the chunks' first halves, a shift and the mask their
/// second halves, and VPMADDUBSW multiplies those unsigned nibbles by signed xq without saturating (pair sums at most
/// 2 * 15 * 127). For that x is first reordered per 64 values to match (<see cref="ToLoadOrder"/>). Blocks are
/// handled 8 at a time: their int32 dot products are reduced with VPHADDD into one vector, lane i for block i,
/// which is scaled and added to the 8 float partial sums of <see cref="Int4Dense"/> in one step, lane for lane
/// the scalar reference's operations. Rows pass over x 4 (or, for batch 1 from memory, <see cref="StridedRows"/>)
/// at a time, sharing x's block sums.
/// </summary>
internal static class DenseInt4Avx2
{
    private const int ChunkBlocks = 8;

    /// <summary>Most W rows in one pass over an x row.</summary>
    private const int MaxRows = 8;

    /// <summary>W rows per pass when W is larger than this (streams from L3 or memory) and batch is 1.</summary>
    private const long StridedAboveBytes = 512 * 1024;

    /// <summary>W rows per batch-1 pass from memory, each from its own part of W (as DenseInt8Avx2.Strided8).</summary>
    private const int StridedRows = 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Run(in Int4Dense a)
    {
        for (int b = 0; b < a.Batch; b++)
            ToLoadOrder(ref a.XRow(b), a.K);
        Span<Vector256<float>> acc = stackalloc Vector256<float>[MaxRows];
        int j = 0;
        if (a.Batch == 1 && (long)a.N * a.K / 2 > StridedAboveBytes)
        {
            int stride = a.N / StridedRows;
            for (; j < stride; j++)
                Pass(in a, j, stride, StridedRows, 0, acc);
            j = StridedRows * stride;
        }
        for (; j < a.N; j += 4)
        {
            int rows = Math.Min(4, a.N - j);
            for (int b = 0; b < a.Batch; b++)
                Pass(in a, j, 1, rows, b, acc);
        }
    }

    /// <summary>
    /// Reorders each full 64 values of an xq row as x[0..15], x[32..47], x[16..31], x[48..63]: the order in which a
    /// 32-byte W load's masked and shifted nibbles come out. A final 32 values (k = 64m + 32) stay as they are.
    /// </summary>
    private static void ToLoadOrder(ref sbyte x, int k)
    {
        for (nuint i = 0; i + 64 <= (nuint)k; i += 64)
        {
            Vector256<sbyte> v0 = Vector256.LoadUnsafe(ref x, i), v1 = Vector256.LoadUnsafe(ref x, i + 32);
            Avx2.Permute2x128(v0, v1, 0x20).StoreUnsafe(ref x, i);
            Avx2.Permute2x128(v0, v1, 0x31).StoreUnsafe(ref x, i + 32);
        }
    }

    /// <summary>W rows j, j + stride, .. (rows of them) against x row b; writes their outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass(in Int4Dense a, int j, int stride, int rows, int b, Span<Vector256<float>> acc)
    {
        acc[..rows].Clear();
        ref sbyte x = ref a.XRow(b);
        ref float xScales = ref a.XScaleRow(b);
        int gs = a.GroupSize;
        for (int g0 = 0; g0 < a.Blocks; g0 += ChunkBlocks)
        {
            int count = Math.Min(ChunkBlocks, a.Blocks - g0);
            ref sbyte xc = ref Unsafe.Add(ref x, (nint)g0 * gs);
            Vector256<int> xSums = gs == 32 && count == ChunkBlocks ? default : BlockSums(ref xc, ref Unsafe.NullRef<byte>(), count, gs, ones: true);
            Vector256<float> xs = count == ChunkBlocks ? Vector256.LoadUnsafe(ref xScales, (nuint)g0) : default;
            bool full32 = gs == 32 && count == ChunkBlocks;
            if (full32) xSums = Sums32(ref xc);
            Vector256<float> xSumsF = Vector256.ConvertToSingle(xSums);
            for (int r = 0; r < rows; r++)
            {
                int row = j + r * stride;
                ref byte wc = ref Unsafe.Add(ref a.WRow(row), (nint)g0 * gs / 2);
                Vector256<int> dots = full32 ? Dots32(ref xc, ref wc) : BlockSums(ref xc, ref wc, count, gs, ones: false);
                Vector256<float> s = ScaleProducts(in a, ref a.ScaleRow(row), ref xScales, xs, g0, count);
                Vector256<float> value;
                if (!a.Asymmetric)
                {
                    value = Vector256.ConvertToSingle(dots - (xSums << 3)) * s;
                }
                else
                {
                    Vector256<float> m = ScaleProducts(in a, ref a.MinRow(row), ref xScales, xs, g0, count);
                    value = Vector256.ConvertToSingle(dots) * s + xSumsF * m;
                }
                Unsafe.Add(ref MemoryMarshal.GetReference(acc), r) += value;
            }
        }
        for (int r = 0; r < rows; r++)
            a.Store(b, j + r * stride, acc[r].GetLower(), acc[r].GetUpper());
    }

    /// <summary>The common case, spelled out branch-free: 8 whole blocks of 32, sum xq * nibble per block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dots32(ref sbyte x, ref byte w)
    {
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<int> h = Avx2.HorizontalAdd(
            Avx2.HorizontalAdd(Load32(ref x, ref w, 0, mask), Load32(ref x, ref w, 1, mask)),
            Avx2.HorizontalAdd(Load32(ref x, ref w, 2, mask), Load32(ref x, ref w, 3, mask)));
        return Avx2.PermuteVar8x32(h, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Load32(ref sbyte x, ref byte w, nuint u, Vector256<byte> mask)
    {
        Vector256<byte> packed = Vector256.LoadUnsafe(ref w, u * 32);
        Vector256<short> p = Avx2.MultiplyAddAdjacent(packed & mask, Vector256.LoadUnsafe(ref x, u * 64))
            + Avx2.MultiplyAddAdjacent((packed.AsUInt16() >> 4).AsByte() & mask, Vector256.LoadUnsafe(ref x, u * 64 + 32));
        return Avx2.MultiplyAddAdjacent(p, Vector256<short>.One);
    }

    /// <summary>8 whole blocks of 32: sum xq per block.</summary>
    private static Vector256<int> Sums32(ref sbyte x)
    {
        Vector256<int> h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(XLoad32(ref x, 0), XLoad32(ref x, 1)),
            Avx2.HorizontalAdd(XLoad32(ref x, 2), XLoad32(ref x, 3)));
        return Avx2.PermuteVar8x32(h, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> XLoad32(ref sbyte x, nuint u) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256<byte>.One, Vector256.LoadUnsafe(ref x, u * 64))
            + Avx2.MultiplyAddAdjacent(Vector256<byte>.One, Vector256.LoadUnsafe(ref x, u * 64 + 32)), Vector256<short>.One);

    /// <summary>
    /// xScale * the fp16 values (scales or mins) of blocks g0 .. g0 + count - 1 in lanes 0 .. count - 1; the lanes past
    /// count are -0, whose products with the missing blocks' zero sums add -0: no change to any partial sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ScaleProducts(in Int4Dense a, ref ushort halfRow, ref float xScales, Vector256<float> xs, int g0, int count)
    {
        if (count == ChunkBlocks)
        {
            Vector128<short> h = Vector128.LoadUnsafe(ref Unsafe.As<ushort, short>(ref halfRow), (nuint)g0);
            return xs * HalfConvert.ToSingle(Avx2.ConvertToVector256Int32(h));
        }
        Vector256<float> v = Vector256.Create(-0f);
        for (int i = 0; i < count; i++)
            v = v.WithElement(i, Unsafe.Add(ref xScales, g0 + i) * HalfConversion.ToSingle(Unsafe.Add(ref halfRow, g0 + i)));
        return v;
    }

    /// <summary>
    /// The exact int32 sums of <paramref name="count"/> (1..8) blocks in lanes 0.. count - 1 (zeros after): sum xq *
    /// nibble, or with <paramref name="ones"/> sum xq (<paramref name="w"/> unused).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> BlockSums(ref sbyte x, ref byte w, int count, int gs, bool ones)
    {
        if (gs == 32)
        {
            // A load covers blocks 2u and 2u + 1: lanes 0-3 and 4-7 of its products. Reduced: blocks 0 2 4 6 | 1 3 5 7.
            Vector256<int> p0 = Unit32(ref x, ref w, 0, count, ones), p1 = Unit32(ref x, ref w, 1, count, ones);
            Vector256<int> p2 = Unit32(ref x, ref w, 2, count, ones), p3 = Unit32(ref x, ref w, 3, count, ones);
            Vector256<int> h = Avx2.HorizontalAdd(Avx2.HorizontalAdd(p0, p1), Avx2.HorizontalAdd(p2, p3));
            return Avx2.PermuteVar8x32(h, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7));
        }
        int loads = gs / 64;
        Vector256<int> v0 = Block(ref x, ref w, 0, count, loads, ones), v1 = Block(ref x, ref w, 1, count, loads, ones);
        Vector256<int> v2 = Block(ref x, ref w, 2, count, loads, ones), v3 = Block(ref x, ref w, 3, count, loads, ones);
        Vector256<int> v4 = Block(ref x, ref w, 4, count, loads, ones), v5 = Block(ref x, ref w, 5, count, loads, ones);
        Vector256<int> v6 = Block(ref x, ref w, 6, count, loads, ones), v7 = Block(ref x, ref w, 7, count, loads, ones);
        // Each block's 8 lanes -> its two 128-bit half sums, blocks 0-3 in c and 4-7 in d, then the halves added.
        Vector256<int> c = Avx2.HorizontalAdd(Avx2.HorizontalAdd(v0, v1), Avx2.HorizontalAdd(v2, v3));
        Vector256<int> d = Avx2.HorizontalAdd(Avx2.HorizontalAdd(v4, v5), Avx2.HorizontalAdd(v6, v7));
        return Avx2.Permute2x128(c, d, 0x20) + Avx2.Permute2x128(c, d, 0x31);
    }

    /// <summary>Group size 32: the int32 lanes of the 32-byte load u (blocks 2u, 2u + 1); a lone last block uses lanes 0-3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Unit32(ref sbyte x, ref byte w, int u, int count, bool ones)
    {
        if (2 * u + 2 <= count)
            return Products(ref x, ref w, (nuint)u * 64, ones);
        if (2 * u + 1 > count)
            return default;
        // The row's last block, alone (k = 64m + 32): 16 bytes, x in natural order.
        nuint i = (nuint)u * 64;
        Vector128<sbyte> xLow = Vector128.LoadUnsafe(ref x, i), xHigh = Vector128.LoadUnsafe(ref x, i + 16);
        Vector128<short> p;
        if (ones)
        {
            p = Ssse3.MultiplyAddAdjacent(Vector128<byte>.One, xLow) + Ssse3.MultiplyAddAdjacent(Vector128<byte>.One, xHigh);
        }
        else
        {
            Vector128<byte> packed = Vector128.LoadUnsafe(ref w, i / 2), mask = Vector128.Create((byte)0x0F);
            p = Ssse3.MultiplyAddAdjacent(packed & mask, xLow)
                + Ssse3.MultiplyAddAdjacent((packed.AsUInt16() >> 4).AsByte() & mask, xHigh);
        }
        return Vector256.Create(Sse2.MultiplyAddAdjacent(p, Vector128<short>.One), Vector128<int>.Zero);
    }

    /// <summary>Group size 64 or 128: block v's products over its <paramref name="loads"/> 32-byte loads, 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Block(ref sbyte x, ref byte w, int v, int count, int loads, bool ones)
    {
        if (v >= count)
            return default;
        nuint i = (nuint)(v * loads) * 64;
        if (loads == 1)
            return Products(ref x, ref w, i, ones);
        // 4 VPMADDUBSW pair sums stay within 4 * 3810 < 32768: add in int16, widen once.
        return Avx2.MultiplyAddAdjacent(Products16(ref x, ref w, i, ones) + Products16(ref x, ref w, i + 64, ones), Vector256<short>.One);
    }

    /// <summary>The 64 products at value offset i (a 32-byte W load), as 8 int32 lane sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Products(ref sbyte x, ref byte w, nuint i, bool ones) =>
        Avx2.MultiplyAddAdjacent(Products16(ref x, ref w, i, ones), Vector256<short>.One);

    /// <summary>The 64 products at value offset i as 16 int16 sums of 4 (at most 4 * 15 * 127).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Products16(ref sbyte x, ref byte w, nuint i, bool ones)
    {
        Vector256<sbyte> xLow = Vector256.LoadUnsafe(ref x, i), xHigh = Vector256.LoadUnsafe(ref x, i + 32);
        if (ones)
            return Avx2.MultiplyAddAdjacent(Vector256<byte>.One, xLow) + Avx2.MultiplyAddAdjacent(Vector256<byte>.One, xHigh);
        Vector256<byte> packed = Vector256.LoadUnsafe(ref w, i / 2), mask = Vector256.Create((byte)0x0F);
        return Avx2.MultiplyAddAdjacent(packed & mask, xLow)
            + Avx2.MultiplyAddAdjacent((packed.AsUInt16() >> 4).AsByte() & mask, xHigh);
    }
}
