using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 + FMA codebook lookups. 16 entries: 32 weights at a time come from VPSHUFB on byte planes of the fp32
/// table (<see cref="BytePlanes"/>, <see cref="Lookup32"/>); the last whole groups of 8 use two registers of entries
/// (VPSRLVD puts each nibble's low 3 bits in its lane's low bits for VPERMPS, VPSLLVD its top bit in the sign bit for
/// VBLENDVPS). 256 entries are loaded lane by lane from the fp32 table on the stack (L1).
/// </summary>
/// <remarks>
/// Chosen by measurement on the shared 2-core AMD EPYC (Zen 3) dev VM, per-row codebooks, batch 1, old and new code in
/// one process, medians of 7 rounds repeated 3 times (noisy: another job ran). 16 entries, 256 x 784: permutes 28.8 us,
/// byte planes 22.4-22.5 us (fp32 GEMV 10.0 us); 4096 x 4096 from memory: permutes 2295-2353 us, byte planes
/// 1694-1702 us. VPERMPS costs about 2 cycles on Zen 3, so 2 per 8 weights bound the permute loop (4 accumulators made
/// it slower); the planes take 13 byte shuffles per 32 weights. 256 entries, 4 accumulators and unsigned offsets vs 2
/// and signed: 256 x 784 56.4-56.5 vs 63.1-63.6 us, 4096 x 4096 4007-4049 vs 4636-4663 us. Tried and not kept (speed
/// relative to the old loops, same runs): VGATHERDPS (microcoded on AMD; 10.1-12.3 ms lane loads vs 16.1-19.2 ms in an
/// earlier run), 8 broadcast loads joined by immediate blends (0.95-1.00x), 16-bit index reads (1.01-1.09x), decoding
/// 256 weights through scalar stores into a buffer (0.68-0.76x), and for 16 entries x reordered once per call so that
/// VPMOVZXBD feeds the permutes (0.92-1.04x). Bins (summing x per centroid, then a 16- or 256-wide dot) need a
/// scatter-add per weight and were not built.
/// </remarks>
internal readonly struct DenseCodebookAvx2 : ICodebookPath
{
    private const int Width = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WidenCodebook(ref ushort codebook, int count, ref float table)
    {
        for (int c = 0; c < count; c += Width)
        {
            Vector256<int> half = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref Unsafe.As<ushort, short>(ref codebook), (nuint)c));
            HalfConvert.ToSingle(half).StoreUnsafe(ref table, (nuint)c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lookup16(uint eightNibbles, Vector256<float> low, Vector256<float> high)
    {
        Vector256<uint> v = Vector256.Create(eightNibbles);
        Vector256<int> permute = Avx2.ShiftRightLogicalVariable(v, Vector256.Create(0u, 4, 8, 12, 16, 20, 24, 28)).AsInt32();
        Vector256<float> upper = Avx2.ShiftLeftLogicalVariable(v, Vector256.Create(28u, 24, 20, 16, 12, 8, 4, 0)).AsSingle();
        return Avx.BlendVariable(Avx2.PermuteVar8x32(low, permute), Avx2.PermuteVar8x32(high, permute), upper);
    }

    /// <summary>
    /// Bytes 1, 2 and 3 of the 16 fp32 entries as three 16-byte VPSHUFB tables, each in both 128-bit lanes. Byte 0 is
    /// always zero: the entries are widened fp16 values, whose 11 significant bits leave the low 13 fp32 mantissa bits
    /// clear (subnormal halves become normal floats; infinities and NaN payloads shift the same way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<byte> B1, Vector256<byte> B2, Vector256<byte> B3) BytePlanes(ref float table)
    {
        // Per 128-bit lane (4 entries) gather byte p of each entry into dword p, pair the lanes' dwords, then the
        // 64-bit halves of both registers: byte p of entries 0..15 (planes 0 and 2 low/high lane, then 1 and 3).
        Vector256<byte> gather = Vector256.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
            0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        Vector256<int> pairLanes = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        Vector256<ulong> a = Avx2.PermuteVar8x32(Avx2.Shuffle(Vector256.LoadUnsafe(ref table).AsByte(), gather).AsInt32(), pairLanes).AsUInt64();
        Vector256<ulong> b = Avx2.PermuteVar8x32(Avx2.Shuffle(Vector256.LoadUnsafe(ref table, Width).AsByte(), gather).AsInt32(), pairLanes).AsUInt64();
        Vector256<ulong> planes02 = Avx2.UnpackLow(a, b), planes13 = Avx2.UnpackHigh(a, b);
        return (Avx2.Permute4x64(planes13, 0b01_00_01_00).AsByte(), Avx2.Permute4x64(planes02, 0b11_10_11_10).AsByte(),
            Avx2.Permute4x64(planes13, 0b11_10_11_10).AsByte());
    }

    /// <summary>
    /// The weights of 32 nibbles (16 index bytes), in x's order: w0 = weights 0..7, w1 = 8..15, w2 = 16..23,
    /// w3 = 24..31. Each lane's 8 index bytes are spread so that after looking up the three byte planes, interleaving
    /// bytes (unpack 8) and then 16-bit pairs (unpack 16) lands every fp32 weight in the lane of its x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> W0, Vector256<float> W1, Vector256<float> W2, Vector256<float> W3) Lookup32(
        Vector128<byte> sixteen, Vector256<byte> b1Plane, Vector256<byte> b2Plane, Vector256<byte> b3Plane)
    {
        // Lane 0 takes index bytes 0, 1, 4, 5, 8, 9, 12, 13 (weights 0-3, 8-11, 16-19, 24-27), lane 1 the others.
        Vector256<byte> spread = Vector256.Create((byte)0, 1, 4, 5, 8, 9, 12, 13, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            2, 3, 6, 7, 10, 11, 14, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
        Vector256<byte> nibble = Vector256.Create((byte)0xF);
        Vector256<byte> bytes = Avx2.Shuffle(Vector256.Create(sixteen, sixteen), spread);
        // Low nibble (weight 2i) before high nibble (2i + 1); the mask also clears bit 7, which would zero a lookup.
        Vector256<byte> index = Avx2.UnpackLow(bytes & nibble, (bytes.AsUInt16() >> 4).AsByte() & nibble);
        Vector256<byte> b1 = Avx2.Shuffle(b1Plane, index), b2 = Avx2.Shuffle(b2Plane, index), b3 = Avx2.Shuffle(b3Plane, index);
        Vector256<ushort> low01 = Avx2.UnpackLow(Vector256<byte>.Zero, b1).AsUInt16(), high01 = Avx2.UnpackHigh(Vector256<byte>.Zero, b1).AsUInt16();
        Vector256<ushort> low23 = Avx2.UnpackLow(b2, b3).AsUInt16(), high23 = Avx2.UnpackHigh(b2, b3).AsUInt16();
        return (Avx2.UnpackLow(low01, low23).AsSingle(), Avx2.UnpackHigh(low01, low23).AsSingle(),
            Avx2.UnpackLow(high01, high23).AsSingle(), Avx2.UnpackHigh(high01, high23).AsSingle());
    }

    /// <summary>
    /// 8 of 256 entries, loaded lane by lane from the widened table: one 8-byte read of the indices, bytes taken out by
    /// shifts. Faster than VGATHERDPS here (see the type's remarks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lookup256(ref byte indices, nuint i, ref float table)
    {
        ulong e = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref indices, i));
        return Vector256.Create(
            Vector128.Create(Unsafe.Add(ref table, (nuint)(byte)e), Unsafe.Add(ref table, (nuint)(byte)(e >> 8)),
                Unsafe.Add(ref table, (nuint)(byte)(e >> 16)), Unsafe.Add(ref table, (nuint)(byte)(e >> 24))),
            Vector128.Create(Unsafe.Add(ref table, (nuint)(byte)(e >> 32)), Unsafe.Add(ref table, (nuint)(byte)(e >> 40)),
                Unsafe.Add(ref table, (nuint)(byte)(e >> 48)), Unsafe.Add(ref table, (nuint)(e >> 56))));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot16(ref float x, ref byte indices, ref float table, int k)
    {
        (Vector256<byte> b1, Vector256<byte> b2, Vector256<byte> b3) = BytePlanes(ref table);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i + 4 * Width <= k; i += 4 * Width)
        {
            var (w0, w1, w2, w3) = Lookup32(Vector128.LoadUnsafe(ref indices, (nuint)(i / 2)), b1, b2, b3);
            s0 = Fma.MultiplyAdd(w0, Vector256.LoadUnsafe(ref x, (nuint)i), s0);
            s1 = Fma.MultiplyAdd(w1, Vector256.LoadUnsafe(ref x, (nuint)(i + Width)), s1);
            s2 = Fma.MultiplyAdd(w2, Vector256.LoadUnsafe(ref x, (nuint)(i + 2 * Width)), s2);
            s3 = Fma.MultiplyAdd(w3, Vector256.LoadUnsafe(ref x, (nuint)(i + 3 * Width)), s3);
        }
        if (i + Width <= k)
        {
            Vector256<float> low = Vector256.LoadUnsafe(ref table), high = Vector256.LoadUnsafe(ref table, Width);
            for (; i + Width <= k; i += Width)
                s0 = Fma.MultiplyAdd(Lookup16(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i / 2)), low, high), Vector256.LoadUnsafe(ref x, (nuint)i), s0);
        }
        // Reduced before the tail: a variant whose tail was a call kept the sums live across it, and the JIT then
        // spilled all four to the stack inside the loop.
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        return sum + CodebookTail.Dot(ref x, ref indices, ref table, i, k, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot256(ref float x, ref byte indices, ref float table, int k)
    {
        // Four accumulators keep more table loads in flight than two (measured, see the type's remarks); the index
        // extraction bounds this loop, so offsets are unsigned (no sign extension per access).
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        nuint i = 0, end = (nuint)k;
        for (; i + 4 * Width <= end; i += 4 * Width)
        {
            s0 = Fma.MultiplyAdd(Lookup256(ref indices, i, ref table), Vector256.LoadUnsafe(ref x, i), s0);
            s1 = Fma.MultiplyAdd(Lookup256(ref indices, i + Width, ref table), Vector256.LoadUnsafe(ref x, i + Width), s1);
            s2 = Fma.MultiplyAdd(Lookup256(ref indices, i + 2 * Width, ref table), Vector256.LoadUnsafe(ref x, i + 2 * Width), s2);
            s3 = Fma.MultiplyAdd(Lookup256(ref indices, i + 3 * Width, ref table), Vector256.LoadUnsafe(ref x, i + 3 * Width), s3);
        }
        for (; i + Width <= end; i += Width)
            s0 = Fma.MultiplyAdd(Lookup256(ref indices, i, ref table), Vector256.LoadUnsafe(ref x, i), s0);
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        return sum + CodebookTail.Dot(ref x, ref indices, ref table, (int)i, k, 256);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode16(ref byte indices, ref float table, ref float w, int count)
    {
        (Vector256<byte> b1, Vector256<byte> b2, Vector256<byte> b3) = BytePlanes(ref table);
        int i = 0;
        for (; i + 4 * Width <= count; i += 4 * Width)
        {
            var (w0, w1, w2, w3) = Lookup32(Vector128.LoadUnsafe(ref indices, (nuint)(i / 2)), b1, b2, b3);
            w0.StoreUnsafe(ref w, (nuint)i);
            w1.StoreUnsafe(ref w, (nuint)(i + Width));
            w2.StoreUnsafe(ref w, (nuint)(i + 2 * Width));
            w3.StoreUnsafe(ref w, (nuint)(i + 3 * Width));
        }
        Vector256<float> low = Vector256.LoadUnsafe(ref table), high = Vector256.LoadUnsafe(ref table, Width);
        for (; i + Width <= count; i += Width)
            Lookup16(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i / 2)), low, high).StoreUnsafe(ref w, (nuint)i);
        CodebookTail.Decode(ref indices, ref table, ref w, i, count, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode256(ref byte indices, ref float table, ref float w, int count)
    {
        int i = 0;
        for (; i + Width <= count; i += Width)
            Lookup256(ref indices, (nuint)i, ref table).StoreUnsafe(ref w, (nuint)i);
        CodebookTail.Decode(ref indices, ref table, ref w, i, count, 256);
    }

    public static float Dot(ref float x, ref float w, int count) => FloatDot.Avx2Path(ref x, ref w, count);
}

/// <summary>The scalar last elements of a row (fewer than a vector) shared by the SIMD codebook paths.</summary>
internal static class CodebookTail
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float x, ref byte indices, ref float table, int from, int k, int centroids)
    {
        float sum = 0f;
        for (int i = from; i < k; i++)
            sum += Unsafe.Add(ref x, i) * Unsafe.Add(ref table, CodebookDense.IndexAt(ref indices, i, centroids));
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Decode(ref byte indices, ref float table, ref float w, int from, int count, int centroids)
    {
        for (int i = from; i < count; i++)
            Unsafe.Add(ref w, i) = Unsafe.Add(ref table, CodebookDense.IndexAt(ref indices, i, centroids));
    }
}
