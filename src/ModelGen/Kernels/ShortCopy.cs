using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Copies of a few to a few dozen floats (rows of small planes: 7, 14, 28): whole vectors, the last one overlapping
/// the one before, where a general memory copy's setup costs as much as the copy. Pure data movement: every path gives
/// the same bits.
/// </summary>
internal static class ShortCopy
{
    /// <summary><c>target[0, count) = source[0, count)</c>; the two must not overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Floats(KernelPath path, ref float source, ref float target, int count)
    {
        nuint n = (nuint)count, i = 0;
        if (path == KernelPath.Avx2 && n >= 8)
        {
            for (; i + 8 <= n; i += 8) Vector256.LoadUnsafe(ref source, i).StoreUnsafe(ref target, i);
            if (i < n) Vector256.LoadUnsafe(ref source, n - 8).StoreUnsafe(ref target, n - 8);
            return;
        }
        if (path != KernelPath.Scalar && n >= 4)
        {
            for (; i + 4 <= n; i += 4) Vector128.LoadUnsafe(ref source, i).StoreUnsafe(ref target, i);
            if (i < n) Vector128.LoadUnsafe(ref source, n - 4).StoreUnsafe(ref target, n - 4);
            return;
        }
        for (; i < n; i++) Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i);
    }
}
