using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Symmetric per-row int8 quantization, for the kernels' activations and (after its finiteness checks) for weights at
/// load (<see cref="Quantization.Int8Quantizer"/>): scale = max|x| / 127, q = round-to-nearest-even(x / scale)
/// clamped to [-127, 127]. A row whose scale is 0 (all zeros, or so tiny that max|x| / 127 underflows) gets scale 0
/// and q = 0. A row holding NaN or ±Infinity gets scale NaN and q = 0, so all its outputs are NaN.
/// The scalar and SIMD versions give identical results: both divide (correctly rounded) and round to nearest even.
/// </summary>
internal static class Int8RowQuantizer
{
    internal const int MaxQ = 127;
    internal const int MagnitudeBits = 0x7FFFFFFF;
    private const int InfinityBits = 0x7F800000;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeRows(KernelPath path, ReadOnlySpan<float> x, Span<sbyte> xq, Span<float> xScales, int batch, int k)
    {
        bool simd = path != KernelPath.Scalar;
        bool avx2 = path == KernelPath.Avx2 && k >= Int8RowQuantizerAvx2.Width;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref sbyte q0 = ref MemoryMarshal.GetReference(xq);
        for (int b = 0; b < batch; b++)
        {
            ref float row = ref Unsafe.Add(ref x0, (nint)b * k);
            ref sbyte q = ref Unsafe.Add(ref q0, (nint)b * k);
            bool vector = simd && k >= Vector128<float>.Count;
            // |x| as integer bits orders like the float magnitudes, with NaN above Infinity, so an integer max finds
            // the largest magnitude and detects non-finite values exactly, whatever the platform's float max does.
            int maxBits = avx2 ? Int8RowQuantizerAvx2.MaxMagnitudeBits(ref row, k)
                : vector ? MaxMagnitudeBits128(ref row, k) : MaxMagnitudeBitsScalar(ref row, k);
            float scale = maxBits >= InfinityBits ? float.NaN : BitConverter.Int32BitsToSingle(maxBits) / MaxQ;
            xScales[b] = scale;
            if (!(scale > 0f))
                MemoryMarshal.CreateSpan(ref q, k).Clear();
            else if (avx2)
                Int8RowQuantizerAvx2.Quantize(ref row, ref q, k, scale);
            else if (vector)
                Quantize128(ref row, ref q, k, scale);
            else
                QuantizeScalar(ref row, ref q, 0, k, scale);
        }
    }

    private static int MaxMagnitudeBitsScalar(ref float row, int k)
    {
        int max = 0;
        for (int i = 0; i < k; i++)
            max = Math.Max(max, BitConverter.SingleToInt32Bits(Unsafe.Add(ref row, i)) & MagnitudeBits);
        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int MaxMagnitudeBits128(ref float row, int k)
    {
        Vector128<int> mask = Vector128.Create(MagnitudeBits), max = Vector128<int>.Zero;
        nuint i = 0, last = (nuint)(k - Vector128<float>.Count);
        for (; i < last; i += (nuint)Vector128<float>.Count)
            max = Vector128.Max(max, Vector128.LoadUnsafe(ref row, i).AsInt32() & mask);
        // The final vector may overlap the previous one: harmless for a maximum.
        max = Vector128.Max(max, Vector128.LoadUnsafe(ref row, last).AsInt32() & mask);
        return Math.Max(Math.Max(max.GetElement(0), max.GetElement(1)), Math.Max(max.GetElement(2), max.GetElement(3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static sbyte QuantizeOne(float value, float scale) =>
        (sbyte)Math.Clamp(MathF.Round(value / scale), -MaxQ, MaxQ);

    private static void QuantizeScalar(ref float row, ref sbyte q, int start, int k, float scale)
    {
        for (int i = start; i < k; i++)
            Unsafe.Add(ref q, i) = QuantizeOne(Unsafe.Add(ref row, i), scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Quantize128(ref float row, ref sbyte q, int k, float scale)
    {
        Vector128<float> s = Vector128.Create(scale);
        int i = 0;
        for (; i <= k - 16; i += 16)
        {
            Vector128<short> lo = Vector128.Narrow(Quantize4(ref row, i, s), Quantize4(ref row, i + 4, s));
            Vector128<short> hi = Vector128.Narrow(Quantize4(ref row, i + 8, s), Quantize4(ref row, i + 12, s));
            Vector128.Narrow(lo, hi).StoreUnsafe(ref q, (nuint)i);
        }
        QuantizeScalar(ref row, ref q, i, k, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize4(ref float row, int i, Vector128<float> scale)
    {
        // Same operations as QuantizeOne: IEEE division, round half to even, clamp (no NaN can reach here).
        Vector128<float> r = Vector128.Round(Vector128.LoadUnsafe(ref row, (nuint)i) / scale);
        r = Vector128.MinNative(Vector128.MaxNative(r, Vector128.Create(-(float)MaxQ)), Vector128.Create((float)MaxQ));
        return Vector128.ConvertToInt32Native(r);
    }
}
