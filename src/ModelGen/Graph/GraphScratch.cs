// Shared by the runtime and the generator (linked into ModelGen.Generators, netstandard2.0): the generator plans the
// activation block with these sizes and the executor slices its scratch with the same ones, so they cannot drift.
using ModelGen.Kernels;

namespace ModelGen.Graph;

/// <summary>
/// Scratch a graph layer needs besides its input and output, in bytes, each piece 64-byte aligned:
/// batch-independent scratch in the activation block's fixed region, and per-sample row scratch in its batch region.
/// </summary>
internal static class GraphScratch
{
    /// <summary>Alignment of every planned tensor and scratch piece.</summary>
    public const int Alignment = 64;

    /// <summary>Most kernel taps the direct convolution handles (<c>ConvKernels.DirectMaxTaps</c>).</summary>
    public const int DirectMaxTaps = 64;

    /// <summary>Below this many output channels per group the direct convolution is taken (measured: <c>ConvKernels.Choose</c>).</summary>
    public const int DirectBelowOutChannelsPerGroup = 8;

    /// <summary>
    /// Most weights per group the blocked convolution takes (<c>ConvKernels</c> documents the measurements): every
    /// output row's tiles read all of them, so beyond ~100 KiB they come from further out than L2 and the GEMM's
    /// blocking wins (64 -> 64 and 128 -> 128 3x3 on 28x28 / 56x56 planes: blocked 0.8-0.9x the GEMM's speed).
    /// </summary>
    public const int BlockedMaxGroupWeights = 24 * 1024;

    /// <summary>Tiles per tile row of the Winograd convolution are padded to a multiple of this (<c>ConvWinograd.TileLanes</c>).</summary>
    public const int WinogradTileLanes = 8;

    /// <summary>Whether the Winograd F(2x2, 3x3) convolution handles the shape: 3 x 3, stride 1, dilation 1, one group, padding 0 to 2.</summary>
    public static bool WinogradHandles(in ConvGeometry g) =>
        g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideHeight == 1 && g.StrideWidth == 1 && g.DilationHeight == 1
        && g.DilationWidth == 1 && g.Groups == 1 && g.PaddingHeight is >= 0 and <= 2 && g.PaddingWidth is >= 0 and <= 2;

    /// <summary>
    /// Whether Auto takes the Winograd convolution: a shape it handles with at least 16 input and output channels, at
    /// most 128 x 128 of them, output planes at least 14 x 14 and tile rows at least 3/4 real tiles (a row of 9 tiles
    /// padded to 16 wastes 44%). Measured (bench conv quick, AVX2, 1 image, one shared noisy machine, same runs,
    /// Winograd vs the algorithm Auto took before, 3 x 3 padding 1): fashion_cnn conv2 16 -> 32 14x14 18.4 vs blocked
    /// 25.2 us (GEMM 30.8); 32 -> 32 28x28 155 vs blocked 186; 48 -> 48 14x14 66 vs blocked 110; 64 -> 64 14x14 122 vs
    /// GEMM 207; 128 -> 128 28x28 1808 vs GEMM 2888; 64 -> 64 56x56 2186 vs GEMM 3190; with a probe: 16 -> 16 14x14
    /// 10.9 vs 13.0, 16 -> 16 28x28 39.6 vs 49.6, 128 -> 128 14x14 476 vs 746. Left out: few input channels (1 -> 16
    /// 28x28 9.9 vs direct 4.9, 3 -> 16 64x64 90 vs blocked 52; 8 -> 16 28x28 23.7 vs 25.7 is too thin for 10x the
    /// scratch), 7 x 7 planes (32 -> 32 20.9 vs GEMM 19.4, 128 -> 128 267 vs 199, 256 -> 256 1004 vs 730) and more
    /// channel pairs than measured (U alone is 16 floats a pair).
    /// </summary>
    public static bool WinogradPays(in ConvGeometry g)
    {
        if (!WinogradHandles(g) || g.InChannels < 16 || g.OutChannels < 16 || (long)g.InChannels * g.OutChannels > 128 * 128
            || g.OutHeight < 14 || g.OutWidth < 14)
            return false;
        int tilesX = (g.OutWidth + 1) / 2;
        return 4L * tilesX >= 3L * WinogradTileRow(g.OutWidth);
    }

    /// <summary>
    /// Output channels of the Winograd convolution whose products M are computed and then transformed together, so M
    /// is <c>16 x 12 x tiles</c> floats and stays in cache in between (the whole M for fashion_cnn's conv2 was 112 KiB
    /// and pushed conv1's output out of L2: conv1 6.0 -> 8.7 us in graph-profile). 12: two 6-channel AVX2 tiles.
    /// </summary>
    public const int WinogradOutBlock = 12;

    /// <summary>
    /// Winograd tiles per tile row for <paramref name="outWidth"/> output columns: 2 columns a tile, padded to
    /// <see cref="WinogradTileLanes"/>.
    /// </summary>
    public static int WinogradTileRow(int outWidth) => ((outWidth + 1) / 2 + WinogradTileLanes - 1) / WinogradTileLanes * WinogradTileLanes;

    /// <summary>
    /// Floats between the Winograd convolution's 16 transformed weight matrices: one cache line more than the
    /// <paramref name="pairs"/> (out x in), so that writing all 16 at once does not map to one L1 set when pairs is a
    /// power of two.
    /// </summary>
    public static int WinogradWeightStride(int pairs) => pairs + 16;

    /// <summary>
    /// Floats of scratch the Winograd convolution takes: transformed weights U <c>[16, out, in]</c> (rows
    /// <see cref="WinogradWeightStride"/> apart), transformed input
    /// V <c>[16, in, tiles]</c>, then the larger of the products M <c>[16, block, tiles]</c> for a block of at most
    /// <see cref="WinogradOutBlock"/> output channels and the input planes padded out to whole tiles (read before M is
    /// written).
    /// </summary>
    public static long WinogradFloats(in ConvGeometry g)
    {
        long tilesY = (g.OutHeight + 1) / 2, tileRow = WinogradTileRow(g.OutWidth), tiles = tilesY * tileRow;
        long padded = (long)g.InChannels * (2 * tilesY + 2) * (2 * tileRow + 2);
        long products = 16L * System.Math.Min(WinogradOutBlock, g.OutChannels) * tiles;
        return 16L * WinogradWeightStride(g.OutChannels * g.InChannels) + 16L * g.InChannels * tiles + System.Math.Max(products, padded);
    }

    /// <summary><paramref name="bytes"/> rounded up to <see cref="Alignment"/>.</summary>
    public static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;

    /// <summary>
    /// The fp32 convolution's algorithm, <c>ConvKernels.Choose</c> for Auto: direct (few output channels per group, or
    /// one input channel per group with a 3 x 3 window: its whole-plane kernel), Winograd (<see cref="WinogradPays"/>),
    /// blocked (stride 1, not pointwise, at most <see cref="BlockedMaxGroupWeights"/> weights per group), else the GEMM.
    /// </summary>
    public static ConvAlgorithm ConvFloat32Algorithm(in ConvGeometry g)
    {
        int taps = g.KernelHeight * g.KernelWidth;
        if (taps <= DirectMaxTaps && (g.OutChannels / g.Groups < DirectBelowOutChannelsPerGroup
            || g.InChannelsPerGroup == 1 && g.KernelHeight == 3 && g.KernelWidth == 3))
            return ConvAlgorithm.Direct;
        if (WinogradPays(g))
            return ConvAlgorithm.Winograd;
        if (taps <= DirectMaxTaps && g.StrideHeight == 1 && g.StrideWidth == 1 && !IsPointwise(g)
            && (long)(g.OutChannels / g.Groups) * g.InChannelsPerGroup * taps <= BlockedMaxGroupWeights)
            return ConvAlgorithm.Blocked;
        return ConvAlgorithm.Im2col;
    }

    /// <summary>
    /// Floats of scratch the fp32 convolution takes (<c>ConvKernels.ScratchFloats</c>): a padded input plane for the
    /// direct kernel, the group's padded input planes for the blocked one, <see cref="WinogradFloats"/> for Winograd,
    /// one group's im2col matrix for the GEMM (which a 1x1, stride 1, unpadded kernel leaves unused).
    /// </summary>
    public static long ConvFloat32Floats(in ConvGeometry g) => ConvFloat32Algorithm(g) switch
    {
        ConvAlgorithm.Direct => (long)g.StrideWidth * ((g.InWidth + 2L * g.PaddingWidth + g.StrideWidth - 1) / g.StrideWidth) * (g.InHeight + 2L * g.PaddingHeight),
        ConvAlgorithm.Winograd => WinogradFloats(g),
        ConvAlgorithm.Blocked => (long)g.InChannelsPerGroup * (g.InHeight + 2L * g.PaddingHeight) * (g.InWidth + 2L * g.PaddingWidth),
        _ => (long)g.OutHeight * g.OutWidth * g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth,
    };

    /// <summary>
    /// Fewest weights per output channel for which an Int8 convolution runs as int8 GEMM: below it the int8 GEMM's rows
    /// are shorter than its panels (K 16, 24, 27 ran 0.07-0.10x the fp32 speed).
    /// </summary>
    public const int Int8GemmMinWeightsPerOutChannel = 32;

    /// <summary>
    /// Whether an Int8 convolution runs as int8 GEMM: one group, at least <see cref="Int8GemmMinWeightsPerOutChannel"/>
    /// weights per output channel and at least a quarter as many as output positions. The int8 path transposes the
    /// input and the output around the int8 dense kernel, which pays only when K is not short against the planes; the
    /// other path widens the int8 weights to fp32 every call. Measured on MobileNetV2 (graph-profile, AVX2, batch 1,
    /// int8 GEMM time over widened fp32 time, register-block transposes and vectorized widening on both sides): 7x7
    /// planes K 160-960 0.6-0.9; 14x14 K 64-576 0.7-0.95; 28x28 K 192 ~1.0, K 32-144 1.1-1.3; 56x56 and larger 1.3-2.2.
    /// Larger windows also build a position-major im2col, so they need K at least twice the positions (fashion_cnn's
    /// 3x3 conv2, K 144 on a 14 x 14 plane, ran 1.3x slower on the int8 path: bench graph quick, 70 vs 52 us).
    /// Depthwise, grouped and the other ones widen their int8 weights to fp32 into scratch (fashion_cnn's conv2 then
    /// takes the fp32 Winograd convolution). Tried and dropped for it: int16 activations times paired int8 weights with AVX2
    /// <c>vpmaddwd</c> in the blocked kernel's tiles ran 30-39 us against the fp32 blocked kernel's 27-29 (graph-conv,
    /// same runs): this Zen 3 issues one vector integer multiply a cycle against two FMAs, so 16 products per
    /// instruction do not beat 2 x 8, and quantizing and pairing cost on top.
    /// </summary>
    public static bool ConvRunsInt8(in ConvGeometry g)
    {
        long k = (long)g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth, positions = (long)g.OutHeight * g.OutWidth;
        return g.Groups == 1 && k >= Int8GemmMinWeightsPerOutChannel && (IsPointwise(g) ? 4 * k >= positions : k >= 2 * positions);
    }

    /// <summary>A 1x1 window on every input pixel in order: the input planes are already the GEMM's columns.</summary>
    public static bool IsPointwise(in ConvGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1
        && g.PaddingHeight == 0 && g.PaddingWidth == 0;

    /// <summary>
    /// Fixed-region bytes of a convolution with weights of <paramref name="precision"/> (0 Float32, 1 Float16,
    /// 2 BFloat16, 3 Int8: the <c>Precision</c> enum's values). Layout, in order:
    /// int8 GEMM: im2col <c>[P, K]</c> fp32, quantized <c>[P, K]</c> sbyte, row scales <c>[P]</c> fp32, output
    /// <c>[P, Cout]</c> fp32 (P output positions, K weights per output channel);
    /// otherwise: widened fp32 weights (16-bit or int8 weights only), then the fp32 convolution's scratch.
    /// </summary>
    public static long ConvBytes(int precision, in ConvGeometry g)
    {
        long positions = (long)g.OutHeight * g.OutWidth, k = (long)g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth;
        if (precision == 3 && ConvRunsInt8(g))
            return ConvInt8GemmBytes(g);
        long widened = precision == 0 ? 0 : Align((long)g.OutChannels * k * 4);
        return widened + Align(ConvFloat32Floats(g) * 4);
    }

    /// <summary>Bytes of the int8 GEMM layout (see <see cref="ConvBytes"/>) for a one-group convolution, whatever its size.</summary>
    public static long ConvInt8GemmBytes(in ConvGeometry g)
    {
        long positions = (long)g.OutHeight * g.OutWidth, k = (long)g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth;
        return Align(positions * k * 4) + Align(positions * k) + Align(positions * 4) + Align(positions * g.OutChannels * 4);
    }

    /// <summary>Per-sample batch-region bytes of a dense layer: int8 quantizes its input rows (<c>in</c> sbytes, then one fp32 scale).</summary>
    public static long DenseRowBytes(int precision, int inFeatures) =>
        precision == 3 ? Align(inFeatures) + Alignment : 0;
}

/// <summary>The numbers of a convolution or pooling window that scratch sizes depend on (a netstandard-friendly Conv2dShape).</summary>
internal readonly struct ConvGeometry
{
    public ConvGeometry(int inChannels, int outChannels, int inHeight, int inWidth, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int paddingHeight, int paddingWidth, int dilationHeight, int dilationWidth, int groups)
    {
        InChannels = inChannels; OutChannels = outChannels; InHeight = inHeight; InWidth = inWidth;
        KernelHeight = kernelHeight; KernelWidth = kernelWidth; StrideHeight = strideHeight; StrideWidth = strideWidth;
        PaddingHeight = paddingHeight; PaddingWidth = paddingWidth; DilationHeight = dilationHeight; DilationWidth = dilationWidth;
        Groups = groups;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int InHeight { get; }
    public int InWidth { get; }
    public int KernelHeight { get; }
    public int KernelWidth { get; }
    public int StrideHeight { get; }
    public int StrideWidth { get; }
    public int PaddingHeight { get; }
    public int PaddingWidth { get; }
    public int DilationHeight { get; }
    public int DilationWidth { get; }
    public int Groups { get; }
    public int InChannelsPerGroup => InChannels / Groups;
    public int OutHeight => (InHeight + 2 * PaddingHeight - DilationHeight * (KernelHeight - 1) - 1) / StrideHeight + 1;
    public int OutWidth => (InWidth + 2 * PaddingWidth - DilationWidth * (KernelWidth - 1) - 1) / StrideWidth + 1;
}
