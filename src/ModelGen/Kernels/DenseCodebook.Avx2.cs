using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// x64 AVX2 + FMA codebook lookups. 16 entries live in two registers: the 8 nibbles of 4 index bytes are broadcast and
/// shifted into 8 lanes (VPSRLVD puts each nibble's low 3 bits in its lane's low bits for VPERMPS, VPSLLVD its top bit
/// in the sign bit for VBLENDVPS), so 8 weights cost a broadcast load, 2 shifts, 2 permutes and a blend. 256 entries
/// are loaded lane by lane from the fp32 table on the stack (L1).
/// </summary>
/// <remarks>
/// Chosen by measurement, 4096 x 4096 batch 1, per-row codebooks, W from memory (64 MiB working set), one process,
/// alternating variants, on the shared 2-core AMD EPYC dev VM (noisy: other jobs ran; ranges over 3 rounds):
/// 16 entries: permutes 4.7-6.6 ms vs per-lane loads (the Vector128 path) 10.2-13.4 ms; 256 entries: lane loads
/// 10.1-12.3 ms vs VGATHERDPS 16.1-19.2 ms (AMD's gather is microcoded). Same run: fp32 GEMV 5.1-5.9 ms, int8
/// 1.4-2.0 ms. Both are bound by the lookups, not by memory (W in L2, 256 rows: 16 entries 0.15-0.28 ms, 256 entries
/// 0.30-0.78 ms per million weights). Bins (summing x per centroid, then a 16- or 256-wide dot) were not built: they
/// need a scalar scatter-add per weight, at best one per cycle, slower than either lookup.
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
    /// 8 of 256 entries, loaded lane by lane from the widened table: one 8-byte read of the indices, bytes taken out by
    /// shifts. Faster than VGATHERDPS here (see the type's remarks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lookup256(ref byte indices, nuint i, ref float table)
    {
        ulong e = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref indices, i));
        return Vector256.Create(
            Vector128.Create(Unsafe.Add(ref table, (nuint)(e & 0xFF)), Unsafe.Add(ref table, (nuint)((e >> 8) & 0xFF)),
                Unsafe.Add(ref table, (nuint)((e >> 16) & 0xFF)), Unsafe.Add(ref table, (nuint)((e >> 24) & 0xFF))),
            Vector128.Create(Unsafe.Add(ref table, (nuint)((e >> 32) & 0xFF)), Unsafe.Add(ref table, (nuint)((e >> 40) & 0xFF)),
                Unsafe.Add(ref table, (nuint)((e >> 48) & 0xFF)), Unsafe.Add(ref table, (nuint)(e >> 56))));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot16(ref float x, ref byte indices, ref float table, int k)
    {
        Vector256<float> low = Vector256.LoadUnsafe(ref table), high = Vector256.LoadUnsafe(ref table, Width);
        Vector256<float> s = default, t = default;
        int i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            // Two 4-byte reads: VPBROADCASTD from memory stays off the shuffle port the permutes need.
            ref byte eight = ref Unsafe.Add(ref indices, i / 2);
            s = Fma.MultiplyAdd(Lookup16(Unsafe.ReadUnaligned<uint>(ref eight), low, high), Vector256.LoadUnsafe(ref x, (nuint)i), s);
            t = Fma.MultiplyAdd(Lookup16(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref eight, 4)), low, high), Vector256.LoadUnsafe(ref x, (nuint)(i + Width)), t);
        }
        if (i + Width <= k)
        {
            s = Fma.MultiplyAdd(Lookup16(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref indices, i / 2)), low, high), Vector256.LoadUnsafe(ref x, (nuint)i), s);
            i += Width;
        }
        return Vector256.Sum(s + t) + CodebookTail.Dot(ref x, ref indices, ref table, i, k, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot256(ref float x, ref byte indices, ref float table, int k)
    {
        Vector256<float> s = default, t = default;
        int i = 0;
        for (; i + 2 * Width <= k; i += 2 * Width)
        {
            s = Fma.MultiplyAdd(Lookup256(ref indices, (nuint)i, ref table), Vector256.LoadUnsafe(ref x, (nuint)i), s);
            t = Fma.MultiplyAdd(Lookup256(ref indices, (nuint)(i + Width), ref table), Vector256.LoadUnsafe(ref x, (nuint)(i + Width)), t);
        }
        if (i + Width <= k)
        {
            s = Fma.MultiplyAdd(Lookup256(ref indices, (nuint)i, ref table), Vector256.LoadUnsafe(ref x, (nuint)i), s);
            i += Width;
        }
        return Vector256.Sum(s + t) + CodebookTail.Dot(ref x, ref indices, ref table, i, k, 256);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode16(ref byte indices, ref float table, ref float w, int count)
    {
        Vector256<float> low = Vector256.LoadUnsafe(ref table), high = Vector256.LoadUnsafe(ref table, Width);
        int i = 0;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ref float x, ref float w, int count)
    {
        Vector256<float> s = default, t = default;
        int i = 0;
        for (; i + 2 * Width <= count; i += 2 * Width)
        {
            s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, (nuint)i), Vector256.LoadUnsafe(ref x, (nuint)i), s);
            t = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, (nuint)(i + Width)), Vector256.LoadUnsafe(ref x, (nuint)(i + Width)), t);
        }
        if (i + Width <= count)
        {
            s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, (nuint)i), Vector256.LoadUnsafe(ref x, (nuint)i), s);
            i += Width;
        }
        float sum = Vector256.Sum(s + t);
        for (; i < count; i++)
            sum += Unsafe.Add(ref x, i) * Unsafe.Add(ref w, i);
        return sum;
    }
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
