using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The AVX2 int8 multiply step: acc + the 32 products w * x as 8 int32 partial sums. VPMADDUBSW multiplies unsigned
/// by signed bytes into int16 pair sums; VPMADDWD by ones widens them to int32. The int8 kernels are specialized on
/// how x becomes the unsigned operand.
/// </summary>
internal interface IInt8Product256
{
    static abstract Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w, Vector256<sbyte> x);
}

/// <summary>
/// For an x row with no negative value (after ReLU, or image pixels): x in [0, 127] is already a valid unsigned
/// operand and w the signed one, so each pair sum is at most 2 * 127 * 128 = 32512, never saturating.
/// </summary>
internal readonly struct NonNegativeX256 : IInt8Product256
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w, Vector256<sbyte> x) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x.AsByte(), w), Vector256<short>.One));
}

/// <summary>
/// Any x row: the weight's sign moves onto x (VPSIGNB) and |w| &lt;= 128 is the unsigned operand; with |x| &lt;= 127
/// the pair sums stay within 32512, for every sbyte weight including -128. Two instructions more per step.
/// </summary>
internal readonly struct SignedX256 : IInt8Product256
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w, Vector256<sbyte> x) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(x, w)), Vector256<short>.One));
}
