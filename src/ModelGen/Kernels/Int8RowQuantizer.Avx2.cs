using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The AVX2 steps of <see cref="Int8RowQuantizer"/>, 32 floats per step, for rows of at least 32 values: the final step
/// may overlap the previous one, which is harmless for a maximum and rewrites equal bytes when quantizing.
/// Quantization is IEEE division, round half to even and the clamp, as in the scalar version, so results are equal.
/// </summary>
internal static class Int8RowQuantizerAvx2
{
    public const int Width = 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int MaxMagnitudeBits(ref float row, int k)
    {
        Vector256<int> mask = Vector256.Create(Int8RowQuantizer.MagnitudeBits);
        Vector256<int> m0 = Vector256<int>.Zero, m1 = Vector256<int>.Zero, m2 = Vector256<int>.Zero, m3 = Vector256<int>.Zero;
        nuint last = (nuint)(k - Width);
        for (nuint i = 0; i < last; i += Width)
            Max4(ref row, i, mask, ref m0, ref m1, ref m2, ref m3);
        Max4(ref row, last, mask, ref m0, ref m1, ref m2, ref m3);
        Vector256<int> m = Avx2.Max(Avx2.Max(m0, m1), Avx2.Max(m2, m3));
        Vector128<int> h = Sse41.Max(m.GetLower(), m.GetUpper());
        h = Sse41.Max(h, Sse2.Shuffle(h, 0b_01_00_11_10));
        return Math.Max(h.GetElement(0), h.GetElement(1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Max4(ref float row, nuint i, Vector256<int> mask,
        ref Vector256<int> m0, ref Vector256<int> m1, ref Vector256<int> m2, ref Vector256<int> m3)
    {
        m0 = Avx2.Max(m0, Vector256.LoadUnsafe(ref row, i).AsInt32() & mask);
        m1 = Avx2.Max(m1, Vector256.LoadUnsafe(ref row, i + 8).AsInt32() & mask);
        m2 = Avx2.Max(m2, Vector256.LoadUnsafe(ref row, i + 16).AsInt32() & mask);
        m3 = Avx2.Max(m3, Vector256.LoadUnsafe(ref row, i + 24).AsInt32() & mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(ref float row, ref sbyte q, int k, float scale)
    {
        Vector256<float> s = Vector256.Create(scale);
        nuint last = (nuint)(k - Width);
        for (nuint i = 0; i < last; i += Width)
            Quantize32(ref row, ref q, i, s);
        Quantize32(ref row, ref q, last, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quantize32(ref float row, ref sbyte q, nuint i, Vector256<float> scale) =>
        Store32(ref q, i, Quantize8(ref row, i, scale), Quantize8(ref row, i + 8, scale),
            Quantize8(ref row, i + 16, scale), Quantize8(ref row, i + 24, scale));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize8(ref float row, nuint i, Vector256<float> scale) =>
        Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(Avx.Divide(Vector256.LoadUnsafe(ref row, i), scale)));

    /// <summary>
    /// Narrows 32 rounded values to bytes in order, clamped to [-127, 127]: the packs saturate to [-128, 127] and a
    /// byte max lifts -128. No NaN reaches here, and |value| stays far below int32 overflow (at most ~254, when a
    /// subnormal scale has lost precision).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store32(ref sbyte q, nuint i, Vector256<int> v0, Vector256<int> v1, Vector256<int> v2, Vector256<int> v3)
    {
        Vector256<short> lo = Avx2.PackSignedSaturate(v0, v1);
        Vector256<short> hi = Avx2.PackSignedSaturate(v2, v3);
        // The packs work within 128-bit lanes: dwords come out as 0, 4, 1, 5, 2, 6, 3, 7 (4 bytes each).
        Vector256<int> packed = Avx2.PackSignedSaturate(lo, hi).AsInt32();
        Vector256<sbyte> bytes = Avx2.PermuteVar8x32(packed, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
        Avx2.Max(bytes, Vector256.Create((sbyte)-Int8RowQuantizer.MaxQ)).StoreUnsafe(ref q, i);
    }
}
