using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 int4 kernels. A 32-byte load of W holds 64 values (two 32-value chunks, see
/// <see cref="Quantization.Int4Quantizer"/>); one mask gives the chunks' first halves, a shift and the mask their
/// second halves, and VPMADDUBSW multiplies those unsigned nibbles by signed xq without saturating (pair sums at most
/// 2 * 15 * 127). For that x is first reordered per 64 values to match (<see cref="QuarterSwap64"/>).
/// </summary>
/// <remarks>
/// <para>Blocks go 8 at a time (a chunk): a short VPHADDW/VPHADDD tree turns their products into one int32 vector of
/// exact block dot products in the lane order 0 2 4 6 | 1 3 5 7 (what the tree gives without a cross-lane permute),
/// and the chunk's 8 block values are then computed and added to the 8 float slots of <see cref="Int4Dense"/> in one
/// vector step each, lane for lane the scalar reference's operations; the slots stay in that lane order, which is
/// the order of <see cref="Int4Dense.Store(int, int, Vector128{float}, Vector128{float})"/>. The fp16 scales of a
/// chunk are shuffled into that order on load. The code is specialized per format and group size (generic structs).</para>
/// <para>x's share of the block values (<see cref="XTerm"/>) and its block scales in lane order are computed once per
/// x row into a stack record per chunk (when they fit <see cref="PrepBytes"/>; else per chunk and pass). A last
/// chunk of fewer than 8 blocks runs the same vector code on zero-padded copies (x once per x row, W and the scales
/// per W row): zero x and zero nibbles give zero sums, and the padded lanes' x scales are -0, so their block values
/// are -0 and add nothing to any slot. (It used to take general per-block code: k = 896 at group 128 is 7 blocks, all
/// of them in that path, 28 us for 784 x 256 against 3.4 us for int8.)</para>
/// <para>Batch 1 passes over 4 W rows at a time, unpacking the nibbles in registers (from L3 or memory 4 far-apart
/// rows, see <see cref="StridedRows"/>). Larger batches take blocks of up to <see cref="MaxXRows"/> x rows: 4 W rows'
/// chunk is unpacked once into a stack buffer and its fp16 scales converted once, then every x row of the block
/// multiplies it (x row outer, so x is read once per 4 W rows).</para>
/// <para>Cost (Zen 3, shared 2-core VM): ~8.4 ns per row and chunk of group-32 blocks from L2 at batch 1, against ~5.8
/// ns for 256 values of the int8 GEMV: per chunk 4 W loads, 12 operations to unpack, 8 VPMADDUBSW with x folded in,
/// 4 adds and the reduction tree (~1 ns), 10 for the fp16 scales and 5 float operations (~2.5 ns). The 4096 x 4096
/// GEMV from memory stays compute-bound (~0.5 of a streaming read), about as fast as the memory-bound int8 GEMV.
/// Sample shapes (bench <c>int4-small</c>, 784 -> 256 padded, symmetric, same runs as int8 at 3.4-3.6 us / 155-160
/// us): batch 1 g32/g64/g128 12.7-13.1 / 10.6-11.0 / 9.8-10.3 us (were 14.0 / 25.0 / 28.4 with the general tail
/// code); batch 64 430-545 us (were 950 / 1430 / 2850). Batch 64 still pays per x row and W row the 8 loads of the
/// unpacked chunk and the reduction tree; a form with W rows in lanes (no tree) is the next step.</para>
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

    /// <summary>W rows per pass (both forms).</summary>
    private const int TileRows = 4;

    /// <summary>Most x rows per block at batch &gt; 1: their accumulators (4 W rows each) take 8 KiB of stack.</summary>
    private const int MaxXRows = 64;

    /// <summary>Stack for the x rows' padded last chunk and per-chunk records (<see cref="RecordBytes"/> each).</summary>
    private const int PrepBytes = 16 * 1024;

    /// <summary>A chunk's record: x's <see cref="XTerm"/> (8 ints), then its 8 block scales in <see cref="LaneOrder"/>.</summary>
    private const int RecordBytes = 64;

    /// <summary>Bytes of one W row's chunk: 8 blocks of the largest group size, 2 values a byte.</summary>
    private const int MaxChunkBytes = ChunkBlocks * 128 / 2;

    /// <summary>Lane i of a chunk vector holds block (slot) LaneOrder[i].</summary>
    private static Vector256<int> LaneOrder => Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in Int4Dense a)
    {
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

    /// <summary>Where x rows' prepared data lie: per row, the padded last chunk (if any), then the chunk records.</summary>
    private readonly unsafe struct XPrep
    {
        public readonly byte* Start;
        public readonly int RowBytes, TailXBytes, FullChunks;
        public readonly bool Tail, Precomputed;

        public XPrep(byte* start, int rowBytes, int tailXBytes, int fullChunks, bool tail, bool precomputed)
        {
            Start = start;
            RowBytes = rowBytes;
            TailXBytes = tailXBytes;
            FullChunks = fullChunks;
            Tail = tail;
            Precomputed = precomputed;
        }

        /// <summary>x row r of the block's padded last chunk, in load order.</summary>
        public ref sbyte TailX(int r) => ref *(sbyte*)(Start + (nint)r * RowBytes);

        /// <summary>The record of chunk c of x row r (only the last chunk's when not <see cref="Precomputed"/>).</summary>
        public ref int Record(int r, int c) =>
            ref *(int*)(Start + (nint)r * RowBytes + TailXBytes + (nint)(Precomputed ? c : 0) * RecordBytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void Run<TF, TG>(in Int4Dense a) where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        int full = a.Blocks & ~(ChunkBlocks - 1), fullChunks = full / ChunkBlocks;
        bool tail = full < a.Blocks;
        int tailXBytes = tail ? ChunkBlocks * TG.Size : 0;
        int chunks = fullChunks + (tail ? 1 : 0);
        // Records for every chunk of x (k up to ~60000 per row at group 32), else only the last chunk's.
        bool precompute = tailXBytes + (long)chunks * RecordBytes <= PrepBytes;
        int rowBytes = tailXBytes + (precompute ? chunks : tail ? 1 : 0) * RecordBytes;
        int xRows = a.Batch == 1 ? 1 : Math.Clamp(PrepBytes / Math.Max(1, rowBytes), 1, MaxXRows);
        byte* prep = stackalloc byte[PrepBytes];
        for (int b0 = 0; b0 < a.Batch; b0 += xRows)
        {
            int rows = Math.Min(xRows, a.Batch - b0);
            var x = new XPrep(prep, rowBytes, tailXBytes, fullChunks, tail, precompute);
            for (int r = 0; r < rows; r++)
                Prepare<TF, TG>(in a, b0 + r, in x, r);
            if (a.Batch == 1)
                Gemv<TF, TG>(in a, in x);
            else
                Block<TF, TG>(in a, b0, rows, in x);
        }
    }

    /// <summary>
    /// Reorders x row b's whole chunks to load order; copies its last chunk, if partial, zero-padded into the prep
    /// area and reorders it there; writes the chunk records.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prepare<TF, TG>(in Int4Dense a, int b, in XPrep p, int r)
        where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        ref sbyte x = ref a.XRow(b);
        ref float xScales = ref a.XScaleRow(b);
        int chunkValues = ChunkBlocks * TG.Size;
        QuarterSwap64.Apply(ref x, p.FullChunks * chunkValues);
        if (p.Tail)
        {
            int g0 = p.FullChunks * ChunkBlocks, count = a.Blocks - g0;
            ref sbyte tx = ref p.TailX(r);
            Unsafe.InitBlockUnaligned(ref Unsafe.As<sbyte, byte>(ref tx), 0, (uint)chunkValues);
            Unsafe.CopyBlockUnaligned(ref Unsafe.As<sbyte, byte>(ref tx),
                ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, (nint)g0 * TG.Size)), (uint)(count * TG.Size));
            QuarterSwap64.Apply(ref tx, chunkValues);
            Vector256<float> xs = Vector256.Create(-0f);
            for (int i = 0; i < count; i++)
                xs = xs.WithElement(i, Unsafe.Add(ref xScales, g0 + i));
            ref int record = ref p.Record(r, p.FullChunks);
            XTerm<TF, TG>(ref tx).StoreUnsafe(ref record);
            Avx2.PermuteVar8x32(xs, LaneOrder).AsInt32().StoreUnsafe(ref record, 8);
        }
        if (p.Precomputed)
            for (int c = 0; c < p.FullChunks; c++)
            {
                ref int record = ref p.Record(r, c);
                XTerm<TF, TG>(ref Unsafe.Add(ref x, (nint)c * chunkValues)).StoreUnsafe(ref record);
                Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref xScales, (nuint)(c * ChunkBlocks)), LaneOrder).AsInt32()
                    .StoreUnsafe(ref record, 8);
            }
    }

    /// <summary>
    /// x's shared part of a whole chunk's block values, in <see cref="LaneOrder"/>: 8 * (its block sums) for the
    /// symmetric form, the block sums as float bits for the asymmetric one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> XTerm<TF, TG>(ref sbyte x) where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        Vector256<int> sums = TG.Dots<Ones>(ref x, ref Unsafe.NullRef<byte>(), default);
        return TF.Asymmetric ? Vector256.ConvertToSingle(sums).AsInt32() : sums << 3;
    }

    /// <summary>Chunk c's x term and scales of x row r: from its record, or computed here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XChunk<TF, TG>(in Int4Dense a, in XPrep p, int b, int r, int c, out Vector256<int> xTerm, out Vector256<float> xs)
        where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        if (p.Precomputed || c == p.FullChunks)
        {
            ref int record = ref p.Record(r, c);
            xTerm = Vector256.LoadUnsafe(ref record);
            xs = Vector256.LoadUnsafe(ref record, 8).AsSingle();
            return;
        }
        xTerm = XTerm<TF, TG>(ref Unsafe.Add(ref a.XRow(b), (nint)c * ChunkBlocks * TG.Size));
        xs = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref a.XScaleRow(b), (nuint)(c * ChunkBlocks)), LaneOrder);
    }

    /// <summary>
    /// A chunk's 8 block values from the exact dots (see <see cref="Int4Dense.BlockValue"/>), lane for lane the same
    /// IEEE operations: <paramref name="scale"/> and <paramref name="min"/> are the W row's fp16 values as fp32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ChunkValue<TF>(Vector256<int> dots, Vector256<int> xTerm, Vector256<float> xs,
        Vector256<float> scale, Vector256<float> min) where TF : struct, IInt4Format
    {
        Vector256<float> s = xs * scale;
        if (!TF.Asymmetric)
            return Vector256.ConvertToSingle(dots - xTerm) * s;
        return Vector256.ConvertToSingle(dots) * s + xTerm.AsSingle() * (xs * min);
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
    /// Copies the partial last chunk of W row j (its nibbles and fp16 scales and mins) to zero-padded whole-chunk
    /// buffers, so the chunk code reads only them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PadTail<TF, TG>(in Int4Dense a, int j, int g0, byte* w, ushort* scales, ushort* mins)
        where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        int count = a.Blocks - g0, bytes = count * TG.Size / 2;
        Unsafe.CopyBlockUnaligned(ref *w, ref Unsafe.Add(ref a.WRow(j), (nint)g0 * (TG.Size / 2)), (uint)bytes);
        Unsafe.InitBlockUnaligned(w + bytes, 0, (uint)(ChunkBlocks * TG.Size / 2 - bytes));
        *(Vector128<ushort>*)scales = default;
        Unsafe.CopyBlockUnaligned(ref *(byte*)scales, ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref a.ScaleRow(j), g0)), (uint)(2 * count));
        if (TF.Asymmetric)
        {
            *(Vector128<ushort>*)mins = default;
            Unsafe.CopyBlockUnaligned(ref *(byte*)mins, ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref a.MinRow(j), g0)), (uint)(2 * count));
        }
    }

    /// <summary>Batch 1: passes of up to 4 W rows, adjacent, or far apart when W streams from L3 or memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv<TF, TG>(in Int4Dense a, in XPrep x) where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        int j = 0;
        if ((long)a.N * a.K / 2 > StridedAboveBytes)
        {
            int stride = a.N / StridedRows;
            for (; j < stride; j++)
                Pass<TF, TG>(in a, in x, j, stride, StridedRows);
            j = StridedRows * stride;
        }
        for (; j < a.N; j += TileRows)
            Pass<TF, TG>(in a, in x, j, 1, Math.Min(TileRows, a.N - j));
    }

    /// <summary>
    /// W rows j, j + stride, .. (<paramref name="rows"/> of them, at most 4) against x row 0; writes their outputs.
    /// The rows of a chunk follow in a loop (written out row by row, the JIT keeps all of x's loads live across the
    /// rows and spills most of them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void Pass<TF, TG>(in Int4Dense a, in XPrep p, int j, int stride, int rows)
        where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        Vector256<float>* acc = stackalloc Vector256<float>[TileRows];
        for (int r = 0; r < rows; r++)
            acc[r] = default;
        nuint wStep = (nuint)stride * (nuint)(a.K / 2), sStep = (nuint)stride * (nuint)a.Blocks;
        ref sbyte x = ref a.XRow(0);
        ref byte w0 = ref a.WRow(j);
        ref ushort s0 = ref a.ScaleRow(j);
        ref ushort m0 = ref TF.Asymmetric ? ref a.MinRow(j) : ref s0;
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        Vector256<float> min = default;
        for (int c = 0; c < p.FullChunks; c++)
        {
            nuint xo = (nuint)c * (nuint)(ChunkBlocks * TG.Size), g = (nuint)c * ChunkBlocks;
            ref sbyte xc = ref Unsafe.Add(ref x, xo);
            XChunk<TF, TG>(in a, in p, 0, 0, c, out Vector256<int> xTerm, out Vector256<float> xs);
            ref byte w = ref Unsafe.Add(ref w0, xo / 2);
            ref ushort sc = ref Unsafe.Add(ref s0, g);
            ref ushort mc = ref Unsafe.Add(ref m0, g);
            Vector256<float>* accR = acc;
            for (int r = 0; r < rows; r++)
            {
                if (TF.Asymmetric) min = Halves(ref mc);
                *accR += ChunkValue<TF>(TG.Dots<Packed>(ref xc, ref w, mask), xTerm, xs, Halves(ref sc), min);
                w = ref Unsafe.Add(ref w, wStep);
                sc = ref Unsafe.Add(ref sc, sStep);
                mc = ref Unsafe.Add(ref mc, sStep);
                accR++;
            }
        }
        if (p.Tail)
        {
            byte* wPad = stackalloc byte[MaxChunkBytes];
            ushort* halves = stackalloc ushort[2 * ChunkBlocks];
            XChunk<TF, TG>(in a, in p, 0, 0, p.FullChunks, out Vector256<int> xTerm, out Vector256<float> xs);
            for (int r = 0; r < rows; r++)
            {
                PadTail<TF, TG>(in a, j + r * stride, p.FullChunks * ChunkBlocks, wPad, halves, halves + ChunkBlocks);
                if (TF.Asymmetric) min = Halves(ref halves[ChunkBlocks]);
                acc[r] += ChunkValue<TF>(TG.Dots<Packed>(ref p.TailX(0), ref *wPad, mask), xTerm, xs, Halves(ref *halves), min);
            }
        }
        for (int r = 0; r < rows; r++)
            a.Store(0, j + r * stride, acc[r].GetLower(), acc[r].GetUpper());
    }

    /// <summary>
    /// x rows b0 .. b0 + xRows - 1 against every W row, 4 W rows at a time: per chunk the 4 rows' nibbles are unpacked
    /// into a stack buffer (in x's load order) and their scales converted, once; then each x row multiplies them all.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static unsafe void Block<TF, TG>(in Int4Dense a, int b0, int xRows, in XPrep p)
        where TF : struct, IInt4Format where TG : struct, IInt4Group
    {
        const int chunkValues = ChunkBlocks * 128;
        Vector256<float>* acc = stackalloc Vector256<float>[TileRows * MaxXRows];
        Vector256<float>* scales = stackalloc Vector256<float>[2 * TileRows];
        byte* unpacked = stackalloc byte[TileRows * chunkValues];
        byte* wPad = stackalloc byte[MaxChunkBytes];
        ushort* halves = stackalloc ushort[2 * ChunkBlocks];
        int chunks = p.FullChunks + (p.Tail ? 1 : 0), chunkBytes = ChunkBlocks * TG.Size / 2;
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        for (int j = 0; j < a.N; j += TileRows)
        {
            int rows = Math.Min(TileRows, a.N - j);
            for (int i = 0; i < TileRows * xRows; i++)
                acc[i] = default;
            for (int c = 0; c < chunks; c++)
            {
                bool last = c == p.FullChunks;
                int g0 = c * ChunkBlocks;
                for (int r = 0; r < rows; r++)
                {
                    ref byte w = ref Unsafe.Add(ref a.WRow(j + r), (nint)c * chunkBytes);
                    ref ushort sc = ref Unsafe.Add(ref a.ScaleRow(j + r), g0);
                    ref ushort mc = ref TF.Asymmetric ? ref Unsafe.Add(ref a.MinRow(j + r), g0) : ref sc;
                    if (last)
                    {
                        PadTail<TF, TG>(in a, j + r, g0, wPad, halves, halves + ChunkBlocks);
                        w = ref *wPad;
                        sc = ref *halves;
                        mc = ref halves[ChunkBlocks];
                    }
                    Unpack(ref w, unpacked + r * chunkValues, chunkBytes, mask);
                    scales[2 * r] = Halves(ref sc);
                    if (TF.Asymmetric) scales[2 * r + 1] = Halves(ref mc);
                }
                for (int r = 0; r < xRows; r++)
                {
                    XChunk<TF, TG>(in a, in p, b0 + r, r, c, out Vector256<int> xTerm, out Vector256<float> xs);
                    ref sbyte xc = ref last ? ref p.TailX(r) : ref Unsafe.Add(ref a.XRow(b0 + r), (nint)c * ChunkBlocks * TG.Size);
                    Vector256<float>* accR = acc + TileRows * r;
                    for (int t = 0; t < rows; t++)
                        accR[t] += ChunkValue<TF>(TG.Dots<Unpacked>(ref xc, ref unpacked[t * chunkValues], mask),
                            xTerm, xs, scales[2 * t], TF.Asymmetric ? scales[2 * t + 1] : default);
                }
            }
            for (int r = 0; r < xRows; r++)
                for (int t = 0; t < rows; t++)
                {
                    Vector256<float> v = acc[TileRows * r + t];
                    a.Store(b0 + r, j + t, v.GetLower(), v.GetUpper());
                }
        }
    }

    /// <summary>One W row's chunk (<paramref name="bytes"/> packed) as nibble bytes in x's load order: per 32 bytes, the low nibbles, then the high ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Unpack(ref byte w, byte* unpacked, int bytes, Vector256<byte> mask)
    {
        for (int i = 0; i < bytes; i += 32)
        {
            Vector256<byte> packed = Vector256.LoadUnsafe(ref w, (nuint)i);
            (packed & mask).Store(unpacked + 2 * i);
            ((packed.AsUInt16() >> 4).AsByte() & mask).Store(unpacked + 2 * i + 32);
        }
    }

    /// <summary>Where a 64-value unit's nibbles come from (see <see cref="Unit16"/>).</summary>
    private interface IWeightSource
    {
        /// <summary>The nibbles that multiply x[64u .. 64u + 31] (load order), and those that multiply x[64u + 32 ..].</summary>
        static abstract (Vector256<byte> Low, Vector256<byte> High) Nibbles(ref byte w, nuint u, Vector256<byte> mask);
    }

    /// <summary>Packed W: 32 bytes per unit, masked and shifted here.</summary>
    private readonly struct Packed : IWeightSource
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<byte> Low, Vector256<byte> High) Nibbles(ref byte w, nuint u, Vector256<byte> mask)
        {
            Vector256<byte> packed = Vector256.LoadUnsafe(ref w, 32 * u);
            return (packed & mask, (packed.AsUInt16() >> 4).AsByte() & mask);
        }
    }

    /// <summary>Nibbles already unpacked (<see cref="Unpack"/>): 64 bytes per unit.</summary>
    private readonly struct Unpacked : IWeightSource
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<byte> Low, Vector256<byte> High) Nibbles(ref byte w, nuint u, Vector256<byte> mask) =>
            (Vector256.LoadUnsafe(ref w, 64 * u), Vector256.LoadUnsafe(ref w, 64 * u + 32));
    }

    /// <summary>All ones: the products are x's own sums (w unused).</summary>
    private readonly struct Ones : IWeightSource
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<byte> Low, Vector256<byte> High) Nibbles(ref byte w, nuint u, Vector256<byte> mask) =>
            (Vector256<byte>.One, Vector256<byte>.One);
    }

    /// <summary>The 64 products of unit u (x values 64u ..) as 16 int16 sums of 2 (at most 2 * 15 * 127 each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Unit16<TW>(ref sbyte x, ref byte w, nuint u, Vector256<byte> mask) where TW : struct, IWeightSource
    {
        // x is loaded at its use, so that the JIT folds the load into VPMADDUBSW.
        var (low, high) = TW.Nibbles(ref w, u, mask);
        return Avx2.MultiplyAddAdjacent(low, Vector256.LoadUnsafe(ref x, 64 * u))
            + Avx2.MultiplyAddAdjacent(high, Vector256.LoadUnsafe(ref x, 64 * u + 32));
    }

    /// <summary>The block reduction of a whole chunk for one group size (see the type's remarks).</summary>
    private interface IInt4Group
    {
        static abstract int Size { get; }

        /// <summary>The exact int32 sums xq * nibble (nibbles from <typeparamref name="TW"/>) of 8 whole blocks in <see cref="LaneOrder"/>.</summary>
        static abstract Vector256<int> Dots<TW>(ref sbyte x, ref byte w, Vector256<byte> mask) where TW : struct, IWeightSource;
    }

    /// <summary>
    /// Unit u holds blocks 2u (low 128 bits) and 2u + 1 (high). Three VPHADDW rounds keep every half's blocks apart:
    /// lanes 0-3 become blocks 0 2 4 6, lanes 4-7 blocks 1 3 5 7; sums of 4 unit lanes stay within 4 * 3810 &lt; 32768.
    /// </summary>
    private readonly struct Group32 : IInt4Group
    {
        public static int Size => 32;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dots<TW>(ref sbyte x, ref byte w, Vector256<byte> mask) where TW : struct, IWeightSource
        {
            Vector256<short> h = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Unit16<TW>(ref x, ref w, 0, mask), Unit16<TW>(ref x, ref w, 1, mask)),
                Avx2.HorizontalAdd(Unit16<TW>(ref x, ref w, 2, mask), Unit16<TW>(ref x, ref w, 3, mask)));
            return Avx2.MultiplyAddAdjacent(h, Vector256<short>.One);
        }
    }

    /// <summary>
    /// Unit v is block v. Even and odd blocks reduce separately, each 128-bit half to its own partial sum (int16 sums
    /// of 4 unit lanes, then int32), and the halves are added across: blocks 0 2 4 6 | 1 3 5 7.
    /// </summary>
    private readonly struct Group64 : IInt4Group
    {
        public static int Size => 64;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dots<TW>(ref sbyte x, ref byte w, Vector256<byte> mask) where TW : struct, IWeightSource
        {
            Vector256<int> even = Avx2.MultiplyAddAdjacent(Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Unit16<TW>(ref x, ref w, 0, mask), Unit16<TW>(ref x, ref w, 2, mask)),
                Avx2.HorizontalAdd(Unit16<TW>(ref x, ref w, 4, mask), Unit16<TW>(ref x, ref w, 6, mask))), Vector256<short>.One);
            Vector256<int> odd = Avx2.MultiplyAddAdjacent(Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Unit16<TW>(ref x, ref w, 1, mask), Unit16<TW>(ref x, ref w, 3, mask)),
                Avx2.HorizontalAdd(Unit16<TW>(ref x, ref w, 5, mask), Unit16<TW>(ref x, ref w, 7, mask))), Vector256<short>.One);
            return Avx2.Permute2x128(even, odd, 0x20) + Avx2.Permute2x128(even, odd, 0x31);
        }
    }

    /// <summary>
    /// Units 2v and 2v + 1 are block v: their int16 sums (at most 4 * 3810) are added, widened to int32, and reduced
    /// as <see cref="Group64"/> does, with VPHADDD.
    /// </summary>
    private readonly struct Group128 : IInt4Group
    {
        public static int Size => 128;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dots<TW>(ref sbyte x, ref byte w, Vector256<byte> mask) where TW : struct, IWeightSource
        {
            Vector256<int> even = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Block<TW>(ref x, ref w, 0, mask), Block<TW>(ref x, ref w, 2, mask)),
                Avx2.HorizontalAdd(Block<TW>(ref x, ref w, 4, mask), Block<TW>(ref x, ref w, 6, mask)));
            Vector256<int> odd = Avx2.HorizontalAdd(
                Avx2.HorizontalAdd(Block<TW>(ref x, ref w, 1, mask), Block<TW>(ref x, ref w, 3, mask)),
                Avx2.HorizontalAdd(Block<TW>(ref x, ref w, 5, mask), Block<TW>(ref x, ref w, 7, mask)));
            return Avx2.Permute2x128(even, odd, 0x20) + Avx2.Permute2x128(even, odd, 0x31);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Block<TW>(ref sbyte x, ref byte w, nuint v, Vector256<byte> mask) where TW : struct, IWeightSource =>
            Avx2.MultiplyAddAdjacent(Unit16<TW>(ref x, ref w, 2 * v, mask) + Unit16<TW>(ref x, ref w, 2 * v + 1, mask), Vector256<short>.One);
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
}
