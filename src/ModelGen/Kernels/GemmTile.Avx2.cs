using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// AVX2 + FMA GEMM micro-kernel: 4 rows x up to 24 columns in 12 ymm accumulators, 3 for the B row and 1 for the
/// broadcast element of A (16 registers). Each step of p issues 12 FMAs against 7 loads, within Zen 3's 2 FMAs and
/// 3 loads a cycle.
/// </summary>
internal readonly struct GemmTileAvx2 : IGemmTile
{
    private const int Width = 8;

    public static int Lanes => Width;

    /// <summary>
    /// How far ahead of the packing the next strips of B are prefetched: each of B's K rows is its own stream 96 bytes
    /// a strip, more streams than the hardware prefetchers follow when N is large.
    /// </summary>
    private const int PrefetchAheadBytes = 4 * 3 * Width * sizeof(float);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void CopyVectors(ref float source, ref float destination, int vectors)
    {
        // A prefetch never faults, so reading past the end of B here is harmless.
        byte* ahead = (byte*)Unsafe.AsPointer(ref source) + PrefetchAheadBytes;
        Sse.Prefetch0(ahead);
        Sse.Prefetch0(ahead + 64);
        for (nuint v = 0; v < (nuint)vectors * Width; v += Width)
            Vector256.LoadUnsafe(ref source, v).StoreUnsafe(ref destination, v);
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
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        if (accumulate)
        {
            s0 = Vector256.LoadUnsafe(ref c); s1 = Vector256.LoadUnsafe(ref c, (nuint)ldc);
            s2 = Vector256.LoadUnsafe(ref c, 2 * (nuint)ldc); s3 = Vector256.LoadUnsafe(ref c, 3 * (nuint)ldc);
            s4 = Vector256.LoadUnsafe(ref c, 4 * (nuint)ldc); s5 = Vector256.LoadUnsafe(ref c, 5 * (nuint)ldc);
            s6 = Vector256.LoadUnsafe(ref c, 6 * (nuint)ldc); s7 = Vector256.LoadUnsafe(ref c, 7 * (nuint)ldc);
        }
        for (nuint p = 0; p < (nuint)kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadUnsafe(ref b, p * Width);
            Vector256<float> x = Vector256.Create(Unsafe.Add(ref a0, p));
            s0 = Fma.MultiplyAdd(x, b0, s0);
            x = Vector256.Create(Unsafe.Add(ref a1, p));
            s1 = Fma.MultiplyAdd(x, b0, s1);
            x = Vector256.Create(Unsafe.Add(ref a2, p));
            s2 = Fma.MultiplyAdd(x, b0, s2);
            x = Vector256.Create(Unsafe.Add(ref a3, p));
            s3 = Fma.MultiplyAdd(x, b0, s3);
            x = Vector256.Create(Unsafe.Add(ref a4, p));
            s4 = Fma.MultiplyAdd(x, b0, s4);
            x = Vector256.Create(Unsafe.Add(ref a5, p));
            s5 = Fma.MultiplyAdd(x, b0, s5);
            x = Vector256.Create(Unsafe.Add(ref a6, p));
            s6 = Fma.MultiplyAdd(x, b0, s6);
            x = Vector256.Create(Unsafe.Add(ref a7, p));
            s7 = Fma.MultiplyAdd(x, b0, s7);
        }
        if (last)
        {
            s0 = ActivationFunctions.Apply(s0 + Vector256.Create(bias), activation);
            s1 = ActivationFunctions.Apply(s1 + Vector256.Create(Unsafe.Add(ref bias, 1)), activation);
            s2 = ActivationFunctions.Apply(s2 + Vector256.Create(Unsafe.Add(ref bias, 2)), activation);
            s3 = ActivationFunctions.Apply(s3 + Vector256.Create(Unsafe.Add(ref bias, 3)), activation);
            s4 = ActivationFunctions.Apply(s4 + Vector256.Create(Unsafe.Add(ref bias, 4)), activation);
            s5 = ActivationFunctions.Apply(s5 + Vector256.Create(Unsafe.Add(ref bias, 5)), activation);
            s6 = ActivationFunctions.Apply(s6 + Vector256.Create(Unsafe.Add(ref bias, 6)), activation);
            s7 = ActivationFunctions.Apply(s7 + Vector256.Create(Unsafe.Add(ref bias, 7)), activation);
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
        Vector256<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        if (accumulate)
        {
            s00 = Vector256.LoadUnsafe(ref c0); s10 = Vector256.LoadUnsafe(ref c1);
            s20 = Vector256.LoadUnsafe(ref c2); s30 = Vector256.LoadUnsafe(ref c3);
            if (TV.Count > 1)
            {
                s01 = Vector256.LoadUnsafe(ref c0, Width); s11 = Vector256.LoadUnsafe(ref c1, Width);
                s21 = Vector256.LoadUnsafe(ref c2, Width); s31 = Vector256.LoadUnsafe(ref c3, Width);
            }
            if (TV.Count > 2)
            {
                s02 = Vector256.LoadUnsafe(ref c0, 2 * Width); s12 = Vector256.LoadUnsafe(ref c1, 2 * Width);
                s22 = Vector256.LoadUnsafe(ref c2, 2 * Width); s32 = Vector256.LoadUnsafe(ref c3, 2 * Width);
            }
        }
        nuint step = (nuint)(TV.Count * Width);
        for (nuint p = 0; p < (nuint)kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadUnsafe(ref b);
            Vector256<float> b1 = TV.Count > 1 ? Vector256.LoadUnsafe(ref b, Width) : default;
            Vector256<float> b2 = TV.Count > 2 ? Vector256.LoadUnsafe(ref b, 2 * Width) : default;
            b = ref Unsafe.Add(ref b, step);
            Vector256<float> x = Vector256.Create(Unsafe.Add(ref a0, p));
            s00 = Fma.MultiplyAdd(x, b0, s00);
            if (TV.Count > 1) s01 = Fma.MultiplyAdd(x, b1, s01);
            if (TV.Count > 2) s02 = Fma.MultiplyAdd(x, b2, s02);
            x = Vector256.Create(Unsafe.Add(ref a1, p));
            s10 = Fma.MultiplyAdd(x, b0, s10);
            if (TV.Count > 1) s11 = Fma.MultiplyAdd(x, b1, s11);
            if (TV.Count > 2) s12 = Fma.MultiplyAdd(x, b2, s12);
            x = Vector256.Create(Unsafe.Add(ref a2, p));
            s20 = Fma.MultiplyAdd(x, b0, s20);
            if (TV.Count > 1) s21 = Fma.MultiplyAdd(x, b1, s21);
            if (TV.Count > 2) s22 = Fma.MultiplyAdd(x, b2, s22);
            x = Vector256.Create(Unsafe.Add(ref a3, p));
            s30 = Fma.MultiplyAdd(x, b0, s30);
            if (TV.Count > 1) s31 = Fma.MultiplyAdd(x, b1, s31);
            if (TV.Count > 2) s32 = Fma.MultiplyAdd(x, b2, s32);
        }
        if (last)
        {
            Store(ref c0, s00, s01, s02, Vector256.Create(bias), activation);
            Store(ref c1, s10, s11, s12, Vector256.Create(Unsafe.Add(ref bias, 1)), activation);
            Store(ref c2, s20, s21, s22, Vector256.Create(Unsafe.Add(ref bias, 2)), activation);
            Store(ref c3, s30, s31, s32, Vector256.Create(Unsafe.Add(ref bias, 3)), activation);
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

        static void Store(ref float row, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> add,
            Activation activation)
        {
            ActivationFunctions.Apply(v0 + add, activation).StoreUnsafe(ref row);
            if (TV.Count > 1) ActivationFunctions.Apply(v1 + add, activation).StoreUnsafe(ref row, Width);
            if (TV.Count > 2) ActivationFunctions.Apply(v2 + add, activation).StoreUnsafe(ref row, 2 * Width);
        }
    }
}
