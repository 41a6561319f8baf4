using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit int8 sparse kernels over quantized x, generic over the 16-pair multiply-accumulate step (portable, arm64,
/// arm64 SDOT, or SSSE3 on the Avx2 path). Unstructured: two mask bytes expand 16 packed values to their columns with
/// one byte shuffle (pruned lanes 0, and 0 * x adds nothing). 2:4: the nibbles pick the 16 x bytes the 16 values of
/// 32 columns meet. Integer sums: every path gives the scalar path's dot products exactly.
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TwoOfFourRow<TDot>(in SparseDense<sbyte, sbyte> a, ref sbyte x, int j) where TDot : struct, IInt8Dot128
    {
        ref byte meta = ref a.StructureRow(j);
        ref sbyte v = ref Unsafe.Add(ref a.Values, a.RowStart(j));
        ref uint compress = ref MemoryMarshal.GetArrayDataReference(SparseTables.Compress24Int8);
        Vector128<int> s = default;
        int c = 0;
        // 32 columns = 8 groups = 16 values per step; every load lies inside full groups below k.
        for (; c + 32 <= a.K; c += 32)
        {
            ref byte m = ref Unsafe.Add(ref meta, c >> 3);
            Vector128<byte> lo = Vector128.Create(Pick(ref compress, m, Unsafe.Add(ref m, 1)), ulong.MaxValue).AsByte();
            Vector128<byte> hi = Vector128.Create(ulong.MaxValue, Pick(ref compress, Unsafe.Add(ref m, 2), Unsafe.Add(ref m, 3))).AsByte();
            Vector128<byte> xs = ByteShuffle128.Shuffle(Vector128.LoadUnsafe(ref x, (nuint)c).AsByte(), lo)
                | ByteShuffle128.Shuffle(Vector128.LoadUnsafe(ref x, (nuint)c + 16).AsByte(), hi);
            s = TDot.Accumulate(s, Vector128.LoadUnsafe(ref v, (nuint)c / 2), xs.AsSByte());
        }
        return SparseScalar.TwoOfFourInt8From(in a, ref x, j, c >> 2, Vector128.Sum(s));
    }

    /// <summary>8 shuffle bytes taking the x bytes of 4 groups (16 columns, meta bytes m0 and m1) in value order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Pick(ref uint compress, byte m0, byte m1) =>
        Unsafe.Add(ref compress, m0) | (ulong)(Unsafe.Add(ref compress, m1) + 0x08080808u) << 32;
}
