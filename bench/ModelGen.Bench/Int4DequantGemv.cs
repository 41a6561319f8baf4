using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelGen.Numerics;

namespace ModelGen.Bench;

/// <summary>
/// The strategy the int4 kernel did not take, kept to measure it against: symmetric group-32 int4 weights
/// dequantized to fp32 in registers (widen, convert, FMA with fp32 x), 4 W rows per pass sharing x. AVX2 only.
/// </summary>
public static class Int4DequantGemv
{
    /// <summary>y = W x for W [n, k] in <see cref="Quantization.Int4Quantizer"/>'s symmetric group-32 format.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<byte> w, ReadOnlySpan<ushort> scales, Span<float> y, int k, int n)
    {
        int blocks = k / 32;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref byte w0 = ref MemoryMarshal.GetReference(w);
        ref ushort s0 = ref MemoryMarshal.GetReference(scales);
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        for (int j = 0; j + 4 <= n; j += 4)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int g = 0; g < blocks; g++)
            {
                nuint i = (nuint)g * 32;
                Vector256<float> xa = Vector256.LoadUnsafe(ref x0, i), xb = Vector256.LoadUnsafe(ref x0, i + 8);
                Vector256<float> xc = Vector256.LoadUnsafe(ref x0, i + 16), xd = Vector256.LoadUnsafe(ref x0, i + 24);
                Vector256<float> x8 = (xa + xb + xc + xd) * 8f;
                a0 = Row(ref w0, ref s0, j, g, k, blocks, xa, xb, xc, xd, x8, mask, a0);
                a1 = Row(ref w0, ref s0, j + 1, g, k, blocks, xa, xb, xc, xd, x8, mask, a1);
                a2 = Row(ref w0, ref s0, j + 2, g, k, blocks, xa, xb, xc, xd, x8, mask, a2);
                a3 = Row(ref w0, ref s0, j + 3, g, k, blocks, xa, xb, xc, xd, x8, mask, a3);
            }
            y[j] = Vector256.Sum(a0);
            y[j + 1] = Vector256.Sum(a1);
            y[j + 2] = Vector256.Sum(a2);
            y[j + 3] = Vector256.Sum(a3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(ref byte w0, ref ushort s0, int j, int g, int k, int blocks,
        Vector256<float> xa, Vector256<float> xb, Vector256<float> xc, Vector256<float> xd, Vector256<float> x8,
        Vector128<byte> mask, Vector256<float> acc)
    {
        Vector128<byte> packed = Vector128.LoadUnsafe(ref w0, (nuint)j * (nuint)(k / 2) + (nuint)g * 16);
        Vector128<byte> low = packed & mask, high = (packed.AsUInt16() >> 4).AsByte() & mask;
        Vector256<float> t = Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(low)) * xa;
        t = Fma.MultiplyAdd(Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(low, 8))), xb, t);
        t = Fma.MultiplyAdd(Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(high)), xc, t);
        t = Fma.MultiplyAdd(Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(high, 8))), xd, t);
        float scale = HalfConversion.ToSingle(Unsafe.Add(ref s0, (nint)j * blocks + g));
        return Fma.MultiplyAdd(t - x8, Vector256.Create(scale), acc);
    }
}
