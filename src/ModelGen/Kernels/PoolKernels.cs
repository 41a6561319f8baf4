using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

/// <summary>
/// Pooling over NCHW fp32 tensors with PyTorch's semantics (square windows, floor mode, no dilation):
/// output size <c>floor((in + 2 padding - kernel) / stride) + 1</c>, and padding at most half the kernel, as PyTorch
/// requires, so every window holds at least one input element. The scalar path is the reference; vector paths
/// (<see cref="PoolKernels"/>.Vector.cs) reduce each output row's window rows into a stack row first, then along it,
/// and give the same bits (max is exact; averages sum in double in the same order as the reference).
/// Spans may be longer than needed; y must not overlap x. Allocates nothing.
/// </summary>
public static partial class PoolKernels
{
    /// <summary>Output rows (or columns) of a pooling window over <paramref name="input"/> rows; 0 if it does not fit.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding)
    {
        if (input < 1 || kernel < 1 || stride < 1 || padding < 0) return 0;
        long span = (long)input + 2L * padding - kernel;
        return span < 0 ? 0 : (int)Math.Min(span / stride + 1, int.MaxValue);
    }

    /// <summary>
    /// PyTorch <c>MaxPool2d(kernel, stride, padding)</c>: the maximum of each window, the padding counting as -Infinity.
    /// A window holding NaN gives NaN, as in PyTorch.
    /// </summary>
    public static void MaxPool2d(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int height, int width,
        int kernel, int stride, int padding) =>
        MaxPool2d(KernelPaths.Best, x, y, batch, channels, height, width, kernel, stride, padding);

    /// <summary>The public MaxPool2d on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaxPool2d(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int batch, int channels,
        int height, int width, int kernel, int stride, int padding)
    {
        ThrowIfUnsupported(path);
        (int oh, int ow) = Validate(x, y, batch, channels, height, width, kernel, stride, padding);
        int planes = batch * channels, inPlane = height * width, outPlane = oh * ow;
        if (path != KernelPath.Scalar && kernel == 2 && stride == 2 && padding == 0)
        {
            MaxPool2x2Vector(path, x, y, planes, height, width, oh, ow);
            return;
        }
        if (path != KernelPath.Scalar && width + 2 * padding <= MaxStackRow)
        {
            MaxPoolVector(path, x, y, planes, height, width, kernel, stride, padding, oh, ow);
            return;
        }
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> src = x.Slice(p * inPlane, inPlane);
            Span<float> dst = y.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < oh; oy++)
            {
                (int y0, int y1) = Window(oy, kernel, stride, padding, height);
                for (int ox = 0; ox < ow; ox++)
                {
                    (int x0, int x1) = Window(ox, kernel, stride, padding, width);
                    float max = float.NegativeInfinity;
                    for (int iy = y0; iy < y1; iy++)
                        foreach (float v in src.Slice(iy * width + x0, x1 - x0))
                            if (v > max || float.IsNaN(v)) max = v;
                    dst[oy * ow + ox] = max;
                }
            }
        }
    }

    /// <summary>
    /// PyTorch <c>AvgPool2d(kernel, stride, padding, count_include_pad)</c>: the mean of each window. With
    /// <paramref name="countIncludePad"/> the divisor is always kernel * kernel (padding counts as zeros); without it,
    /// the number of input elements the window covers. Sums in double (each column's window rows, then those column
    /// sums left to right: the order every path uses), so the result is the correctly rounded mean.
    /// </summary>
    public static void AvgPool2d(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int height, int width,
        int kernel, int stride, int padding, bool countIncludePad = true) =>
        AvgPool2d(KernelPaths.Best, x, y, batch, channels, height, width, kernel, stride, padding, countIncludePad);

    /// <summary>The public AvgPool2d on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AvgPool2d(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int batch, int channels,
        int height, int width, int kernel, int stride, int padding, bool countIncludePad = true)
    {
        ThrowIfUnsupported(path);
        (int oh, int ow) = Validate(x, y, batch, channels, height, width, kernel, stride, padding);
        int planes = batch * channels, inPlane = height * width, outPlane = oh * ow;
        if (path != KernelPath.Scalar && width + 2 * padding <= MaxStackRow)
        {
            AvgPoolVector(path, x, y, planes, height, width, kernel, stride, padding, oh, ow, countIncludePad);
            return;
        }
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> src = x.Slice(p * inPlane, inPlane);
            Span<float> dst = y.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < oh; oy++)
            {
                (int y0, int y1) = Window(oy, kernel, stride, padding, height);
                for (int ox = 0; ox < ow; ox++)
                {
                    (int x0, int x1) = Window(ox, kernel, stride, padding, width);
                    double sum = 0;
                    for (int ix = x0; ix < x1; ix++)
                    {
                        double column = 0;
                        for (int iy = y0; iy < y1; iy++)
                            column += src[iy * width + ix];
                        sum += column;
                    }
                    // Floor mode never lets a window run past the padded input, so the padded window is always k * k.
                    int count = countIncludePad ? kernel * kernel : (y1 - y0) * (x1 - x0);
                    dst[oy * ow + ox] = (float)(sum / count);
                }
            }
        }
    }

    /// <summary>
    /// <c>y[b, c] = mean(x[b, c, :])</c> over <paramref name="spatial"/> (= height * width) elements: PyTorch's
    /// <c>AdaptiveAvgPool2d(1)</c> flattened, as MobileNetV2's head uses it. Sums in double; vector paths sum in
    /// several double lanes, an order that can change the float result only for planes whose values span more than
    /// about 2^29 in magnitude (below that every double sum of floats is exact).
    /// </summary>
    public static void GlobalAvgPool(ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int spatial) =>
        GlobalAvgPool(KernelPaths.Best, x, y, batch, channels, spatial);

    /// <summary>The public GlobalAvgPool on <paramref name="path"/>, which must be supported; tests run every path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void GlobalAvgPool(KernelPath path, ReadOnlySpan<float> x, Span<float> y, int batch, int channels, int spatial)
    {
        ThrowIfUnsupported(path);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spatial);
        long planes = (long)batch * channels;
        CheckLength(x.Length, planes * spatial, nameof(x), "batch * channels * spatial");
        CheckLength(y.Length, planes, nameof(y), "batch * channels");
        if (y.Overlaps(x)) throw new ArgumentException("y must not overlap x.", nameof(y));
        if (path != KernelPath.Scalar)
        {
            GlobalAvgPoolVector(path, x, y, (int)planes, spatial);
            return;
        }
        for (int p = 0; p < (int)planes; p++)
        {
            double sum = 0;
            foreach (float v in x.Slice(p * spatial, spatial))
                sum += v;
            y[p] = (float)(sum / spatial);
        }
    }

    /// <summary>Input rows [start, end) window <paramref name="o"/> covers, clipped to the input.</summary>
    private static (int Start, int End) Window(int o, int kernel, int stride, int padding, int size)
    {
        int start = o * stride - padding;
        return (Math.Max(start, 0), Math.Min(start + kernel, size));
    }

    private static (int OutHeight, int OutWidth) Validate(ReadOnlySpan<float> x, Span<float> y, int batch, int channels,
        int height, int width, int kernel, int stride, int padding)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (padding > kernel / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), padding,
                $"Padding must be at most half the kernel ({kernel} / 2 = {kernel / 2}), as in PyTorch.");
        int oh = OutputSize(height, kernel, stride, padding), ow = OutputSize(width, kernel, stride, padding);
        if (oh < 1 || ow < 1)
            throw new ArgumentException(
                $"A {kernel} x {kernel} window does not fit the padded {height} x {width} input (padding {padding}).", nameof(kernel));
        long planes = (long)batch * channels;
        CheckLength(x.Length, planes * height * width, nameof(x), "batch * channels * height * width");
        CheckLength(y.Length, planes * oh * ow, nameof(y), "batch * channels * outHeight * outWidth");
        if (y.Overlaps(x)) throw new ArgumentException("y must not overlap x.", nameof(y));
        return (oh, ow);
    }

    private static void ThrowIfUnsupported(KernelPath path)
    {
        if (!KernelPaths.IsSupported(path))
            throw new NotSupportedException($"Kernel path {path} is not supported by this process.");
    }

    private static void CheckLength(int length, long required, string name, string what)
    {
        if (length < required) ThrowTooShort(length, required, name, what);
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int length, long required, string name, string what) =>
        throw new ArgumentException($"{name} has {length} elements; {what} = {required} are required.", name);
}
