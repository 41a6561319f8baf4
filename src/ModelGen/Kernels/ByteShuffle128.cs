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
}
