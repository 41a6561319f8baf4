using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// 128-bit GEMM micro-kernel (portable <c>Vector128</c>, or arm64 FMLA): the AVX2 tile's shape, 4 rows x up to 12
/// columns in 12 accumulators, 3 for the B row and 1 for the broadcast element of A: 16 registers, all of x64's xmm
/// registers and half of arm64's.
/// </summary>
internal readonly struct GemmTile128<TFma> : IGemmTile where TFma : struct, IFma128
{
    private const int Width = 4;

    public static int Lanes => Width;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyVectors(ref float source, ref float destination, int vectors)
    {
        for (nuint v = 0; v < (nuint)vectors * Width; v += Width)
            Vector128.LoadUnsafe(ref source, v).StoreUnsafe(ref destination, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile(int vectors, ref float a0, ref float a1, ref float a2, ref float a3, ref float b, int kc,
        ref float c, nint ldc, bool accumulate, bool last, ref float bias, Activation activation)
    {
        switch (vectors)
        {
            case 3: Tile<ThreeVectors>(ref a0, ref a1, ref a2, ref a3, ref b, kc, ref c, ldc, accumulate, last, ref bias, activation); break;
            case 2: Tile<TwoVectors>(ref a0, ref a1, ref a2, ref a3, ref b, kc, ref c, ldc, accumulate, last, ref bias, activation); break;
            default: Tile<OneVector>(ref a0, ref a1, ref a2, ref a3, ref b, kc, ref c, ldc, accumulate, last, ref bias, activation); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NarrowTile(ref float a, nint lda, int rows, ref float b, int kc, ref float c, nint ldc,
        bool accumulate, bool last, ref float bias, Activation activation)
    {
        ref float a0 = ref a;
        ref float a1 = ref rows > 1 ? ref Unsafe.Add(ref a, lda) : ref a;
        ref float a2 = ref rows > 2 ? ref Unsafe.Add(ref a, 2 * lda) : ref a;
        ref float a3 = ref rows > 3 ? ref Unsafe.Add(ref a, 3 * lda) : ref a;
        ref float a4 = ref rows > 4 ? ref Unsafe.Add(ref a, 4 * lda) : ref a;
        ref float a5 = ref rows > 5 ? ref Unsafe.Add(ref a, 5 * lda) : ref a;
        ref float a6 = ref rows > 6 ? ref Unsafe.Add(ref a, 6 * lda) : ref a;
        ref float a7 = ref rows > 7 ? ref Unsafe.Add(ref a, 7 * lda) : ref a;
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        if (accumulate)
        {
            s0 = Vector128.LoadUnsafe(ref c); s1 = Vector128.LoadUnsafe(ref c, (nuint)ldc);
            s2 = Vector128.LoadUnsafe(ref c, 2 * (nuint)ldc); s3 = Vector128.LoadUnsafe(ref c, 3 * (nuint)ldc);
            s4 = Vector128.LoadUnsafe(ref c, 4 * (nuint)ldc); s5 = Vector128.LoadUnsafe(ref c, 5 * (nuint)ldc);
            s6 = Vector128.LoadUnsafe(ref c, 6 * (nuint)ldc); s7 = Vector128.LoadUnsafe(ref c, 7 * (nuint)ldc);
        }
        for (nuint p = 0; p < (nuint)kc; p++)
        {
            Vector128<float> b0 = Vector128.LoadUnsafe(ref b, p * Width);
            Vector128<float> x = Vector128.Create(Unsafe.Add(ref a0, p));
            s0 = TFma.MultiplyAdd(s0, x, b0);
            x = Vector128.Create(Unsafe.Add(ref a1, p));
            s1 = TFma.MultiplyAdd(s1, x, b0);
            x = Vector128.Create(Unsafe.Add(ref a2, p));
            s2 = TFma.MultiplyAdd(s2, x, b0);
            x = Vector128.Create(Unsafe.Add(ref a3, p));
            s3 = TFma.MultiplyAdd(s3, x, b0);
            x = Vector128.Create(Unsafe.Add(ref a4, p));
            s4 = TFma.MultiplyAdd(s4, x, b0);
            x = Vector128.Create(Unsafe.Add(ref a5, p));
            s5 = TFma.MultiplyAdd(s5, x, b0);
            x = Vector128.Create(Unsafe.Add(ref a6, p));
            s6 = TFma.MultiplyAdd(s6, x, b0);
            x = Vector128.Create(Unsafe.Add(ref a7, p));
            s7 = TFma.MultiplyAdd(s7, x, b0);
        }
        if (last)
        {
            s0 = ActivationFunctions.Apply(s0 + Vector128.Create(bias), activation);
            s1 = ActivationFunctions.Apply(s1 + Vector128.Create(Unsafe.Add(ref bias, 1)), activation);
            s2 = ActivationFunctions.Apply(s2 + Vector128.Create(Unsafe.Add(ref bias, 2)), activation);
            s3 = ActivationFunctions.Apply(s3 + Vector128.Create(Unsafe.Add(ref bias, 3)), activation);
            s4 = ActivationFunctions.Apply(s4 + Vector128.Create(Unsafe.Add(ref bias, 4)), activation);
            s5 = ActivationFunctions.Apply(s5 + Vector128.Create(Unsafe.Add(ref bias, 5)), activation);
            s6 = ActivationFunctions.Apply(s6 + Vector128.Create(Unsafe.Add(ref bias, 6)), activation);
            s7 = ActivationFunctions.Apply(s7 + Vector128.Create(Unsafe.Add(ref bias, 7)), activation);
        }
        s0.StoreUnsafe(ref c); s1.StoreUnsafe(ref c, (nuint)ldc);
        s2.StoreUnsafe(ref c, 2 * (nuint)ldc); s3.StoreUnsafe(ref c, 3 * (nuint)ldc);
        s4.StoreUnsafe(ref c, 4 * (nuint)ldc); s5.StoreUnsafe(ref c, 5 * (nuint)ldc);
        s6.StoreUnsafe(ref c, 6 * (nuint)ldc); s7.StoreUnsafe(ref c, 7 * (nuint)ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TV>(ref float a0, ref float a1, ref float a2, ref float a3, ref float b, int kc,
        ref float c, nint ldc, bool accumulate, bool last, ref float bias, Activation activation) where TV : struct, ITileVectors
    {
        ref float c0 = ref c;
        ref float c1 = ref Unsafe.Add(ref c, ldc);
        ref float c2 = ref Unsafe.Add(ref c, 2 * ldc);
        ref float c3 = ref Unsafe.Add(ref c, 3 * ldc);
        Vector128<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector128<float> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        if (accumulate)
        {
            s00 = Vector128.LoadUnsafe(ref c0); s10 = Vector128.LoadUnsafe(ref c1);
            s20 = Vector128.LoadUnsafe(ref c2); s30 = Vector128.LoadUnsafe(ref c3);
            if (TV.Count > 1)
            {
                s01 = Vector128.LoadUnsafe(ref c0, Width); s11 = Vector128.LoadUnsafe(ref c1, Width);
                s21 = Vector128.LoadUnsafe(ref c2, Width); s31 = Vector128.LoadUnsafe(ref c3, Width);
            }
            if (TV.Count > 2)
            {
                s02 = Vector128.LoadUnsafe(ref c0, 2 * Width); s12 = Vector128.LoadUnsafe(ref c1, 2 * Width);
                s22 = Vector128.LoadUnsafe(ref c2, 2 * Width); s32 = Vector128.LoadUnsafe(ref c3, 2 * Width);
            }
        }
        nuint step = (nuint)(TV.Count * Width);
        for (nuint p = 0; p < (nuint)kc; p++)
        {
            Vector128<float> b0 = Vector128.LoadUnsafe(ref b);
            Vector128<float> b1 = TV.Count > 1 ? Vector128.LoadUnsafe(ref b, Width) : default;
            Vector128<float> b2 = TV.Count > 2 ? Vector128.LoadUnsafe(ref b, 2 * Width) : default;
            b = ref Unsafe.Add(ref b, step);
            Vector128<float> x = Vector128.Create(Unsafe.Add(ref a0, p));
            s00 = TFma.MultiplyAdd(s00, x, b0);
            if (TV.Count > 1) s01 = TFma.MultiplyAdd(s01, x, b1);
            if (TV.Count > 2) s02 = TFma.MultiplyAdd(s02, x, b2);
            x = Vector128.Create(Unsafe.Add(ref a1, p));
            s10 = TFma.MultiplyAdd(s10, x, b0);
            if (TV.Count > 1) s11 = TFma.MultiplyAdd(s11, x, b1);
            if (TV.Count > 2) s12 = TFma.MultiplyAdd(s12, x, b2);
            x = Vector128.Create(Unsafe.Add(ref a2, p));
            s20 = TFma.MultiplyAdd(s20, x, b0);
            if (TV.Count > 1) s21 = TFma.MultiplyAdd(s21, x, b1);
            if (TV.Count > 2) s22 = TFma.MultiplyAdd(s22, x, b2);
            x = Vector128.Create(Unsafe.Add(ref a3, p));
            s30 = TFma.MultiplyAdd(s30, x, b0);
            if (TV.Count > 1) s31 = TFma.MultiplyAdd(s31, x, b1);
            if (TV.Count > 2) s32 = TFma.MultiplyAdd(s32, x, b2);
        }
        if (last)
        {
            Store(ref c0, s00, s01, s02, Vector128.Create(bias), activation);
            Store(ref c1, s10, s11, s12, Vector128.Create(Unsafe.Add(ref bias, 1)), activation);
            Store(ref c2, s20, s21, s22, Vector128.Create(Unsafe.Add(ref bias, 2)), activation);
            Store(ref c3, s30, s31, s32, Vector128.Create(Unsafe.Add(ref bias, 3)), activation);
            return;
        }
        s00.StoreUnsafe(ref c0); s10.StoreUnsafe(ref c1); s20.StoreUnsafe(ref c2); s30.StoreUnsafe(ref c3);
        if (TV.Count > 1)
        {
            s01.StoreUnsafe(ref c0, Width); s11.StoreUnsafe(ref c1, Width);
            s21.StoreUnsafe(ref c2, Width); s31.StoreUnsafe(ref c3, Width);
        }
        if (TV.Count > 2)
        {
            s02.StoreUnsafe(ref c0, 2 * Width); s12.StoreUnsafe(ref c1, 2 * Width);
            s22.StoreUnsafe(ref c2, 2 * Width); s32.StoreUnsafe(ref c3, 2 * Width);
        }

        static void Store(ref float row, Vector128<float> v0, Vector128<float> v1, Vector128<float> v2, Vector128<float> add,
            Activation activation)
        {
            ActivationFunctions.Apply(v0 + add, activation).StoreUnsafe(ref row);
            if (TV.Count > 1) ActivationFunctions.Apply(v1 + add, activation).StoreUnsafe(ref row, Width);
            if (TV.Count > 2) ActivationFunctions.Apply(v2 + add, activation).StoreUnsafe(ref row, 2 * Width);
        }
    }
}
