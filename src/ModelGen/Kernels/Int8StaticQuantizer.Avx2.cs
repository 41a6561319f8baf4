using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The AVX2 steps of <see cref="Int8StaticQuantizer"/>, 32 floats per step, for runs of at least 32 values; the final
/// step may overlap the previous one and rewrites equal bytes. Unlike the per-row quantizer's quotients (at most
/// ±127 by construction), these can be anything, so NaN is masked to 0 and the clamp happens in float, before the
/// conversion to int32 (which would turn out-of-range values into int.MinValue).
/// </summary>
internal static class Int8StaticQuantizerAvx2
{
    public const int Width = 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Quantize(ref float x, ref sbyte q, int count, float scale)
    {
        Vector256<float> s = Vector256.Create(scale), ordered = Vector256<float>.AllBitsSet;
        nuint last = (nuint)(count - Width);
        for (nuint i = 0; i < last; i += Width)
            Quantize32(ref x, ref q, i, s, ref ordered);
        Quantize32(ref x, ref q, last, s, ref ordered);
        return Avx.MoveMask(ordered) != 0xFF;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quantize32(ref float x, ref sbyte q, nuint i, Vector256<float> scale, ref Vector256<float> ordered) =>
        Int8RowQuantizerAvx2.Store32(ref q, i, Quantize8(ref x, i, scale, ref ordered), Quantize8(ref x, i + 8, scale, ref ordered),
            Quantize8(ref x, i + 16, scale, ref ordered), Quantize8(ref x, i + 24, scale, ref ordered));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize8(ref float x, nuint i, Vector256<float> scale, ref Vector256<float> ordered)
    {
        Vector256<float> r = Avx.RoundToNearestInteger(Avx.Divide(Vector256.LoadUnsafe(ref x, i), scale));
        Vector256<float> isOrdered = Avx.CompareOrdered(r, r);
        ordered = Avx.And(ordered, isOrdered);
        r = Avx.And(r, isOrdered);
        r = Avx.Min(Avx.Max(r, Vector256.Create(-(float)Int8RowQuantizer.MaxQ)), Vector256.Create((float)Int8RowQuantizer.MaxQ));
        return Avx.ConvertToVector256Int32(r);
    }
}
