using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Splits consecutive floats into their even and odd elements: stride-2 convolution packs its input columns by phase
/// with it, and 2-wide pooling windows pair each even column with the odd one after it. Pure data movement, so every
/// path gives the same bits.
/// </summary>
internal static class Deinterleave
{
    /// <summary>From <c>a, b</c> = 16 consecutive floats: <c>even = [a0 a2 .. b6]</c>, <c>odd = [a1 a3 .. b7]</c>. AVX2 only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(Vector256<float> a, Vector256<float> b, out Vector256<float> even, out Vector256<float> odd)
    {
        // Per 128-bit lane [a0 a2 b0 b2 | a4 a6 b4 b6], then the 64-bit quarters reordered 0, 2, 1, 3.
        even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
    }

    /// <summary>From <c>a, b</c> = 8 consecutive floats: <c>even = [a0 a2 b0 b2]</c>, <c>odd = [a1 a3 b1 b3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(Vector128<float> a, Vector128<float> b, out Vector128<float> even, out Vector128<float> odd)
    {
        if (AdvSimd.Arm64.IsSupported)
        {
            even = AdvSimd.Arm64.UnzipEven(a, b);
            odd = AdvSimd.Arm64.UnzipOdd(a, b);
        }
        else if (Sse.IsSupported)
        {
            even = Sse.Shuffle(a, b, 0b10_00_10_00);
            odd = Sse.Shuffle(a, b, 0b11_01_11_01);
        }
        else
        {
            even = Vector128.Create(a.GetElement(0), a.GetElement(2), b.GetElement(0), b.GetElement(2));
            odd = Vector128.Create(a.GetElement(1), a.GetElement(3), b.GetElement(1), b.GetElement(3));
        }
    }

    /// <summary>
    /// <c>evens[k] = row[2k]</c> for k &lt; (width + 1) / 2 and <c>odds[k] = row[2k + 1]</c> for k &lt; width / 2.
    /// Reads only <c>row[0, width)</c>, writes only those elements.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(KernelPath path, ref float row, int width, ref float evens, ref float odds)
    {
        nuint pairs = (nuint)(width / 2), k = 0;
        if (path == KernelPath.Avx2)
        {
            for (; k + 8 <= pairs; k += 8)
            {
                Split(Vector256.LoadUnsafe(ref row, 2 * k), Vector256.LoadUnsafe(ref row, 2 * k + 8),
                    out Vector256<float> even, out Vector256<float> odd);
                even.StoreUnsafe(ref evens, k);
                odd.StoreUnsafe(ref odds, k);
            }
        }
        if (path != KernelPath.Scalar)
        {
            for (; k + 4 <= pairs; k += 4)
            {
                Split(Vector128.LoadUnsafe(ref row, 2 * k), Vector128.LoadUnsafe(ref row, 2 * k + 4),
                    out Vector128<float> even, out Vector128<float> odd);
                even.StoreUnsafe(ref evens, k);
                odd.StoreUnsafe(ref odds, k);
            }
        }
        for (; k < pairs; k++)
        {
            Unsafe.Add(ref evens, k) = Unsafe.Add(ref row, 2 * k);
            Unsafe.Add(ref odds, k) = Unsafe.Add(ref row, 2 * k + 1);
        }
        if ((width & 1) != 0)
            Unsafe.Add(ref evens, pairs) = Unsafe.Add(ref row, 2 * pairs);
    }
}
