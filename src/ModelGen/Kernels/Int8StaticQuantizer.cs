using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Fixed-scale int8 quantization for <see cref="DenseKernels.Int8Static"/>: q = round-half-even(x / scale) clamped to
/// [-127, 127] (±Infinity and quotients that overflow clip like any other large value), NaN gives q = 0 and is
/// reported so the caller can poison that row's outputs. The scale is finite and positive (checked by the caller).
/// Every path divides (correctly rounded, the same division as <see cref="Int8RowQuantizer"/>) and rounds half to
/// even, so all give identical bytes; one path per instruction set: scalar, portable Vector128, AVX2, AdvSimd.
/// </summary>
internal static class Int8StaticQuantizer
{
    private const int MaxQ = Int8RowQuantizer.MaxQ;
    private const int Width128 = 16;

    /// <summary>Quantizes <paramref name="x"/> into <paramref name="q"/> (same length); true when x holds a NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Quantize(KernelPath path, ReadOnlySpan<float> x, Span<sbyte> q, float scale)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref sbyte q0 = ref MemoryMarshal.GetReference(q);
        int count = x.Length;
        return path switch
        {
            KernelPath.Avx2 when count >= Int8StaticQuantizerAvx2.Width => Int8StaticQuantizerAvx2.Quantize(ref x0, ref q0, count, scale),
            KernelPath.AdvSimd or KernelPath.AdvSimdDp when count >= Width128 =>
                Int8StaticQuantizerAdvSimd.Quantize(ref x0, ref q0, count, scale),
            not KernelPath.Scalar when count >= Width128 => Quantize128(ref x0, ref q0, count, scale),
            _ => QuantizeScalar(ref x0, ref q0, count, scale),
        };
    }

    /// <summary>The reference: IEEE division, round half to even, clamp; NaN to 0.</summary>
    private static bool QuantizeScalar(ref float x, ref sbyte q, int count, float scale)
    {
        bool hasNaN = false;
        for (int i = 0; i < count; i++)
        {
            float r = MathF.Round(Unsafe.Add(ref x, i) / scale);
            if (float.IsNaN(r))
            {
                hasNaN = true;
                r = 0f;
            }

            Unsafe.Add(ref q, i) = (sbyte)Math.Clamp(r, -MaxQ, MaxQ);
        }

        return hasNaN;
    }

    /// <summary>Portable 128-bit: 16 values per step, the final step overlapping the previous one (rewrites equal bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Quantize128(ref float x, ref sbyte q, int count, float scale)
    {
        Vector128<float> s = Vector128.Create(scale), nan = Vector128<float>.Zero;
        nuint last = (nuint)(count - Width128);
        for (nuint i = 0; i < last; i += Width128)
            Quantize16(ref x, ref q, i, s, ref nan);
        Quantize16(ref x, ref q, last, s, ref nan);
        return nan != Vector128<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quantize16(ref float x, ref sbyte q, nuint i, Vector128<float> scale, ref Vector128<float> nan)
    {
        Vector128<short> lo = Vector128.Narrow(Quantize4(ref x, i, scale, ref nan), Quantize4(ref x, i + 4, scale, ref nan));
        Vector128<short> hi = Vector128.Narrow(Quantize4(ref x, i + 8, scale, ref nan), Quantize4(ref x, i + 12, scale, ref nan));
        Vector128.Narrow(lo, hi).StoreUnsafe(ref q, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize4(ref float x, nuint i, Vector128<float> scale, ref Vector128<float> nan)
    {
        Vector128<float> r = Vector128.Round(Vector128.LoadUnsafe(ref x, i) / scale);
        // NaN lanes become +0 before the clamp, whose native min/max would treat NaN differently per platform.
        Vector128<float> ordered = Vector128.Equals(r, r);
        nan |= ~ordered;
        r &= ordered;
        r = Vector128.MinNative(Vector128.MaxNative(r, Vector128.Create(-(float)MaxQ)), Vector128.Create((float)MaxQ));
        return Vector128.ConvertToInt32Native(r);
    }
}
