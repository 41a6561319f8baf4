using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit int8 sparse kernels over quantized x, generic over the 16-pair multiply-accumulate step (portable, arm64,
/// arm64 SDOT, or SSSE3 for the Avx2 path's unstructured kernel; its 2:4 kernel is <see cref="SparseInt8Avx2"/>). Unstructured: two mask bytes expand 16 packed values to their columns with
/// one byte shuffle (pruned lanes 0, and 0 * x adds nothing). 2:4: the 2-bit positions pick the 16 x bytes the 16
/// values of 32 columns meet. Integer sums: every path gives the scalar path's dot products exactly.
/// </summary>
internal static class SparseInt8128
{
    private const ulong EveryByte = 0x0101010101010101;

    public static void Unstructured<TDot>(in SparseDense<sbyte, sbyte> a) where TDot : struct, IInt8Dot128
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, UnstructuredRow<TDot>(in a, ref a.XRow(b), j));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int UnstructuredRow<TDot>(in SparseDense<sbyte, sbyte> a, ref sbyte x, int j) where TDot : struct, IInt8Dot128
    {
        ref byte mask = ref a.StructureRow(j);
        ref ulong expand = ref MemoryMarshal.GetArrayDataReference(SparseTables.ExpandInt8);
        nint pos = a.RowStart(j);
        // Each step loads 16 values from pos: stay inside the values span.
        nint lastSafe = a.ValueCount - 16;
        Vector128<int> s = default;
        int c = 0;
        for (; c + 16 <= a.K && pos <= lastSafe; c += 16)
        {
            int m0 = Unsafe.Add(ref mask, c >> 3), m1 = Unsafe.Add(ref mask, (c >> 3) + 1);
            int p0 = BitOperations.PopCount((uint)m0);
            // The second byte's lanes take values from p0 on: add p0 to its indices (zero lanes stay >= 0x80).
            Vector128<byte> index = Vector128.Create(Unsafe.Add(ref expand, m0), Unsafe.Add(ref expand, m1) + (ulong)p0 * EveryByte).AsByte();
            Vector128<sbyte> w = ByteShuffle128.Shuffle(Vector128.LoadUnsafe(ref a.Values, (nuint)pos).AsByte(), index).AsSByte();
            s = TDot.Accumulate(s, w, Vector128.LoadUnsafe(ref x, (nuint)c));
            pos += p0 + BitOperations.PopCount((uint)m1);
        }
        return SparseScalar.UnstructuredInt8From(in a, ref x, j, c, pos, Vector128.Sum(s));
    }

    public static void TwoOfFour<TDot>(in SparseDense<sbyte, sbyte> a) where TDot : struct, IInt8Dot128
    {
        for (int j = 0; j < a.N; j++)
            for (int b = 0; b < a.Batch; b++)
                a.Store(b, j, TwoOfFourRow<TDot>(in a, ref a.XRow(b), j));
    }

    /// <summary>
    /// Steps of 64 columns (16 groups, 32 values, 8 meta bytes): shifting the step's 8 meta bytes by 0, 2, 4 and 6
    /// gives the positions of values 0-7, 8-15, 16-23 and 24-31 (<see cref="SparseLayout.Int8Position24"/>); added
    /// to each value's group offset they pick its x byte out of the half step's 32 columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TwoOfFourRow<TDot>(in SparseDense<sbyte, sbyte> a, ref sbyte x, int j) where TDot : struct, IInt8Dot128
    {
        ref byte meta = ref a.StructureRow(j);
        ref sbyte v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        Vector128<byte> groupOffset = Vector128.Create((byte)0, 0, 4, 4, 8, 8, 12, 12, 16, 16, 20, 20, 24, 24, 28, 28);
        Vector128<int> s = default;
        int c = 0;
        // Every load lies inside whole groups below k.
        for (; c + 64 <= a.K; c += 64)
        {
            ulong m = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref meta, c >> 3));
            Vector128<byte> low = (Vector128.Create(m, m >> 2).AsByte() & Vector128.Create((byte)3)) + groupOffset;
            Vector128<byte> high = (Vector128.Create(m >> 4, m >> 6).AsByte() & Vector128.Create((byte)3)) + groupOffset;
            Vector128<byte> x0 = ByteShuffle128.Shuffle32(Vector128.LoadUnsafe(ref x, (nuint)c).AsByte(),
                Vector128.LoadUnsafe(ref x, (nuint)c + 16).AsByte(), low);
            Vector128<byte> x1 = ByteShuffle128.Shuffle32(Vector128.LoadUnsafe(ref x, (nuint)c + 32).AsByte(),
                Vector128.LoadUnsafe(ref x, (nuint)c + 48).AsByte(), high);
            s = TDot.Accumulate(s, Vector128.LoadUnsafe(ref v, (nuint)c / 2), x0.AsSByte());
            s = TDot.Accumulate(s, Vector128.LoadUnsafe(ref v, (nuint)c / 2 + 16), x1.AsSByte());
        }
        return SparseScalar.TwoOfFourInt8From(in a, ref x, j, c >> 2, Vector128.Sum(s));
    }
}
