using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The batched AVX2 int8 kernel in the broadcast-x form: 16 W rows (a panel) are interleaved on the fly, 4 bytes
/// (one k-quad) of each row side by side, into a stack buffer; then each int32 lane of an accumulator holds one
/// output column, fed by a broadcast x quad, so no horizontal sums are needed and a tile (4 x rows x 16 columns)
/// runs the whole k range. The repack costs ~2% of the work it serves at batch 64 and needs no memory beyond the
/// 16 KiB of stack. k is split into chunks of <see cref="KChunk"/>; partial sums wait in y (as int32 bits).
/// </summary>
internal static class DenseInt8PanelsAvx2
{
    public const int Columns = 16;
    public const int Rows = 4;
    private const int KChunk = 1024;

    /// <summary>
    /// Parks in y the int32 dot products of x rows b0 .. b0 + 4 * groups - 1 with W rows 0 .. 16 * panels - 1.
    /// Bit r of <paramref name="nonNegative"/> says whether x row b0 + r has no negative value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static unsafe void Run(in Int8Dense a, int b0, int groups, ulong nonNegative, int panels)
    {
        byte* packed = stackalloc byte[Columns * KChunk];
        for (int p = 0; p < panels; p++)
        {
            for (int k0 = 0; k0 < a.K; k0 += KChunk)
            {
                int kc = Math.Min(KChunk, a.K - k0);
                Pack(in a, Columns * p, k0, kc, packed);
                for (int g = 0; g < groups; g++)
                {
                    int r = Rows * g;
                    if (((nonNegative >> r) & 0xF) == 0xF)
                        Tile<NonNegativeX256>(in a, b0 + r, Columns * p, k0, kc, packed);
                    else
                        Tile<SignedX256>(in a, b0 + r, Columns * p, k0, kc, packed);
                }
            }
        }
    }

    /// <summary>
    /// W rows j0 .. j0 + 15, columns k0 .. k0 + kc - 1, as k-quads: quad q is 64 bytes, the 4 bytes of rows
    /// j0 .. j0 + 7, then of rows j0 + 8 .. j0 + 15. The last quad is padded with zero weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Pack(in Int8Dense a, int j0, int k0, int kc, byte* packed)
    {
        nuint k = (nuint)a.K;
        int i = 0;
        for (; i + 32 <= kc; i += 32)
            for (int half = 0; half < 2; half++)
            {
                ref sbyte w = ref Unsafe.Add(ref a.WRow(j0 + 8 * half), k0 + i);
                Transpose8x8(ref w, k, packed + 2 * i * 8 + 32 * half);
            }
        for (; i < kc; i += 4)
            for (int r = 0; r < Columns; r++)
            {
                ref sbyte w = ref Unsafe.Add(ref a.WRow(j0 + r), k0 + i);
                *(int*)(packed + 16 * i + 4 * r) = i + 4 <= kc
                    ? Unsafe.ReadUnaligned<int>(ref Unsafe.As<sbyte, byte>(ref w)) : PartialQuadBits(ref w, kc - i);
            }
    }

    /// <summary>8 rows x 8 quads (32 bytes of each row) to 8 vectors of one quad from each row: a dword transpose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(ref sbyte w, nuint stride, byte* dst)
    {
        Vector256<int> r0 = Vector256.LoadUnsafe(ref w).AsInt32();
        Vector256<int> r1 = Vector256.LoadUnsafe(ref w, stride).AsInt32();
        Vector256<int> r2 = Vector256.LoadUnsafe(ref w, 2 * stride).AsInt32();
        Vector256<int> r3 = Vector256.LoadUnsafe(ref w, 3 * stride).AsInt32();
        Vector256<int> r4 = Vector256.LoadUnsafe(ref w, 4 * stride).AsInt32();
        Vector256<int> r5 = Vector256.LoadUnsafe(ref w, 5 * stride).AsInt32();
        Vector256<int> r6 = Vector256.LoadUnsafe(ref w, 6 * stride).AsInt32();
        Vector256<int> r7 = Vector256.LoadUnsafe(ref w, 7 * stride).AsInt32();
        // Row dwords a0..a7 etc.: after the 32-bit and 64-bit unpacks, u0 = a0 b0 c0 d0 | a4 b4 c4 d4, and so on.
        Vector256<int> t0 = Avx2.UnpackLow(r0, r1), t1 = Avx2.UnpackHigh(r0, r1);
        Vector256<int> t2 = Avx2.UnpackLow(r2, r3), t3 = Avx2.UnpackHigh(r2, r3);
        Vector256<int> t4 = Avx2.UnpackLow(r4, r5), t5 = Avx2.UnpackHigh(r4, r5);
        Vector256<int> t6 = Avx2.UnpackLow(r6, r7), t7 = Avx2.UnpackHigh(r6, r7);
        Vector256<long> u0 = Avx2.UnpackLow(t0.AsInt64(), t2.AsInt64()), u1 = Avx2.UnpackHigh(t0.AsInt64(), t2.AsInt64());
        Vector256<long> u2 = Avx2.UnpackLow(t1.AsInt64(), t3.AsInt64()), u3 = Avx2.UnpackHigh(t1.AsInt64(), t3.AsInt64());
        Vector256<long> u4 = Avx2.UnpackLow(t4.AsInt64(), t6.AsInt64()), u5 = Avx2.UnpackHigh(t4.AsInt64(), t6.AsInt64());
        Vector256<long> u6 = Avx2.UnpackLow(t5.AsInt64(), t7.AsInt64()), u7 = Avx2.UnpackHigh(t5.AsInt64(), t7.AsInt64());
        // Quad q of the 8 rows goes to dst + 64 q (the other 8 rows of the panel fill the gaps).
        Avx2.Permute2x128(u0, u4, 0x20).Store((long*)dst);
        Avx2.Permute2x128(u1, u5, 0x20).Store((long*)(dst + 64));
        Avx2.Permute2x128(u2, u6, 0x20).Store((long*)(dst + 128));
        Avx2.Permute2x128(u3, u7, 0x20).Store((long*)(dst + 192));
        Avx2.Permute2x128(u0, u4, 0x31).Store((long*)(dst + 256));
        Avx2.Permute2x128(u1, u5, 0x31).Store((long*)(dst + 320));
        Avx2.Permute2x128(u2, u6, 0x31).Store((long*)(dst + 384));
        Avx2.Permute2x128(u3, u7, 0x31).Store((long*)(dst + 448));
    }

    /// <summary>4 x rows b .. b + 3 against the packed panel: 8 accumulators (2 per row), each lane one column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile<TP>(in Int8Dense a, int b, int j0, int k0, int kc, byte* packed)
        where TP : struct, IInt8Product256
    {
        ref sbyte x0 = ref Unsafe.Add(ref a.XRow(b), k0);
        ref sbyte x1 = ref Unsafe.Add(ref x0, a.K);
        ref sbyte x2 = ref Unsafe.Add(ref x1, a.K);
        ref sbyte x3 = ref Unsafe.Add(ref x2, a.K);
        ref float y = ref a.YAt(b, j0);
        nuint n = (nuint)a.N;
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector256<int> c4 = default, c5 = default, c6 = default, c7 = default;
        if (k0 > 0)
        {
            c0 = Vector256.LoadUnsafe(ref y).AsInt32();
            c1 = Vector256.LoadUnsafe(ref y, 8).AsInt32();
            c2 = Vector256.LoadUnsafe(ref y, n).AsInt32();
            c3 = Vector256.LoadUnsafe(ref y, n + 8).AsInt32();
            c4 = Vector256.LoadUnsafe(ref y, 2 * n).AsInt32();
            c5 = Vector256.LoadUnsafe(ref y, 2 * n + 8).AsInt32();
            c6 = Vector256.LoadUnsafe(ref y, 3 * n).AsInt32();
            c7 = Vector256.LoadUnsafe(ref y, 3 * n + 8).AsInt32();
        }
        int full = kc & ~3;
        for (int i = 0; i < full; i += 4)
        {
            Vector256<sbyte> lo = Vector256.Load((sbyte*)packed + 16 * i);
            Vector256<sbyte> hi = Vector256.Load((sbyte*)packed + 16 * i + 32);
            Vector256<sbyte> xv = Quad(ref x0, i);
            c0 = TP.Accumulate(c0, lo, xv);
            c1 = TP.Accumulate(c1, hi, xv);
            xv = Quad(ref x1, i);
            c2 = TP.Accumulate(c2, lo, xv);
            c3 = TP.Accumulate(c3, hi, xv);
            xv = Quad(ref x2, i);
            c4 = TP.Accumulate(c4, lo, xv);
            c5 = TP.Accumulate(c5, hi, xv);
            xv = Quad(ref x3, i);
            c6 = TP.Accumulate(c6, lo, xv);
            c7 = TP.Accumulate(c7, hi, xv);
        }
        if (full < kc)
        {
            // The last 1..3 bytes of each row, read byte by byte: a 4-byte read could pass the end of xq.
            int rest = kc - full;
            Vector256<sbyte> lo = Vector256.Load((sbyte*)packed + 16 * full);
            Vector256<sbyte> hi = Vector256.Load((sbyte*)packed + 16 * full + 32);
            Vector256<sbyte> xv = PartialQuad(ref x0, full, rest);
            c0 = TP.Accumulate(c0, lo, xv);
            c1 = TP.Accumulate(c1, hi, xv);
            xv = PartialQuad(ref x1, full, rest);
            c2 = TP.Accumulate(c2, lo, xv);
            c3 = TP.Accumulate(c3, hi, xv);
            xv = PartialQuad(ref x2, full, rest);
            c4 = TP.Accumulate(c4, lo, xv);
            c5 = TP.Accumulate(c5, hi, xv);
            xv = PartialQuad(ref x3, full, rest);
            c6 = TP.Accumulate(c6, lo, xv);
            c7 = TP.Accumulate(c7, hi, xv);
        }
        c0.AsSingle().StoreUnsafe(ref y);
        c1.AsSingle().StoreUnsafe(ref y, 8);
        c2.AsSingle().StoreUnsafe(ref y, n);
        c3.AsSingle().StoreUnsafe(ref y, n + 8);
        c4.AsSingle().StoreUnsafe(ref y, 2 * n);
        c5.AsSingle().StoreUnsafe(ref y, 2 * n + 8);
        c6.AsSingle().StoreUnsafe(ref y, 3 * n);
        c7.AsSingle().StoreUnsafe(ref y, 3 * n + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Quad(ref sbyte x, int i) =>
        Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, i)))).AsSByte();

    // Inlined, loop included: a call in the tile would make the JIT keep its accumulators on the stack.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> PartialQuad(ref sbyte x, int i, int count) =>
        Vector256.Create(PartialQuadBits(ref Unsafe.Add(ref x, i), count)).AsSByte();

    /// <summary>The first 1..3 bytes at <paramref name="p"/> as a little-endian int, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PartialQuadBits(ref sbyte p, int count)
    {
        int quad = 0;
        for (int t = 0; t < count; t++)
            quad |= (byte)Unsafe.Add(ref p, t) << (8 * t);
        return quad;
    }
}
