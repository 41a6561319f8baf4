using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace ModelGen.Kernels;

/// <summary>
/// The arm64 steps of <see cref="Int8StaticQuantizer"/>, 16 floats per step, for runs of at least 16 values; the final
/// step may overlap the previous one and rewrites equal bytes. FCVTNS rounds half to even and saturates in one
/// instruction (NaN converts to 0), and the saturating narrows (SQXTN) clamp to [-128, 127]; a byte max lifts -128.
/// That equals the reference's round-then-clamp for every input, ±Infinity included.
/// </summary>
internal static class Int8StaticQuantizerAdvSimd
{
    private const int Width = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Quantize(ref float x, ref sbyte q, int count, float scale)
    {
        Vector128<float> s = Vector128.Create(scale);
        Vector128<int> nan = Vector128<int>.Zero;
        nuint last = (nuint)(count - Width);
        for (nuint i = 0; i < last; i += Width)
            Quantize16(ref x, ref q, i, s, ref nan);
        Quantize16(ref x, ref q, last, s, ref nan);
        return nan != Vector128<int>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quantize16(ref float x, ref sbyte q, nuint i, Vector128<float> scale, ref Vector128<int> nan)
    {
        Vector128<short> lo = AdvSimd.ExtractNarrowingSaturateUpper(
            AdvSimd.ExtractNarrowingSaturateLower(Quantize4(ref x, i, scale, ref nan)), Quantize4(ref x, i + 4, scale, ref nan));
        Vector128<short> hi = AdvSimd.ExtractNarrowingSaturateUpper(
            AdvSimd.ExtractNarrowingSaturateLower(Quantize4(ref x, i + 8, scale, ref nan)), Quantize4(ref x, i + 12, scale, ref nan));
        Vector128<sbyte> bytes = AdvSimd.ExtractNarrowingSaturateUpper(AdvSimd.ExtractNarrowingSaturateLower(lo), hi);
        AdvSimd.Max(bytes, Vector128.Create((sbyte)-Int8RowQuantizer.MaxQ)).StoreUnsafe(ref q, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize4(ref float x, nuint i, Vector128<float> scale, ref Vector128<int> nan)
    {
        Vector128<float> quotient = AdvSimd.Arm64.Divide(Vector128.LoadUnsafe(ref x, i), scale);
        nan |= ~AdvSimd.CompareEqual(quotient, quotient).AsInt32();
        return AdvSimd.ConvertToInt32RoundToEven(quotient);
    }
}
