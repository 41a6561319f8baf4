using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using ModelGen.Graph;

namespace ModelGen.Kernels;

/// <summary>
/// Winograd F(2x2, 3x3) convolution for 3 x 3, stride 1, undilated, one-group kernels with padding 0 to 2: each 2 x 2
/// output tile takes 16 multiplies per input/output channel pair instead of 36. Per image, all in scratch:
/// <c>U = G g G^T</c> for every (out, in) weight pair (the weights stay <c>[out, in, 3, 3]</c>; this runs every call),
/// the input planes copied with zero padding out to whole tiles, <c>V = B^T d B</c> for every input channel and 4 x 4
/// input tile, then per block of <see cref="OutBlock"/> output channels: for each of the 16 transformed positions
/// <c>M[xi] = U[xi] (block x in) V[xi] (in x tiles)</c> (AVX2: a register-tile kernel reading U and V in place; other
/// paths: the fp32 GEMM, <see cref="GemmKernels"/>), and <c>y = A^T M A + bias</c> per output channel and tile, ReLU /
/// ReLU6 fused into the store (other activations run over the finished planes). Partial tiles at the right and bottom edges read
/// zero padding and store only their valid outputs. Tiles are numbered row by row with each tile row padded to a
/// multiple of <see cref="TileLanes"/>, so the transforms run with lanes = tiles of one tile row: the input transform
/// splits padded input rows into even and odd columns, the output transform interleaves them back. The transforms
/// round the same way on every path (adds and halvings only, in the scalar code's order); the paths differ only by the
/// products' fused multiply-adds. Winograd's transformed operands are larger than the direct sum's terms, so rounding
/// errors are a few times the direct kernel's (largest seen 6.2e-6 of the sum of the terms' magnitudes; tests allow 2e-5).
/// </summary>
internal static class ConvWinograd
{
    /// <summary>Tiles per tile row are padded to a multiple of this: the AVX2 transforms' lanes.</summary>
    public const int TileLanes = GraphScratch.WinogradTileLanes;

    /// <summary>Output channels whose products are computed, then transformed, together (<see cref="GraphScratch.WinogradOutBlock"/>).</summary>
    public const int OutBlock = GraphScratch.WinogradOutBlock;

    /// <summary>Whether the kernel handles <paramref name="s"/>: 3 x 3, stride 1, dilation 1, one group, padding 0 to 2.</summary>
    public static bool Handles(in Conv2dShape s) => GraphScratch.WinogradHandles(GraphLayout.Geometry(s));

    /// <summary>Floats of scratch (<see cref="GraphScratch.WinogradFloats"/>): U, V, then M or the padded planes.</summary>
    public static long ScratchFloats(in Conv2dShape s) => GraphScratch.WinogradFloats(GraphLayout.Geometry(s));

    /// <summary>One image: <c>y = act(conv(x, w) + bias)</c>; shapes and spans validated by <see cref="ConvKernels"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(KernelPath path, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, in Conv2dShape s, Activation activation, Span<float> scratch)
    {
        int cin = s.InChannels, cout = s.OutChannels, oh = s.OutHeight, ow = s.OutWidth;
        int tilesY = (oh + 1) / 2, tilesX = (ow + 1) / 2, tileRow = GraphScratch.WinogradTileRow(ow);
        int tiles = tilesY * tileRow, paddedHeight = 2 * tilesY + 2, paddedWidth = 2 * tileRow + 2;
        int paddedPlane = paddedHeight * paddedWidth;
        int uStride = GraphScratch.WinogradWeightStride(cout * cin), uFloats = 16 * uStride, vFloats = 16 * cin * tiles;
        Span<float> u = scratch[..uFloats], v = scratch.Slice(uFloats, vFloats);
        // The padded planes are read only by the input transform, before the GEMM writes M over them.
        Span<float> rest = scratch[(uFloats + vFloats)..];
        int block = Math.Min(OutBlock, cout);
        Span<float> m = rest[..(16 * block * tiles)], padded = rest[..(cin * paddedPlane)];

        WeightTransform(path, w, u, cout * cin, uStride);

        padded.Clear();
        ref float planes = ref MemoryMarshal.GetReference(padded);
        for (int ci = 0; ci < cin; ci++)
            for (int iy = 0; iy < s.InHeight; iy++)
                ShortCopy.Floats(path, ref Unsafe.AsRef(in x[(ci * s.InHeight + iy) * s.InWidth]),
                    ref Unsafe.Add(ref planes, (nint)ci * paddedPlane + (nint)(iy + s.PaddingHeight) * paddedWidth + s.PaddingWidth),
                    s.InWidth);

        ref float vRef = ref MemoryMarshal.GetReference(v);
        nint vStride = (nint)cin * tiles; // between transformed positions xi
        for (int ci = 0; ci < cin; ci++)
            for (int ty = 0; ty < tilesY; ty++)
            {
                ref float rows = ref Unsafe.Add(ref planes, (nint)ci * paddedPlane + (nint)2 * ty * paddedWidth);
                ref float target = ref Unsafe.Add(ref vRef, (nint)ci * tiles + (nint)ty * tileRow);
                int tx = 0;
                if (path == KernelPath.Avx2)
                    for (; tx < tilesX; tx += 8)
                        InputTiles256(ref Unsafe.Add(ref rows, 2 * tx), paddedWidth, ref Unsafe.Add(ref target, tx), vStride);
                else if (path != KernelPath.Scalar)
                    for (; tx < tilesX; tx += 4)
                        InputTiles128(ref Unsafe.Add(ref rows, 2 * tx), paddedWidth, ref Unsafe.Add(ref target, tx), vStride);
                // Scalar: every tile of the padded row, so the GEMM never reads an unwritten column.
                for (; tx < tileRow; tx++)
                    InputTile(ref Unsafe.Add(ref rows, 2 * tx), paddedWidth, ref Unsafe.Add(ref target, tx), vStride);
            }

        bool fused = activation is Activation.None or Activation.Relu or Activation.Relu6;
        Activation inStore = fused ? activation : Activation.None;
        ref float mRef = ref MemoryMarshal.GetReference(m);
        ref float uRef = ref MemoryMarshal.GetReference(u);
        int outPlane = oh * ow;
        Span<float> stagedRow = stackalloc float[16];
        ref float staged = ref MemoryMarshal.GetReference(stagedRow);
        for (int c0 = 0; c0 < cout; c0 += block)
        {
            // A block of output channels at a time: its products (M) stay in cache for the output transform.
            int rows = Math.Min(block, cout - c0);
            nint mStride = (nint)rows * tiles;
            for (int xi = 0; xi < 16; xi++)
            {
                if (path == KernelPath.Avx2)
                    ProductsAvx2(ref Unsafe.Add(ref uRef, xi * uStride + c0 * cin), ref Unsafe.Add(ref vRef, xi * vStride),
                        ref Unsafe.Add(ref mRef, xi * mStride), rows, cin, tiles);
                else
                    GemmKernels.Float32(path, u.Slice(xi * uStride + c0 * cin, rows * cin), v.Slice(xi * cin * tiles, cin * tiles), [],
                        m.Slice(xi * rows * tiles, rows * tiles), rows, cin, tiles, Activation.None);
            }
            for (int co = c0; co < c0 + rows; co++)
                OutputPlane(path, ref Unsafe.Add(ref mRef, (nint)(co - c0) * tiles), mStride, bias.IsEmpty ? 0f : bias[co], inStore,
                    ref y[co * outPlane], oh, ow, tileRow, (cout - co) * outPlane, ref staged);
        }
        if (!fused)
            ConvKernels.BiasActivation(path, y[..(cout * outPlane)], [], cout, outPlane, activation);
    }

    /// <summary>
    /// <c>y = act(A^T M A + bias)</c> for one output channel's tiles (<paramref name="m"/>: its first product, the 16
    /// <paramref name="stride"/> apart); <paramref name="room"/> floats of y from <paramref name="output"/> on.
    /// </summary>
    private static void OutputPlane(KernelPath path, ref float m, nint stride, float bias, Activation activation, ref float output,
        int oh, int ow, int tileRow, int room, ref float staged)
    {
        int tilesY = (oh + 1) / 2, tilesX = (ow + 1) / 2;
        for (int ty = 0; ty < tilesY; ty++)
        {
            ref float source = ref Unsafe.Add(ref m, (nint)ty * tileRow);
            int rows = Math.Min(2, oh - 2 * ty), left = room - 2 * ty * ow;
            ref float outRow = ref Unsafe.Add(ref output, (nint)2 * ty * ow);
            // Blocks right to left: a block's top row may run past the row end into the start of the row below,
            // which the first block (written last) then overwrites (see StoreRow256).
            if (path == KernelPath.Avx2)
                for (int tx = (tilesX - 1) / 8 * 8; tx >= 0; tx -= 8)
                    OutputTiles256(ref Unsafe.Add(ref source, tx), stride, bias, activation, ref Unsafe.Add(ref outRow, 2 * tx),
                        ow, rows, Math.Min(16, ow - 2 * tx), left - 2 * tx, ref staged);
            else if (path != KernelPath.Scalar)
                for (int tx = (tilesX - 1) / 4 * 4; tx >= 0; tx -= 4)
                    OutputTiles128(ref Unsafe.Add(ref source, tx), stride, bias, activation, ref Unsafe.Add(ref outRow, 2 * tx),
                        ow, rows, Math.Min(8, ow - 2 * tx), left - 2 * tx, ref staged);
            else
                for (int tx = 0; tx < tilesX; tx++)
                    OutputTile(ref Unsafe.Add(ref source, tx), stride, bias, activation, ref Unsafe.Add(ref outRow, 2 * tx),
                        ow, rows, Math.Min(2, ow - 2 * tx));
        }
    }

    /// <summary>
    /// <c>u[xi, pair] = (G g G^T)[xi]</c> for each pair's 3 x 3 weights g, <c>G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]</c>:
    /// columns first, then rows, each as <see cref="G"/>. Vector paths take 8 or 4 pairs at a time (lanes = pairs,
    /// each weight gathered from 9 floats apart), so each of the 16 rows of U is written a vector at a time: one pair
    /// at a time writes 16 streams <c>pairs</c> floats apart, which for 64 x 64 pairs (16 KiB apart) all fall in one L1
    /// set (so rows are <paramref name="stride"/> apart, a line more than the pairs). Same adds and halvings in the same
    /// order on every path, so U is the same bits everywhere.
    /// </summary>
    private static void WeightTransform(KernelPath path, ReadOnlySpan<float> w, Span<float> u, int pairs, nint stride)
    {
        ref float g = ref MemoryMarshal.GetReference(w);
        ref float target = ref MemoryMarshal.GetReference(u);
        int p = 0;
        if (path == KernelPath.Avx2)
            for (; p + 8 <= pairs; p += 8)
            {
                ref float block = ref Unsafe.Add(ref g, 9 * p);
                G(Gather256(ref block, 0), Gather256(ref block, 3), Gather256(ref block, 6),
                    out Vector256<float> t00, out Vector256<float> t10, out Vector256<float> t20, out Vector256<float> t30);
                G(Gather256(ref block, 1), Gather256(ref block, 4), Gather256(ref block, 7),
                    out Vector256<float> t01, out Vector256<float> t11, out Vector256<float> t21, out Vector256<float> t31);
                G(Gather256(ref block, 2), Gather256(ref block, 5), Gather256(ref block, 8),
                    out Vector256<float> t02, out Vector256<float> t12, out Vector256<float> t22, out Vector256<float> t32);
                ref float row = ref Unsafe.Add(ref target, p);
                StoreG(t00, t01, t02, ref row, 0, stride);
                StoreG(t10, t11, t12, ref row, 4, stride);
                StoreG(t20, t21, t22, ref row, 8, stride);
                StoreG(t30, t31, t32, ref row, 12, stride);
            }
        else if (path != KernelPath.Scalar)
            for (; p + 4 <= pairs; p += 4)
            {
                ref float block = ref Unsafe.Add(ref g, 9 * p);
                G(Gather128(ref block, 0), Gather128(ref block, 3), Gather128(ref block, 6),
                    out Vector128<float> t00, out Vector128<float> t10, out Vector128<float> t20, out Vector128<float> t30);
                G(Gather128(ref block, 1), Gather128(ref block, 4), Gather128(ref block, 7),
                    out Vector128<float> t01, out Vector128<float> t11, out Vector128<float> t21, out Vector128<float> t31);
                G(Gather128(ref block, 2), Gather128(ref block, 5), Gather128(ref block, 8),
                    out Vector128<float> t02, out Vector128<float> t12, out Vector128<float> t22, out Vector128<float> t32);
                ref float row = ref Unsafe.Add(ref target, p);
                StoreG(t00, t01, t02, ref row, 0, stride);
                StoreG(t10, t11, t12, ref row, 4, stride);
                StoreG(t20, t21, t22, ref row, 8, stride);
                StoreG(t30, t31, t32, ref row, 12, stride);
            }
        for (; p < pairs; p++)
        {
            ref float pair = ref Unsafe.Add(ref g, 9 * p);
            // Columns: t[r, c] = (G g)[r, c] for the 3 weight columns.
            G(pair, Unsafe.Add(ref pair, 3), Unsafe.Add(ref pair, 6), out float t00, out float t10, out float t20, out float t30);
            G(Unsafe.Add(ref pair, 1), Unsafe.Add(ref pair, 4), Unsafe.Add(ref pair, 7), out float t01, out float t11, out float t21, out float t31);
            G(Unsafe.Add(ref pair, 2), Unsafe.Add(ref pair, 5), Unsafe.Add(ref pair, 8), out float t02, out float t12, out float t22, out float t32);
            ref float row = ref Unsafe.Add(ref target, p);
            G(t00, t01, t02, out Unsafe.Add(ref row, 0 * stride), out Unsafe.Add(ref row, 1 * stride),
                out Unsafe.Add(ref row, 2 * stride), out Unsafe.Add(ref row, 3 * stride));
            G(t10, t11, t12, out Unsafe.Add(ref row, 4 * stride), out Unsafe.Add(ref row, 5 * stride),
                out Unsafe.Add(ref row, 6 * stride), out Unsafe.Add(ref row, 7 * stride));
            G(t20, t21, t22, out Unsafe.Add(ref row, 8 * stride), out Unsafe.Add(ref row, 9 * stride),
                out Unsafe.Add(ref row, 10 * stride), out Unsafe.Add(ref row, 11 * stride));
            G(t30, t31, t32, out Unsafe.Add(ref row, 12 * stride), out Unsafe.Add(ref row, 13 * stride),
                out Unsafe.Add(ref row, 14 * stride), out Unsafe.Add(ref row, 15 * stride));
        }
    }

    /// <summary>
    /// AVX2 <c>m[out, tiles] = u[out, in] v[in, tiles]</c> for one transformed position, reading both in place: tiles of
    /// 6 (or 4) output channels by 16 columns (12 or 8 accumulators; 2 loads of v and 6 or 4 broadcasts of u per input
    /// channel), the last 8 columns (<paramref name="tiles"/> is a multiple of 8) by one vector, leftover channels and
    /// 8-column rows one vector at a time. Every output
    /// sums <c>u[o, i] v[i, t]</c> for i ascending with fused multiply-adds. The general GEMM ran these shapes
    /// (32 x 16 x 56, sixteen times) at ~60% of the FMA peak: packing, 4 x 3 tiles and a narrow tile for the 7th vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductsAvx2(ref float u, ref float v, ref float m, int cout, int cin, int tiles)
    {
        nint n = tiles;
        int co = 0;
        if (tiles >= 16)
            for (int rows; cout - co >= 4; co += rows)
            {
                int left = cout - co;
                rows = left >= 6 && !(left >= 8 && left % 6 is 1 or 2 or 3) ? 6 : 4;
                ref float a = ref Unsafe.Add(ref u, (nint)co * cin);
                ref float c = ref Unsafe.Add(ref m, co * n);
                nint j = 0;
                for (; j + 16 <= n; j += 16)
                {
                    if (rows == 6) Tile6x16(ref a, cin, ref Unsafe.Add(ref v, j), n, ref Unsafe.Add(ref c, j));
                    else Tile4x16(ref a, cin, ref Unsafe.Add(ref v, j), n, ref Unsafe.Add(ref c, j));
                }
                if (j < n) // the last 8 columns: one vector by the tile's rows
                {
                    if (rows == 6) Tile6x8(ref a, cin, ref Unsafe.Add(ref v, j), n, ref Unsafe.Add(ref c, j));
                    else Tile4x8(ref a, cin, ref Unsafe.Add(ref v, j), n, ref Unsafe.Add(ref c, j));
                }
            }
        for (; co < cout; co++)
        {
            ref float a = ref Unsafe.Add(ref u, (nint)co * cin);
            ref float c = ref Unsafe.Add(ref m, co * n);
            for (nint j = 0; j < n; j += 8)
            {
                Vector256<float> sum = Vector256<float>.Zero;
                for (int i = 0; i < cin; i++)
                    sum = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, i)), Vector256.LoadUnsafe(ref v, (nuint)(i * n + j)), sum);
                sum.StoreUnsafe(ref c, (nuint)j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile6x16(ref float a, int k, ref float b, nint n, ref float c)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        nint lda = k;
        for (int i = 0; i < k; i++, b = ref Unsafe.Add(ref b, n), a = ref Unsafe.Add(ref a, 1))
        {
            Vector256<float> xa = Vector256.LoadUnsafe(ref b), xb = Vector256.LoadUnsafe(ref b, 8);
            Vector256<float> weight = Vector256.Create(a);
            a0 = Fma.MultiplyAdd(weight, xa, a0); c0 = Fma.MultiplyAdd(weight, xb, c0);
            weight = Vector256.Create(Unsafe.Add(ref a, lda));
            a1 = Fma.MultiplyAdd(weight, xa, a1); c1 = Fma.MultiplyAdd(weight, xb, c1);
            weight = Vector256.Create(Unsafe.Add(ref a, 2 * lda));
            a2 = Fma.MultiplyAdd(weight, xa, a2); c2 = Fma.MultiplyAdd(weight, xb, c2);
            weight = Vector256.Create(Unsafe.Add(ref a, 3 * lda));
            a3 = Fma.MultiplyAdd(weight, xa, a3); c3 = Fma.MultiplyAdd(weight, xb, c3);
            weight = Vector256.Create(Unsafe.Add(ref a, 4 * lda));
            a4 = Fma.MultiplyAdd(weight, xa, a4); c4 = Fma.MultiplyAdd(weight, xb, c4);
            weight = Vector256.Create(Unsafe.Add(ref a, 5 * lda));
            a5 = Fma.MultiplyAdd(weight, xa, a5); c5 = Fma.MultiplyAdd(weight, xb, c5);
        }
        a0.StoreUnsafe(ref c); c0.StoreUnsafe(ref c, 8);
        a1.StoreUnsafe(ref Unsafe.Add(ref c, n)); c1.StoreUnsafe(ref Unsafe.Add(ref c, n), 8);
        a2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * n)); c2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * n), 8);
        a3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * n)); c3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * n), 8);
        a4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * n)); c4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * n), 8);
        a5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * n)); c5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * n), 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile6x8(ref float a, int k, ref float b, nint n, ref float c)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        nint lda = k;
        for (int i = 0; i < k; i++, b = ref Unsafe.Add(ref b, n), a = ref Unsafe.Add(ref a, 1))
        {
            Vector256<float> xa = Vector256.LoadUnsafe(ref b);
            a0 = Fma.MultiplyAdd(Vector256.Create(a), xa, a0);
            a1 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, lda)), xa, a1);
            a2 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 2 * lda)), xa, a2);
            a3 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 3 * lda)), xa, a3);
            a4 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 4 * lda)), xa, a4);
            a5 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 5 * lda)), xa, a5);
        }
        a0.StoreUnsafe(ref c);
        a1.StoreUnsafe(ref Unsafe.Add(ref c, n));
        a2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * n));
        a3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * n));
        a4.StoreUnsafe(ref Unsafe.Add(ref c, 4 * n));
        a5.StoreUnsafe(ref Unsafe.Add(ref c, 5 * n));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x8(ref float a, int k, ref float b, nint n, ref float c)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nint lda = k;
        for (int i = 0; i < k; i++, b = ref Unsafe.Add(ref b, n), a = ref Unsafe.Add(ref a, 1))
        {
            Vector256<float> xa = Vector256.LoadUnsafe(ref b);
            a0 = Fma.MultiplyAdd(Vector256.Create(a), xa, a0);
            a1 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, lda)), xa, a1);
            a2 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 2 * lda)), xa, a2);
            a3 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 3 * lda)), xa, a3);
        }
        a0.StoreUnsafe(ref c);
        a1.StoreUnsafe(ref Unsafe.Add(ref c, n));
        a2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * n));
        a3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * n));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x16(ref float a, int k, ref float b, nint n, ref float c)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        nint lda = k;
        for (int i = 0; i < k; i++, b = ref Unsafe.Add(ref b, n), a = ref Unsafe.Add(ref a, 1))
        {
            Vector256<float> xa = Vector256.LoadUnsafe(ref b), xb = Vector256.LoadUnsafe(ref b, 8);
            Vector256<float> weight = Vector256.Create(a);
            a0 = Fma.MultiplyAdd(weight, xa, a0); c0 = Fma.MultiplyAdd(weight, xb, c0);
            weight = Vector256.Create(Unsafe.Add(ref a, lda));
            a1 = Fma.MultiplyAdd(weight, xa, a1); c1 = Fma.MultiplyAdd(weight, xb, c1);
            weight = Vector256.Create(Unsafe.Add(ref a, 2 * lda));
            a2 = Fma.MultiplyAdd(weight, xa, a2); c2 = Fma.MultiplyAdd(weight, xb, c2);
            weight = Vector256.Create(Unsafe.Add(ref a, 3 * lda));
            a3 = Fma.MultiplyAdd(weight, xa, a3); c3 = Fma.MultiplyAdd(weight, xb, c3);
        }
        a0.StoreUnsafe(ref c); c0.StoreUnsafe(ref c, 8);
        a1.StoreUnsafe(ref Unsafe.Add(ref c, n)); c1.StoreUnsafe(ref Unsafe.Add(ref c, n), 8);
        a2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * n)); c2.StoreUnsafe(ref Unsafe.Add(ref c, 2 * n), 8);
        a3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * n)); c3.StoreUnsafe(ref Unsafe.Add(ref c, 3 * n), 8);
    }

    /// <summary>Weight <paramref name="tap"/> of 8 consecutive pairs (9 floats apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gather256(ref float block, int tap) => Vector256.Create(
        Unsafe.Add(ref block, tap), Unsafe.Add(ref block, tap + 9), Unsafe.Add(ref block, tap + 18), Unsafe.Add(ref block, tap + 27),
        Unsafe.Add(ref block, tap + 36), Unsafe.Add(ref block, tap + 45), Unsafe.Add(ref block, tap + 54), Unsafe.Add(ref block, tap + 63));

    /// <summary>Weight <paramref name="tap"/> of 4 consecutive pairs (9 floats apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Gather128(ref float block, int tap) => Vector128.Create(
        Unsafe.Add(ref block, tap), Unsafe.Add(ref block, tap + 9), Unsafe.Add(ref block, tap + 18), Unsafe.Add(ref block, tap + 27));

    /// <summary>G times the row <c>a, b, c</c> stored as U rows <paramref name="first"/> to + 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreG(Vector256<float> a, Vector256<float> b, Vector256<float> c, ref float row, int first, nint stride)
    {
        G(a, b, c, out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3);
        r0.StoreUnsafe(ref Unsafe.Add(ref row, first * stride));
        r1.StoreUnsafe(ref Unsafe.Add(ref row, (first + 1) * stride));
        r2.StoreUnsafe(ref Unsafe.Add(ref row, (first + 2) * stride));
        r3.StoreUnsafe(ref Unsafe.Add(ref row, (first + 3) * stride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreG(Vector128<float> a, Vector128<float> b, Vector128<float> c, ref float row, int first, nint stride)
    {
        G(a, b, c, out Vector128<float> r0, out Vector128<float> r1, out Vector128<float> r2, out Vector128<float> r3);
        r0.StoreUnsafe(ref Unsafe.Add(ref row, first * stride));
        r1.StoreUnsafe(ref Unsafe.Add(ref row, (first + 1) * stride));
        r2.StoreUnsafe(ref Unsafe.Add(ref row, (first + 2) * stride));
        r3.StoreUnsafe(ref Unsafe.Add(ref row, (first + 3) * stride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(Vector256<float> a, Vector256<float> b, Vector256<float> c,
        out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3)
    {
        Vector256<float> sum = a + c, half = Vector256.Create(0.5f);
        r0 = a; r1 = (sum + b) * half; r2 = (sum - b) * half; r3 = c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(Vector128<float> a, Vector128<float> b, Vector128<float> c,
        out Vector128<float> r0, out Vector128<float> r1, out Vector128<float> r2, out Vector128<float> r3)
    {
        Vector128<float> sum = a + c, half = Vector128.Create(0.5f);
        r0 = a; r1 = (sum + b) * half; r2 = (sum - b) * half; r3 = c;
    }

    /// <summary>G times 3 values: <c>[a, (a + c + b) / 2, (a + c - b) / 2, c]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(float a, float b, float c, out float r0, out float r1, out float r2, out float r3)
    {
        float sum = a + c;
        r0 = a;
        r1 = (sum + b) * 0.5f;
        r2 = (sum - b) * 0.5f;
        r3 = c;
    }

    /// <summary>B^T times 4 values: <c>[d0 - d2, d1 + d2, d2 - d1, d1 - d3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BT(float d0, float d1, float d2, float d3, out float r0, out float r1, out float r2, out float r3)
    {
        r0 = d0 - d2; r1 = d1 + d2; r2 = d2 - d1; r3 = d1 - d3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BT(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3,
        out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3)
    {
        r0 = d0 - d2; r1 = d1 + d2; r2 = d2 - d1; r3 = d1 - d3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BT(Vector128<float> d0, Vector128<float> d1, Vector128<float> d2, Vector128<float> d3,
        out Vector128<float> r0, out Vector128<float> r1, out Vector128<float> r2, out Vector128<float> r3)
    {
        r0 = d0 - d2; r1 = d1 + d2; r2 = d2 - d1; r3 = d1 - d3;
    }

    /// <summary>A^T times 4 values: <c>[m0 + m1 + m2, m1 - m2 - m3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AT(float m0, float m1, float m2, float m3, out float r0, out float r1)
    {
        r0 = m0 + m1 + m2; r1 = m1 - m2 - m3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AT(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3,
        out Vector256<float> r0, out Vector256<float> r1)
    {
        r0 = m0 + m1 + m2; r1 = m1 - m2 - m3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AT(Vector128<float> m0, Vector128<float> m1, Vector128<float> m2, Vector128<float> m3,
        out Vector128<float> r0, out Vector128<float> r1)
    {
        r0 = m0 + m1 + m2; r1 = m1 - m2 - m3;
    }

    /// <summary>
    /// One tile, the reference: <c>d</c> the 4 x 4 window at <paramref name="d"/> (rows <paramref name="width"/> apart);
    /// each row through B^T (d B), then each column (B^T of that); <c>v[xi]</c> stored <paramref name="stride"/> apart.
    /// </summary>
    private static void InputTile(ref float d, int width, ref float v, nint stride)
    {
        Span<float> h = stackalloc float[16];
        for (int r = 0; r < 4; r++)
        {
            ref float row = ref Unsafe.Add(ref d, (nint)r * width);
            BT(row, Unsafe.Add(ref row, 1), Unsafe.Add(ref row, 2), Unsafe.Add(ref row, 3),
                out h[4 * r], out h[4 * r + 1], out h[4 * r + 2], out h[4 * r + 3]);
        }
        for (int c = 0; c < 4; c++)
            BT(h[c], h[4 + c], h[8 + c], h[12 + c], out Unsafe.Add(ref v, c * stride), out Unsafe.Add(ref v, (4 + c) * stride),
                out Unsafe.Add(ref v, (8 + c) * stride), out Unsafe.Add(ref v, (12 + c) * stride));
    }

    /// <summary><see cref="InputTile"/> for 8 consecutive tiles of a tile row: the rows' even and odd columns are the lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputTiles256(ref float d, int width, ref float v, nint stride)
    {
        HorizontalBT256(ref d, out Vector256<float> h00, out Vector256<float> h01, out Vector256<float> h02, out Vector256<float> h03);
        HorizontalBT256(ref Unsafe.Add(ref d, width), out Vector256<float> h10, out Vector256<float> h11, out Vector256<float> h12, out Vector256<float> h13);
        HorizontalBT256(ref Unsafe.Add(ref d, 2 * width), out Vector256<float> h20, out Vector256<float> h21, out Vector256<float> h22, out Vector256<float> h23);
        HorizontalBT256(ref Unsafe.Add(ref d, 3 * width), out Vector256<float> h30, out Vector256<float> h31, out Vector256<float> h32, out Vector256<float> h33);
        Store4(h00, h10, h20, h30, ref v, stride, 0);
        Store4(h01, h11, h21, h31, ref v, stride, 1);
        Store4(h02, h12, h22, h32, ref v, stride, 2);
        Store4(h03, h13, h23, h33, ref v, stride, 3);

        static void Store4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> e, ref float v, nint stride, int column)
        {
            BT(a, b, c, e, out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3);
            r0.StoreUnsafe(ref Unsafe.Add(ref v, column * stride));
            r1.StoreUnsafe(ref Unsafe.Add(ref v, (4 + column) * stride));
            r2.StoreUnsafe(ref Unsafe.Add(ref v, (8 + column) * stride));
            r3.StoreUnsafe(ref Unsafe.Add(ref v, (12 + column) * stride));
        }
    }

    /// <summary>One padded row under 8 tiles (18 floats): columns 2t + c as vectors over t, through B^T.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalBT256(ref float row, out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2,
        out Vector256<float> r3)
    {
        Deinterleave.Split(Vector256.LoadUnsafe(ref row), Vector256.LoadUnsafe(ref row, 8), out Vector256<float> c0, out Vector256<float> c1);
        Deinterleave.Split(Vector256.LoadUnsafe(ref row, 2), Vector256.LoadUnsafe(ref row, 10), out Vector256<float> c2, out Vector256<float> c3);
        BT(c0, c1, c2, c3, out r0, out r1, out r2, out r3);
    }

    /// <summary><see cref="InputTiles256"/> for 4 tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputTiles128(ref float d, int width, ref float v, nint stride)
    {
        HorizontalBT128(ref d, out Vector128<float> h00, out Vector128<float> h01, out Vector128<float> h02, out Vector128<float> h03);
        HorizontalBT128(ref Unsafe.Add(ref d, width), out Vector128<float> h10, out Vector128<float> h11, out Vector128<float> h12, out Vector128<float> h13);
        HorizontalBT128(ref Unsafe.Add(ref d, 2 * width), out Vector128<float> h20, out Vector128<float> h21, out Vector128<float> h22, out Vector128<float> h23);
        HorizontalBT128(ref Unsafe.Add(ref d, 3 * width), out Vector128<float> h30, out Vector128<float> h31, out Vector128<float> h32, out Vector128<float> h33);
        Store4(h00, h10, h20, h30, ref v, stride, 0);
        Store4(h01, h11, h21, h31, ref v, stride, 1);
        Store4(h02, h12, h22, h32, ref v, stride, 2);
        Store4(h03, h13, h23, h33, ref v, stride, 3);

        static void Store4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> e, ref float v, nint stride, int column)
        {
            BT(a, b, c, e, out Vector128<float> r0, out Vector128<float> r1, out Vector128<float> r2, out Vector128<float> r3);
            r0.StoreUnsafe(ref Unsafe.Add(ref v, column * stride));
            r1.StoreUnsafe(ref Unsafe.Add(ref v, (4 + column) * stride));
            r2.StoreUnsafe(ref Unsafe.Add(ref v, (8 + column) * stride));
            r3.StoreUnsafe(ref Unsafe.Add(ref v, (12 + column) * stride));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalBT128(ref float row, out Vector128<float> r0, out Vector128<float> r1, out Vector128<float> r2,
        out Vector128<float> r3)
    {
        Deinterleave.Split(Vector128.LoadUnsafe(ref row), Vector128.LoadUnsafe(ref row, 4), out Vector128<float> c0, out Vector128<float> c1);
        Deinterleave.Split(Vector128.LoadUnsafe(ref row, 2), Vector128.LoadUnsafe(ref row, 6), out Vector128<float> c2, out Vector128<float> c3);
        BT(c0, c1, c2, c3, out r0, out r1, out r2, out r3);
    }

    /// <summary>
    /// One tile, the reference: <c>m[xi]</c> at <paramref name="m"/>, <paramref name="stride"/> apart; each row through
    /// A^T (m A), then each column; plus <paramref name="bias"/>, <paramref name="activation"/> (None, Relu or Relu6);
    /// stores <paramref name="rows"/> x <paramref name="columns"/> of the 2 x 2 outputs (rows <paramref name="width"/> apart).
    /// </summary>
    private static void OutputTile(ref float m, nint stride, float bias, Activation activation, ref float y, int width, int rows, int columns)
    {
        Span<float> h = stackalloc float[8];
        for (int r = 0; r < 4; r++)
        {
            ref float row = ref Unsafe.Add(ref m, 4 * r * stride);
            AT(row, Unsafe.Add(ref row, stride), Unsafe.Add(ref row, 2 * stride), Unsafe.Add(ref row, 3 * stride),
                out h[2 * r], out h[2 * r + 1]);
        }
        for (int c = 0; c < columns; c++)
        {
            AT(h[c], h[2 + c], h[4 + c], h[6 + c], out float y0, out float y1);
            Unsafe.Add(ref y, c) = ActivationFunctions.Apply(y0 + bias, activation);
            if (rows == 2) Unsafe.Add(ref y, width + c) = ActivationFunctions.Apply(y1 + bias, activation);
        }
    }

    /// <summary>
    /// <see cref="OutputTile"/> for 8 consecutive tiles: the two output columns of each tile interleaved back into
    /// 16 consecutive outputs a row, of which <paramref name="columns"/> (1 to 16) are stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTiles256(ref float m, nint stride, float bias, Activation activation, ref float y, int width,
        int rows, int columns, int room, ref float staged)
    {
        HorizontalAT256(ref m, stride, out Vector256<float> h00, out Vector256<float> h01);
        HorizontalAT256(ref Unsafe.Add(ref m, 4 * stride), stride, out Vector256<float> h10, out Vector256<float> h11);
        HorizontalAT256(ref Unsafe.Add(ref m, 8 * stride), stride, out Vector256<float> h20, out Vector256<float> h21);
        HorizontalAT256(ref Unsafe.Add(ref m, 12 * stride), stride, out Vector256<float> h30, out Vector256<float> h31);
        Vector256<float> add = Vector256.Create(bias);
        AT(h00, h10, h20, h30, out Vector256<float> y00, out Vector256<float> y10);
        AT(h01, h11, h21, h31, out Vector256<float> y01, out Vector256<float> y11);
        StoreRow256(ActivationFunctions.Apply(y00 + add, activation), ActivationFunctions.Apply(y01 + add, activation), ref y,
            columns, room, ref staged);
        if (rows == 2)
            StoreRow256(ActivationFunctions.Apply(y10 + add, activation), ActivationFunctions.Apply(y11 + add, activation),
                ref Unsafe.Add(ref y, width), columns, room - width, ref staged);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalAT256(ref float m, nint stride, out Vector256<float> r0, out Vector256<float> r1) =>
        AT(Vector256.LoadUnsafe(ref m), Vector256.LoadUnsafe(ref Unsafe.Add(ref m, stride)),
            Vector256.LoadUnsafe(ref Unsafe.Add(ref m, 2 * stride)), Vector256.LoadUnsafe(ref Unsafe.Add(ref m, 3 * stride)), out r0, out r1);

    /// <summary>
    /// Interleaves <c>[e0 o0 e1 o1 ..]</c> and stores the first <paramref name="columns"/> of the 16. Where y has
    /// <paramref name="room"/> for all 16 it stores them all: the ones past the row's end land on the start of the next
    /// row (or the next channel's plane), which the output transform writes later: channels and tile rows ascending,
    /// a tile row's blocks right to left, so the block at column 0 rewrites the start of its second row last. Only at
    /// the end of y does a partial row go through <paramref name="staged"/> (16 floats on the caller's stack). An AVX2
    /// masked store (vmaskmovps) measured no faster on conv2, and the 128-bit paths have none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow256(Vector256<float> even, Vector256<float> odd, ref float y, int columns, int room, ref float staged)
    {
        Vector256<float> low = Avx.UnpackLow(even, odd), high = Avx.UnpackHigh(even, odd);
        Vector256<float> first = Avx.Permute2x128(low, high, 0x20), second = Avx.Permute2x128(low, high, 0x31);
        if (room >= 16)
        {
            first.StoreUnsafe(ref y);
            second.StoreUnsafe(ref y, 8);
            return;
        }
        first.StoreUnsafe(ref staged);
        second.StoreUnsafe(ref staged, 8);
        for (int i = 0; i < columns; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref staged, i);
    }

    /// <summary><see cref="OutputTiles256"/> for 4 tiles (8 outputs a row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTiles128(ref float m, nint stride, float bias, Activation activation, ref float y, int width,
        int rows, int columns, int room, ref float staged)
    {
        HorizontalAT128(ref m, stride, out Vector128<float> h00, out Vector128<float> h01);
        HorizontalAT128(ref Unsafe.Add(ref m, 4 * stride), stride, out Vector128<float> h10, out Vector128<float> h11);
        HorizontalAT128(ref Unsafe.Add(ref m, 8 * stride), stride, out Vector128<float> h20, out Vector128<float> h21);
        HorizontalAT128(ref Unsafe.Add(ref m, 12 * stride), stride, out Vector128<float> h30, out Vector128<float> h31);
        Vector128<float> add = Vector128.Create(bias);
        AT(h00, h10, h20, h30, out Vector128<float> y00, out Vector128<float> y10);
        AT(h01, h11, h21, h31, out Vector128<float> y01, out Vector128<float> y11);
        StoreRow128(ActivationFunctions.Apply(y00 + add, activation), ActivationFunctions.Apply(y01 + add, activation), ref y,
            columns, room, ref staged);
        if (rows == 2)
            StoreRow128(ActivationFunctions.Apply(y10 + add, activation), ActivationFunctions.Apply(y11 + add, activation),
                ref Unsafe.Add(ref y, width), columns, room - width, ref staged);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalAT128(ref float m, nint stride, out Vector128<float> r0, out Vector128<float> r1) =>
        AT(Vector128.LoadUnsafe(ref m), Vector128.LoadUnsafe(ref Unsafe.Add(ref m, stride)),
            Vector128.LoadUnsafe(ref Unsafe.Add(ref m, 2 * stride)), Vector128.LoadUnsafe(ref Unsafe.Add(ref m, 3 * stride)), out r0, out r1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow128(Vector128<float> even, Vector128<float> odd, ref float y, int columns, int room, ref float staged)
    {
        Vector128<float> first, second;
        if (AdvSimd.Arm64.IsSupported)
        {
            first = AdvSimd.Arm64.ZipLow(even, odd);
            second = AdvSimd.Arm64.ZipHigh(even, odd);
        }
        else if (Sse.IsSupported)
        {
            first = Sse.UnpackLow(even, odd);
            second = Sse.UnpackHigh(even, odd);
        }
        else
        {
            first = Vector128.Create(even.GetElement(0), odd.GetElement(0), even.GetElement(1), odd.GetElement(1));
            second = Vector128.Create(even.GetElement(2), odd.GetElement(2), even.GetElement(3), odd.GetElement(3));
        }
        if (room >= 8)
        {
            first.StoreUnsafe(ref y);
            second.StoreUnsafe(ref y, 4);
            return;
        }
        first.StoreUnsafe(ref staged);
        second.StoreUnsafe(ref staged, 4);
        for (int i = 0; i < columns; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref staged, i);
    }
}
