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
/// 2 * 15 * 127). For that x is first reordered per 64 values to match (<see cref="ToLoadOrder"/>).
/// </summary>
/// <remarks>
/// <para>Blocks go 8 at a time (a chunk): a short VPHADDW/VPHADDD tree turns their products into one int32 vector of
/// exact block dot products in the lane order 0 2 4 6 | 1 3 5 7 (what the tree gives without a cross-lane permute),
/// and the chunk's 8 block values are then computed and added to the 8 float slots of <see cref="Int4Dense"/> in one
/// vector step each, lane for lane the scalar reference's operations; the slots stay in that lane order, which is
/// the order of <see cref="Int4Dense.Store(int, int, Vector128{float}, Vector128{float})"/>. The fp16 scales of a
/// chunk are shuffled into that order on load. The code is specialized per format and group size (generic structs),
/// so the chunk loop's one branch is whether x's share of the block values (<see cref="XTerm"/>) was computed ahead,
/// once per x row (up to <see cref="MaxStackTerms"/>), or is computed per chunk and pass. Batch 1 from L3 or memory passes over <see cref="StridedRows"/> far-apart rows at a time; otherwise 4
/// adjacent rows share a pass. A last chunk of fewer than 8 blocks takes the general (slower) block sums.</para>
/// <para>Cost (Zen 3, shared 2-core VM): ~8.4 ns per row and chunk of group-32 blocks from L2, against ~5.8 ns for
/// 256 values of the int8 GEMV. About 65 instructions: 4 W loads, 12 to unpack the nibbles, 8 VPMADDUBSW with x
/// folded in, 4 adds and the reduction tree, 10 for the fp16 scales, 5 float operations and the loop. Measured,
/// the tree costs ~1 ns, the unpacking shift ~0.5 ns, scales and float math ~2.5 ns. So the 4096 x 4096 GEMV from
/// memory stays compute-bound (~0.5 of a streaming read), about as fast as the memory-bound int8 GEMV.</para>
/// </remarks>
internal static class DenseInt4Avx2
{
    private const int ChunkBlocks = 8;

    /// <summary>Batch-1 passes take <see cref="StridedRows"/> far-apart rows when W is larger than this (streams from L3 or memory).</summary>
    private const long StridedAboveBytes = 512 * 1024;

    /// <summary>
    /// Batch-1 W rows per pass from L3 or memory, each from its own part of W: with their scale rows, 8 sequential
    /// streams (4096 x 4096 from memory: 8 rows, so 16 streams, ~990 us; 4 rows ~710 us, back-to-back runs; 8 rows
    /// with software prefetch ~770 us, 4 with ~715 us).
    /// </summary>
    private const int StridedRows = 4;

    /// <summary>Most precomputed x terms (ints) on the stack: 16 KiB.</summary>
    private const int MaxStackTerms = 4096;

    /// <summary>Lane i of a chunk vector holds block (slot) LaneOrder[i].</summary>
    private static Vector256<int> LaneOrder => Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in Int4Dense a)
    {
        for (int b = 0; b < a.Batch; b++)
            ToLoadOrder(ref a.XRow(b), a.K);
        if (a.Asymmetric)
            Run<Asymmetric4>(in a);
        else
            Run<Symmetric4>(in a);
    }

    private static void Run<TF>(in Int4Dense a) where TF : struct, IInt4Format
    {
        switch (a.GroupSize)
        {
            case 32: Run<TF, Group32>(in a); break;
            case 64: Run<TF, Group64>(in a); break;
            default: Run<TF, Group128>(in a); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Run<TF, TG>(in Int4Dense a) where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        // x's per-chunk terms once per x row, not once per pass, when they fit the stack (k up to 32768 per x row).
        int full = a.Blocks & ~(ChunkBlocks - 1);
        bool precompute = (long)a.Batch * full <= MaxStackTerms;
        Span<int> terms = precompute ? stackalloc int[a.Batch * full] : default;
        if (precompute)
            for (int b = 0; b < a.Batch; b++)
                for (int g = 0; g < full; g += ChunkBlocks)
                    XTerm<TF, TG>(ref Unsafe.Add(ref a.XRow(b), (nint)g * TG.Size)).StoreUnsafe(ref terms[b * full + g]);
        ref int t = ref MemoryMarshal.GetReference(terms);
        int j = 0;
        if (a.Batch == 1 && (long)a.N * a.K / 2 > StridedAboveBytes)
        {
            int stride = a.N / StridedRows;
            for (; j < stride; j++)
                Pass<TF, TG>(in a, j, stride, StridedRows, 0, ref t);
            j = StridedRows * stride;
        }
        for (; j < a.N; j += 4)
            for (int b = 0; b < a.Batch; b++)
                Pass<TF, TG>(in a, j, 1, Math.Min(4, a.N - j), b, ref precompute ? ref Unsafe.Add(ref t, b * full) : ref t);
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

    /// <summary>
    /// x's shared part of a whole chunk's block values, in <see cref="LaneOrder"/>: 8 * (its block sums) for the
    /// symmetric form, the block sums as float bits for the asymmetric one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> XTerm<TF, TG>(ref sbyte x) where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        Vector256<int> sums = TG.Dots(ref x, ref Unsafe.NullRef<byte>(), ones: true, default);
        return TF.Asymmetric ? Vector256.ConvertToSingle(sums).AsInt32() : sums << 3;
    }

    /// <summary>One row's 8 block values of a whole chunk, in <see cref="LaneOrder"/> (see <see cref="Int4Dense.BlockValue"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ChunkValue<TF, TG>(Vector256<byte> mask, Vector256<int> xTerm, Vector256<float> xs, ref sbyte x, ref byte w, ref ushort scales, ref ushort mins)
        where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        Vector256<int> dots = TG.Dots(ref x, ref w, ones: false, mask);
        Vector256<float> s = xs * Halves(ref scales);
        if (!TF.Asymmetric)
            return Vector256.ConvertToSingle(dots - xTerm) * s;
        return Vector256.ConvertToSingle(dots) * s + xTerm.AsSingle() * (xs * Halves(ref mins));
    }

    /// <summary>8 consecutive fp16 values as fp32 in <see cref="LaneOrder"/>: shuffled while still 16-bit, then widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Halves(ref ushort h)
    {
        Vector128<sbyte> order = Vector128.Create(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
        Vector128<sbyte> v = Ssse3.Shuffle(Vector128.LoadUnsafe(ref Unsafe.As<ushort, sbyte>(ref h)), order);
        return HalfConvert.ToSingle(Avx2.ConvertToVector256Int32(v.AsInt16()));
    }

    /// <summary>
    /// W rows j, j + stride, .. (<paramref name="rows"/> of them, at most <see cref="StridedRows"/>) against x row b;
    /// writes their outputs. <paramref name="xTerms"/> holds x row b's <see cref="XTerm"/> per whole chunk, or is a null
    /// ref: then they are computed here, once per chunk for all the rows. The rows of a chunk follow in a loop
    /// (written out row by row, the JIT keeps all of x's loads live across the rows and spills most of them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void Pass<TF, TG>(in Int4Dense a, int j, int stride, int rows, int b, ref int xTerms)
        where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        Vector256<float>* acc = stackalloc Vector256<float>[StridedRows];
        for (int r = 0; r < rows; r++)
            acc[r] = default;
        int full = a.Blocks & ~(ChunkBlocks - 1);
        bool precomputed = !Unsafe.IsNullRef(ref xTerms);
        nuint wStep = (nuint)stride * (nuint)(a.K / 2), sStep = (nuint)stride * (nuint)a.Blocks;
        ref sbyte x = ref a.XRow(b);
        ref float xScales = ref a.XScaleRow(b);
        ref byte w0 = ref a.WRow(j);
        ref ushort s0 = ref a.ScaleRow(j);
        ref ushort m0 = ref TF.Asymmetric ? ref a.MinRow(j) : ref s0;
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        for (nuint g = 0; g < (nuint)full; g += ChunkBlocks)
        {
            nuint xo = g * (nuint)TG.Size;
            ref sbyte xc = ref Unsafe.Add(ref x, xo);
            Vector256<int> xTerm = precomputed ? Vector256.LoadUnsafe(ref xTerms, g) : XTerm<TF, TG>(ref xc);
            Vector256<float> xs = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref xScales, g), LaneOrder);
            ref byte w = ref Unsafe.Add(ref w0, xo / 2);
            ref ushort sc = ref Unsafe.Add(ref s0, g);
            ref ushort mc = ref Unsafe.Add(ref m0, g);
            Vector256<float>* accR = acc;
            for (int r = 0; r < rows; r++)
            {
                *accR += ChunkValue<TF, TG>(mask, xTerm, xs, ref xc, ref w, ref sc, ref mc);
                w = ref Unsafe.Add(ref w, wStep);
                sc = ref Unsafe.Add(ref sc, sStep);
                mc = ref Unsafe.Add(ref mc, sStep);
                accR++;
            }
        }
        for (int r = 0; r < rows; r++)
        {
            int row = j + r * stride;
            Vector256<float> v = acc[r];
            if (full < a.Blocks)
                v += TailValue<TF>(in a, b, row, full);
            a.Store(b, row, v.GetLower(), v.GetUpper());
        }
    }

    /// <summary>
    /// The values of the last blocks g0 .. Blocks - 1 (fewer than 8) of W row j against x row b, in
    /// <see cref="LaneOrder"/> with -0 in the lanes of missing blocks. Once per row: general code, not the fast path.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> TailValue<TF>(in Int4Dense a, int b, int j, int g0) where TF : struct, IInt4Format
    {
        int count = a.Blocks - g0, gs = a.GroupSize;
        ref sbyte xc = ref Unsafe.Add(ref a.XRow(b), (nint)g0 * gs);
        ref byte wc = ref Unsafe.Add(ref a.WRow(j), (nint)g0 * (gs / 2));
        ref float xScales = ref a.XScaleRow(b);
        Vector256<int> xSums = BlockSums(ref xc, ref Unsafe.NullRef<byte>(), count, gs, ones: true);
        Vector256<int> dots = BlockSums(ref xc, ref wc, count, gs, ones: false);
        Vector256<float> s = ScaleProducts(ref a.ScaleRow(j), ref xScales, g0, count);
        Vector256<float> value = TF.Asymmetric
            ? Vector256.ConvertToSingle(dots) * s + Vector256.ConvertToSingle(xSums) * ScaleProducts(ref a.MinRow(j), ref xScales, g0, count)
            : Vector256.ConvertToSingle(dots - (xSums << 3)) * s;
        return Avx2.PermuteVar8x32(value, LaneOrder);
    }

    /// <summary>The 64 products of 32-byte W load u (x values 64u ..) as 16 int16 sums of 2 (at most 2 * 15 * 127 each), or of x alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Unit16(ref sbyte x, ref byte w, nuint u, bool ones, Vector256<byte> mask)
    {
        // x is loaded at its use, so that the JIT folds the load into VPMADDUBSW.
        if (ones)
            return Avx2.MultiplyAddAdjacent(Vector256<byte>.One, Vector256.LoadUnsafe(ref x, 64 * u))
                + Avx2.MultiplyAddAdjacent(Vector256<byte>.One, Vector256.LoadUnsafe(ref x, 64 * u + 32));
        Vector256<byte> packed = Vector256.LoadUnsafe(ref w, 32 * u);
        Vector256<short> low = Avx2.MultiplyAddAdjacent(packed & mask, Vector256.LoadUnsafe(ref x, 64 * u));
        return low + Avx2.MultiplyAddAdjacent((packed.AsUInt16() >> 4).AsByte() & mask, Vector256.LoadUnsafe(ref x, 64 * u + 32));
    }

    /// <summary>The block reduction of a whole chunk for one group size (see the type's remarks).</summary>
    private interface IInt4Group
    {
        static abstract int Size { get; }

        /// <summary>
        /// The exact int32 sums xq * nibble (with <paramref name="ones"/>: xq alone, <paramref name="w"/> unused) of
        /// 8 whole blocks in <see cref="LaneOrder"/>.
        /// </summary>
        static abstract Vector256<int> Dots(ref sbyte x, ref byte w, bool ones, Vector256<byte> mask);
    }

    /// <summary>
    /// Load u holds blocks 2u (low 128 bits) and 2u + 1 (high). Three VPHADDW rounds keep every half's blocks apart:
    /// lanes 0-3 become blocks 0 2 4 6, lanes 4-7 blocks 1 3 5 7; sums of 4 unit lanes stay within 4 * 3810 &lt; 32768.
    /// </summary>
    private readonly struct Group32 : IInt4Group
    {
        public static int Size => 32;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dots(ref sbyte x, ref byte w, bool ones, Vector256<byte> mask)
        {
            Vector256<short> h = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Unit16(ref x, ref w, 0, ones, mask), Unit16(ref x, ref w, 1, ones, mask)),
                Avx2.HorizontalAdd(Unit16(ref x, ref w, 2, ones, mask), Unit16(ref x, ref w, 3, ones, mask)));
            return Avx2.MultiplyAddAdjacent(h, Vector256<short>.One);
        }
    }

    /// <summary>
    /// Load v is block v. Even and odd blocks reduce separately, each 128-bit half to its own partial sum (int16 sums
    /// of 4 unit lanes, then int32), and the halves are added across: blocks 0 2 4 6 | 1 3 5 7.
    /// </summary>
    private readonly struct Group64 : IInt4Group
    {
        public static int Size => 64;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dots(ref sbyte x, ref byte w, bool ones, Vector256<byte> mask)
        {
            Vector256<int> even = Avx2.MultiplyAddAdjacent(Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Unit16(ref x, ref w, 0, ones, mask), Unit16(ref x, ref w, 2, ones, mask)),
                Avx2.HorizontalAdd(Unit16(ref x, ref w, 4, ones, mask), Unit16(ref x, ref w, 6, ones, mask))), Vector256<short>.One);
            Vector256<int> odd = Avx2.MultiplyAddAdjacent(Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Unit16(ref x, ref w, 1, ones, mask), Unit16(ref x, ref w, 3, ones, mask)),
                Avx2.HorizontalAdd(Unit16(ref x, ref w, 5, ones, mask), Unit16(ref x, ref w, 7, ones, mask))), Vector256<short>.One);
            return Avx2.Permute2x128(even, odd, 0x20) + Avx2.Permute2x128(even, odd, 0x31);
        }
    }

    /// <summary>
    /// Loads 2v and 2v + 1 are block v: their int16 sums (at most 4 * 3810) are added, widened to int32, and reduced
    /// as <see cref="Group64"/> does, with VPHADDD.
    /// </summary>
    private readonly struct Group128 : IInt4Group
    {
        public static int Size => 128;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dots(ref sbyte x, ref byte w, bool ones, Vector256<byte> mask)
        {
            Vector256<int> even = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Block(ref x, ref w, 0, ones, mask), Block(ref x, ref w, 2, ones, mask)),
                Avx2.HorizontalAdd(Block(ref x, ref w, 4, ones, mask), Block(ref x, ref w, 6, ones, mask)));
            Vector256<int> odd = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Block(ref x, ref w, 1, ones, mask), Block(ref x, ref w, 3, ones, mask)),
                Avx2.HorizontalAdd(Block(ref x, ref w, 5, ones, mask), Block(ref x, ref w, 7, ones, mask)));
            return Avx2.Permute2x128(even, odd, 0x20) + Avx2.Permute2x128(even, odd, 0x31);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Block(ref sbyte x, ref byte w, nuint v, bool ones, Vector256<byte> mask) =>
            Avx2.MultiplyAddAdjacent(Unit16(ref x, ref w, 2 * v, ones, mask) + Unit16(ref x, ref w, 2 * v + 1, ones, mask), Vector256<short>.One);
    }

    /// <summary>The int4 format as a compile-time switch (the JIT drops the other form's code).</summary>
    private interface IInt4Format
    {
        static abstract bool Asymmetric { get; }
    }

    private readonly struct Symmetric4 : IInt4Format
    {
        public static bool Asymmetric => false;
    }

    private readonly struct Asymmetric4 : IInt4Format
    {
        public static bool Asymmetric => true;
    }

    /// <summary>
    /// xScale * the fp16 values (scales or mins) of blocks g0 .. g0 + count - 1 (count &lt; 8) in lanes 0 .. count - 1;
    /// the lanes past count are -0, whose products with the missing blocks' zero sums add -0: no change to any slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ScaleProducts(ref ushort halfRow, ref float xScales, int g0, int count)
    {
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
