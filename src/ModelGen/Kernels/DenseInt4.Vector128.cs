using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit int4 kernels, generic over the int8 multiply-accumulate step (portable, arm64 widening multiplies, or
/// SDOT): nibbles 0..15 are valid sbytes, so the int8 steps multiply them by x exactly. 16 packed bytes (32 values)
/// per step; 4 W rows share each x vector. Block sums are reduced to ints; groups of 4 W rows scale them 4 blocks at
/// a time in vectors, the rest one at a time in scalar code, the same operations as <see cref="DenseInt4Scalar"/>.
/// </summary>
internal static class DenseInt4128
{
    private const int Rows = 4;

    /// <summary>Blocks scaled together as one vector per row.</summary>
    private const int GroupBlocks = 4;

    [SkipLocalsInit]
    public static void Run<TDot>(in Int4Dense a) where TDot : struct, IInt8Dot128
    {
        Span<float> slots = stackalloc float[Rows * Int4Dense.Slots];
        for (int j = 0; j < a.N; j += Rows)
        {
            int rows = Math.Min(Rows, a.N - j);
            for (int b = 0; b < a.Batch; b++)
            {
                slots.Clear();
                if (rows == Rows)
                    Rows4<TDot>(in a, j, b, slots);
                else
                    for (int r = 0; r < rows; r++)
                        Row1<TDot>(in a, j + r, b, slots.Slice(r * Int4Dense.Slots));
                for (int r = 0; r < rows; r++)
                    a.Store(b, j + r, slots.Slice(r * Int4Dense.Slots, Int4Dense.Slots));
            }
        }
    }

    /// <summary>
    /// 4 W rows against x row b. Blocks go 4 at a time: their exact int32 sums are parked in a small stack buffer and
    /// then scaled as one vector per row, lane for lane <see cref="Int4Dense.BlockValue"/> (fp16 scales widened with
    /// <see cref="HalfConvert"/>), into the slots of blocks g .. g + 3 (g a multiple of 4: slots 0-3 or 4-7). The last
    /// Blocks mod 4 blocks go one at a time through the scalar form.
    /// </summary>
    [SkipLocalsInit]
    private static void Rows4<TDot>(in Int4Dense a, int j, int b, Span<float> slots) where TDot : struct, IInt8Dot128
    {
        ref sbyte x = ref a.XRow(b);
        ref float xScales = ref a.XScaleRow(b);
        ref byte w0 = ref a.WRow(j);
        nuint rowBytes = (nuint)(a.K / 2);
        ref byte w1 = ref Unsafe.Add(ref w0, rowBytes);
        ref byte w2 = ref Unsafe.Add(ref w1, rowBytes);
        ref byte w3 = ref Unsafe.Add(ref w2, rowBytes);
        nuint chunks = (nuint)(a.GroupSize / 32);
        // [row r, block q] at 4r + q, x's block sums at 16 + q.
        Span<int> sums = stackalloc int[5 * GroupBlocks];
        ref int s = ref MemoryMarshal.GetReference(sums);
        ref float slot = ref MemoryMarshal.GetReference(slots);
        int grouped = a.Blocks & ~(GroupBlocks - 1);
        for (int g = 0; g < a.Blocks; g++)
        {
            Vector128<int> d0 = default, d1 = default, d2 = default, d3 = default, xs = default;
            nuint start = (nuint)g * chunks;
            for (nuint c = start; c < start + chunks; c++)
            {
                Vector128<sbyte> xLow = Vector128.LoadUnsafe(ref x, 32 * c), xHigh = Vector128.LoadUnsafe(ref x, 32 * c + 16);
                xs = TDot.Accumulate(TDot.Accumulate(xs, Vector128<sbyte>.One, xLow), Vector128<sbyte>.One, xHigh);
                d0 = Step<TDot>(d0, Vector128.LoadUnsafe(ref w0, 16 * c), xLow, xHigh);
                d1 = Step<TDot>(d1, Vector128.LoadUnsafe(ref w1, 16 * c), xLow, xHigh);
                d2 = Step<TDot>(d2, Vector128.LoadUnsafe(ref w2, 16 * c), xLow, xHigh);
                d3 = Step<TDot>(d3, Vector128.LoadUnsafe(ref w3, 16 * c), xLow, xHigh);
            }
            if (g < grouped)
            {
                int q = g & (GroupBlocks - 1);
                Unsafe.Add(ref s, q) = Vector128.Sum(d0);
                Unsafe.Add(ref s, 4 + q) = Vector128.Sum(d1);
                Unsafe.Add(ref s, 8 + q) = Vector128.Sum(d2);
                Unsafe.Add(ref s, 12 + q) = Vector128.Sum(d3);
                Unsafe.Add(ref s, 16 + q) = Vector128.Sum(xs);
                if (q == GroupBlocks - 1)
                {
                    int g0 = g - q, first = g0 % Int4Dense.Slots;
                    Vector128<int> xSums = Vector128.LoadUnsafe(ref s, 16);
                    Vector128<float> xScale = Vector128.LoadUnsafe(ref xScales, (nuint)g0);
                    for (int r = 0; r < Rows; r++)
                    {
                        ref float rowSlots = ref Unsafe.Add(ref slot, r * Int4Dense.Slots + first);
                        (Vector128.LoadUnsafe(ref rowSlots) + BlockValues4(in a, j + r, g0, Vector128.LoadUnsafe(ref s, (nuint)(4 * r)),
                            xSums, xScale)).StoreUnsafe(ref rowSlots);
                    }
                }
                continue;
            }
            int xSum = Vector128.Sum(xs), last = g % Int4Dense.Slots;
            slots[last] += a.BlockValue(b, j, g, Vector128.Sum(d0), xSum);
            slots[Int4Dense.Slots + last] += a.BlockValue(b, j + 1, g, Vector128.Sum(d1), xSum);
            slots[2 * Int4Dense.Slots + last] += a.BlockValue(b, j + 2, g, Vector128.Sum(d2), xSum);
            slots[3 * Int4Dense.Slots + last] += a.BlockValue(b, j + 3, g, Vector128.Sum(d3), xSum);
        }
    }

    /// <summary>
    /// <see cref="Int4Dense.BlockValue"/> of blocks g0 .. g0 + 3 of W row j in the 4 lanes: the same IEEE operations in
    /// the same order, so each lane is bit-equal to the scalar value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> BlockValues4(in Int4Dense a, int j, int g0, Vector128<int> dots, Vector128<int> xSums,
        Vector128<float> xScale)
    {
        Vector128<float> s = xScale * Halves4(ref Unsafe.Add(ref a.ScaleRow(j), g0));
        if (!a.Asymmetric)
            return Vector128.ConvertToSingle(dots - xSums * Quantization.Int4Quantizer.SymmetricOffset) * s;
        Vector128<float> m = xScale * Halves4(ref Unsafe.Add(ref a.MinRow(j), g0));
        return Vector128.ConvertToSingle(dots) * s + Vector128.ConvertToSingle(xSums) * m;
    }

    /// <summary>4 consecutive fp16 values as fp32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Halves4(ref ushort h) =>
        HalfConvert.ToSingle(Vector128.WidenLower(
            Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref h))).AsInt16()));

    private static void Row1<TDot>(in Int4Dense a, int j, int b, Span<float> slots) where TDot : struct, IInt8Dot128
    {
        ref sbyte x = ref a.XRow(b);
        ref byte w = ref a.WRow(j);
        nuint chunks = (nuint)(a.GroupSize / 32);
        for (int g = 0; g < a.Blocks; g++)
        {
            Vector128<int> d = default, xs = default;
            nuint start = (nuint)g * chunks;
            for (nuint c = start; c < start + chunks; c++)
            {
                Vector128<sbyte> xLow = Vector128.LoadUnsafe(ref x, 32 * c), xHigh = Vector128.LoadUnsafe(ref x, 32 * c + 16);
                xs = TDot.Accumulate(TDot.Accumulate(xs, Vector128<sbyte>.One, xLow), Vector128<sbyte>.One, xHigh);
                d = Step<TDot>(d, Vector128.LoadUnsafe(ref w, 16 * c), xLow, xHigh);
            }
            slots[g % Int4Dense.Slots] += a.BlockValue(b, j, g, Vector128.Sum(d), Vector128.Sum(xs));
        }
    }

    /// <summary>acc + the 32 products of one chunk: low nibbles times x[0..15], high nibbles times x[16..31].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Step<TDot>(Vector128<int> acc, Vector128<byte> packed, Vector128<sbyte> xLow, Vector128<sbyte> xHigh)
        where TDot : struct, IInt8Dot128
    {
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        acc = TDot.Accumulate(acc, (packed & mask).AsSByte(), xLow);
        return TDot.Accumulate(acc, Vector128.ShiftRightLogical(packed, 4).AsSByte(), xHigh);
    }
}
