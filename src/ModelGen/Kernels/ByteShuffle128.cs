using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Table byte shuffle: <c>result[i] = source[index[i]]</c>, and 0 where index[i] has its high bit set (every
/// <see cref="SparseTables"/> entry uses 0x80 or 0xFF for that). PSHUFB and TBL both give 0 there, and so does the
/// portable fallback for any index past 15.
/// </summary>
internal static class ByteShuffle128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Shuffle(Vector128<byte> source, Vector128<byte> index)
    {
        if (Ssse3.IsSupported) return Ssse3.Shuffle(source, index);
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.VectorTableLookup(source, index);
        return Vector128.Shuffle(source, index);
    }

    /// <summary>
    /// Two-table byte shuffle: <c>result[i] = (low, high)[index[i]]</c> for indices 0-31 (0-15 from
    /// <paramref name="low"/>, 16-31 from <paramref name="high"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Shuffle32(Vector128<byte> low, Vector128<byte> high, Vector128<byte> index)
    {
        if (Ssse3.IsSupported)
        {
            // index + 0x70 keeps 0-15 below 0x80 (PSHUFB reads the low 4 bits) and lifts 16-31 to 0x80-0x8F (zero);
            // flipping bit 7 swaps the two for the other table.
            Vector128<byte> lifted = index + Vector128.Create((byte)0x70);
            return Ssse3.Shuffle(low, lifted) | Ssse3.Shuffle(high, lifted ^ Vector128.Create((byte)0x80));
        }
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.VectorTableLookup((low, high), index);
        return Vector128.Shuffle(low, index) | Vector128.Shuffle(high, index - Vector128.Create((byte)16));
    }
}
