using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Reorders each whole 64 bytes of an int8 row as bytes 0-15, 32-47, 16-31, 48-63 (its own inverse). Two 32-byte loads
/// of the result hold, per 128-bit lane, bytes that are 32 apart in the row: the order in which the AVX2 int4 kernel's
/// masked and shifted nibbles come out, and the two 16-byte shuffle tables of an int8 2:4 step's lanes. AVX2 only.
/// </summary>
internal static class QuarterSwap64
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Apply(ref sbyte x, int k)
    {
        for (nuint i = 0; i + 64 <= (nuint)k; i += 64)
        {
            Vector256<sbyte> v0 = Vector256.LoadUnsafe(ref x, i), v1 = Vector256.LoadUnsafe(ref x, i + 32);
            Avx2.Permute2x128(v0, v1, 0x20).StoreUnsafe(ref x, i);
            Avx2.Permute2x128(v0, v1, 0x31).StoreUnsafe(ref x, i + 32);
        }
    }
}
