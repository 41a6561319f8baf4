using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// A register-tile micro-kernel of the GEMM: <see cref="GemmDriver.Rows"/> rows of C by 1 to
/// <see cref="GemmDriver.MaxVectors"/> vectors of columns, accumulated as outer products (broadcast an element of A,
/// load a row of the packed B strip, multiply-add into every accumulator).
/// </summary>
internal interface IGemmTile
{
    /// <summary>Floats per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Copies <paramref name="vectors"/> whole vectors from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    static abstract void CopyVectors(ref float source, ref float destination, int vectors);

    /// <summary>
    /// <c>c[r, :width] = (accumulate ? c[r, :width] : 0) + sum_{p &lt; kc} a_r[p] * b[p, :width]</c> for the 4 rows, width =
    /// vectors * Lanes, B packed with rows of exactly that width; on the <paramref name="last"/> K block it then adds
    /// <c>bias[r]</c> and applies <paramref name="activation"/> (None, Relu or Relu6 only).
    /// </summary>
    static abstract void Tile(int vectors, ref float a0, ref float a1, ref float a2, ref float a3, ref float b, int kc,
        ref float c, nint ldc, bool accumulate, bool last, ref float bias, Activation activation);

    /// <summary>
    /// <see cref="Tile"/> for a strip one vector wide, over <see cref="GemmDriver.NarrowRows"/> rows of A
    /// <paramref name="lda"/> apart (the first <paramref name="rows"/> real, the others repeat row 0): 8 independent
    /// accumulators keep both FMA pipes busy where 4 would wait on the FMA latency.
    /// </summary>
    static abstract void NarrowTile(ref float a, nint lda, int rows, ref float b, int kc, ref float c, nint ldc,
        bool accumulate, bool last, ref float bias, Activation activation);
}

/// <summary>How many vectors of columns a tile spans: a type, so each width compiles to its own register allocation.</summary>
internal interface ITileVectors
{
    static abstract int Count { get; }
}

internal readonly struct OneVector : ITileVectors { public static int Count => 1; }

internal readonly struct TwoVectors : ITileVectors { public static int Count => 2; }

internal readonly struct ThreeVectors : ITileVectors { public static int Count => 3; }

/// <summary>
/// The blocking around the micro-kernels, shared by the SIMD paths. K is cut into blocks of <see cref="KBlock"/>; N into
/// strips of up to 3 vectors; each strip of a K block is packed contiguously on the stack (24 KiB, kept in L1: B's own
/// rows are N floats apart, and for N = 12544 or 3136 that stride maps a strip onto a few L1 sets only), then every
/// 4-row tile of A passes over it, reading A's rows straight from the caller. A K block shorter than
/// <see cref="KBlock"/> packs 256 / kc strips at once into the same space and each row tile sweeps across all of them. C carries the partial sums from one K block to
/// the next, so each output still sums its terms in order p = 0, 1, ... as the scalar reference does. Partial tiles
/// (the last rows of M, the last columns of N) run on a stack copy of C's tile, the strip's missing columns packed as
/// zeros and missing rows computed from a repeated row of A, then only the real elements are copied back.
/// </summary>
internal static class GemmDriver
{
    public const int Rows = 4;
    public const int MaxVectors = 3;

    /// <summary>Rows of a tile over a strip one vector wide (the last columns of N = 49, 196: 1 and 4 columns).</summary>
    public const int NarrowRows = 8;

    /// <summary>Rows of B per packed strip: 256 x 24 floats is 24 KiB, most of a 32 KiB L1.</summary>
    public const int KBlock = 256;

    private const int MaxStripFloats = MaxVectors * 8;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(in GemmOperands o) where T : struct, IGemmTile
    {
        Span<float> packedSpan = stackalloc float[KBlock * MaxStripFloats];
        Span<float> tileSpan = stackalloc float[NarrowRows * MaxStripFloats];
        Span<float> biasSpan = stackalloc float[NarrowRows];
        ref float packed = ref MemoryMarshal.GetReference(packedSpan);
        ref float tile = ref MemoryMarshal.GetReference(tileSpan);
        ref float bias = ref MemoryMarshal.GetReference(biasSpan);
        int lanes = T.Lanes, stripWidth = MaxVectors * lanes, m = o.M, k = o.K, n = o.N;
        bool vectorActivation = o.Activation is Activation.None or Activation.Relu or Activation.Relu6;
        Activation fused = vectorActivation ? o.Activation : Activation.None;
        // A last strip of a single column (N = 49 = 2 x 24 + 1) would run as a whole vector, 1 lane of 8 useful:
        // its outputs are dot products along K instead (see LastColumn); the strips cover the others.
        bool singleLast = n > 1 && n % stripWidth == 1;
        int tiled = singleLast ? n - 1 : n;
        int pc = 0;
        do
        {
            int kc = Math.Min(KBlock, k - pc);
            bool first = pc == 0, last = pc + kc == k;
            // Short K blocks pack several strips at once and sweep each row tile across them: C is then written in
            // runs of several strips per row rather than 96 bytes per row per strip (AVX2, MobileNetV2, noisy shared
            // machine: K = 16, 96 x 12544 about 660 -> 600 us; K = 32, 16 x 12544 280 -> 220 us).
            int strips = Math.Max(1, KBlock / Math.Max(1, kc)), groupWidth = strips * stripWidth;
            for (int jg = 0; jg < tiled; jg += groupWidth)
            {
                int groupEnd = Math.Min(tiled, jg + groupWidth);
                for (int jr = jg, s = 0; jr < groupEnd; jr += stripWidth, s++)
                {
                    int columns = Math.Min(stripWidth, tiled - jr);
                    int vectors = (columns + lanes - 1) / lanes;
                    Pack<T>(ref Unsafe.Add(ref o.B, (nint)pc * n + jr), n, kc, columns, vectors, vectors * lanes,
                        ref Unsafe.Add(ref packed, s * kc * stripWidth));
                }
                for (int ir = 0; ir < m; ir += Rows)
                {
                    int rows = Math.Min(Rows, m - ir);
                    ref float a0 = ref Unsafe.Add(ref o.A, (nint)ir * k + pc);
                    ref float a1 = ref rows > 1 ? ref Unsafe.Add(ref a0, k) : ref a0;
                    ref float a2 = ref rows > 2 ? ref Unsafe.Add(ref a0, 2 * (nint)k) : ref a0;
                    ref float a3 = ref rows > 3 ? ref Unsafe.Add(ref a0, 3 * (nint)k) : ref a0;
                    if (last)
                        for (int r = 0; r < Rows; r++)
                            Unsafe.Add(ref bias, r) = r < rows ? o.BiasOf(ir + r) : 0f;
                    for (int jr = jg, s = 0; jr < groupEnd; jr += stripWidth, s++)
                    {
                        int columns = Math.Min(stripWidth, tiled - jr);
                        int vectors = (columns + lanes - 1) / lanes, width = vectors * lanes;
                        if (vectors == 1) continue; // the narrow strip (only ever the last) goes below
                        ref float strip = ref Unsafe.Add(ref packed, s * kc * stripWidth);
                        ref float c = ref Unsafe.Add(ref o.C, (nint)ir * n + jr);
                        if (rows == Rows && columns == width)
                        {
                            T.Tile(vectors, ref a0, ref a1, ref a2, ref a3, ref strip, kc, ref c, n, !first, last, ref bias, fused);
                        }
                        else
                        {
                            if (!first) CopyTile(ref c, n, ref tile, MaxStripFloats, rows, columns);
                            T.Tile(vectors, ref a0, ref a1, ref a2, ref a3, ref strip, kc, ref tile, MaxStripFloats, !first, last,
                                ref bias, fused);
                            CopyTile(ref tile, MaxStripFloats, ref c, n, rows, columns);
                        }
                        if (last && !vectorActivation)
                            ApplyActivation(ref c, n, rows, columns, o.Activation);
                    }
                }
                int lastStart = jg + (groupEnd - 1 - jg) / stripWidth * stripWidth, lastColumns = groupEnd - lastStart;
                if (lastColumns <= lanes)
                    NarrowStrip<T>(in o, pc, kc, lastStart, lastColumns, first, last, fused, vectorActivation,
                        ref Unsafe.Add(ref packed, (lastStart - jg) * kc), ref tile, ref bias);
            }
            pc += kc;
        }
        while (pc < k);
        if (singleLast) LastColumn<T>(in o, packedSpan);
    }

    /// <summary>
    /// Column N - 1 of C as M dot products of A's rows with B's last column, copied contiguous into
    /// <paramref name="column"/> a block at a time (C carries the partial sums between blocks), 2 vector accumulators
    /// along K, then bias and the scalar activation. Sums in a different order than the tiles (lanes, then across
    /// them), within the same rounding bound. MobileNetV2's N = 49 layers, AVX2, noisy shared machine: 1280 x 320
    /// 650 -> 595 us, 320 x 960 443 -> 403.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LastColumn<T>(in GemmOperands o, Span<float> column) where T : struct, IGemmTile
    {
        int m = o.M, k = o.K, n = o.N, j = n - 1;
        ref float b = ref o.B;
        ref float col = ref MemoryMarshal.GetReference(column);
        for (int pc = 0; pc == 0 || pc < k; pc += column.Length)
        {
            int kc = Math.Min(column.Length, k - pc);
            for (int p = 0; p < kc; p++)
                Unsafe.Add(ref col, p) = Unsafe.Add(ref b, (nint)(pc + p) * n + j);
            bool last = pc + kc >= k;
            for (int i = 0; i < m; i++)
            {
                ref float a = ref Unsafe.Add(ref o.A, (nint)i * k + pc);
                float sum = T.Lanes == 8 ? FloatDot.Avx2Path(ref a, ref col, kc) : FloatDot.Vector128Path<PortableFma128>(ref a, ref col, kc);
                ref float c = ref Unsafe.Add(ref o.C, (nint)i * n + j);
                if (pc > 0) sum = c + sum;
                c = last ? ActivationFunctions.Apply(sum + o.BiasOf(i), o.Activation) : sum;
            }
        }
    }

    /// <summary>All row tiles of a strip one vector wide, <see cref="NarrowRows"/> rows at a time.</summary>
    private static void NarrowStrip<T>(in GemmOperands o, int pc, int kc, int jr, int columns, bool first, bool last,
        Activation fused, bool vectorActivation, ref float packed, ref float tile, ref float bias) where T : struct, IGemmTile
    {
        int m = o.M, k = o.K, n = o.N;
        for (int ir = 0; ir < m; ir += NarrowRows)
        {
            int rows = Math.Min(NarrowRows, m - ir);
            ref float a = ref Unsafe.Add(ref o.A, (nint)ir * k + pc);
            if (last)
                for (int r = 0; r < NarrowRows; r++)
                    Unsafe.Add(ref bias, r) = r < rows ? o.BiasOf(ir + r) : 0f;
            ref float c = ref Unsafe.Add(ref o.C, (nint)ir * n + jr);
            if (rows == NarrowRows && columns == T.Lanes)
            {
                T.NarrowTile(ref a, k, rows, ref packed, kc, ref c, n, !first, last, ref bias, fused);
            }
            else
            {
                if (!first) CopyTile(ref c, n, ref tile, MaxStripFloats, rows, columns);
                T.NarrowTile(ref a, k, rows, ref packed, kc, ref tile, MaxStripFloats, !first, last, ref bias, fused);
                CopyTile(ref tile, MaxStripFloats, ref c, n, rows, columns);
            }
            if (last && !vectorActivation)
                ApplyActivation(ref c, n, rows, columns, o.Activation);
        }
    }

    /// <summary>The activations without a vector form (sigmoid, tanh, GELU), scalar over a finished tile of C.</summary>
    private static void ApplyActivation(ref float c, nint ldc, int rows, int columns, Activation activation)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref c, r * ldc);
            for (int j = 0; j < columns; j++)
                Unsafe.Add(ref row, j) = ActivationFunctions.Apply(Unsafe.Add(ref row, j), activation);
        }
    }

    /// <summary>Rows [0, kc) of a strip of B, <paramref name="columns"/> wide, into rows of <paramref name="width"/> floats, zero-filled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pack<T>(ref float b, int n, int kc, int columns, int vectors, int width, ref float packed)
        where T : struct, IGemmTile
    {
        if (columns == width)
        {
            for (int p = 0; p < kc; p++)
                T.CopyVectors(ref Unsafe.Add(ref b, (nint)p * n), ref Unsafe.Add(ref packed, p * width), vectors);
            return;
        }
        for (int p = 0; p < kc; p++)
        {
            ref float source = ref Unsafe.Add(ref b, (nint)p * n);
            ref float destination = ref Unsafe.Add(ref packed, p * width);
            int j = 0;
            for (; j < columns; j++) Unsafe.Add(ref destination, j) = Unsafe.Add(ref source, j);
            for (; j < width; j++) Unsafe.Add(ref destination, j) = 0f;
        }
    }

    private static void CopyTile(ref float source, nint sourceStride, ref float destination, nint destinationStride,
        int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float s = ref Unsafe.Add(ref source, r * sourceStride);
            ref float d = ref Unsafe.Add(ref destination, r * destinationStride);
            for (int j = 0; j < columns; j++) Unsafe.Add(ref d, j) = Unsafe.Add(ref s, j);
        }
    }
}
