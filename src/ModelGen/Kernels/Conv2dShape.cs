namespace ModelGen.Kernels;

/// <summary>
/// Shape of a 2-D convolution or pooling window with PyTorch semantics: zero padding on both sides, output size
/// <c>floor((in + 2 p - d (k - 1) - 1) / s) + 1</c>, weights <c>[OutChannels, InChannels / Groups, KernelHeight,
/// KernelWidth]</c>. Construction never throws; <see cref="Problem"/> says what makes a shape unusable, and every
/// kernel taking a shape rejects it with that message.
/// </summary>
public readonly record struct Conv2dShape(int InChannels, int OutChannels, int InHeight, int InWidth, int KernelHeight,
    int KernelWidth, int StrideHeight = 1, int StrideWidth = 1, int PaddingHeight = 0, int PaddingWidth = 0,
    int DilationHeight = 1, int DilationWidth = 1, int Groups = 1)
{
    // Computed on each read rather than stored, so a `with` expression cannot leave them stale.

    /// <summary>Output rows; 0 when the window does not fit (see <see cref="Problem"/>).</summary>
    public int OutHeight => WindowCount(InHeight, KernelHeight, StrideHeight, PaddingHeight, DilationHeight);

    /// <summary>Output columns; 0 when the window does not fit (see <see cref="Problem"/>).</summary>
    public int OutWidth => WindowCount(InWidth, KernelWidth, StrideWidth, PaddingWidth, DilationWidth);

    /// <summary>Input channels per group: the second dimension of the weights.</summary>
    public int InChannelsPerGroup => Groups > 0 ? InChannels / Groups : 0;

    /// <summary>Output channels per group.</summary>
    public int OutChannelsPerGroup => Groups > 0 ? OutChannels / Groups : 0;

    /// <summary>Weights per output channel: <c>InChannels / Groups * KernelHeight * KernelWidth</c>.</summary>
    public int WeightsPerOutChannel => InChannelsPerGroup * KernelHeight * KernelWidth;

    /// <summary>Whether this is a depthwise convolution: one group per channel, as many outputs as inputs.</summary>
    public bool IsDepthwise => Groups > 1 && Groups == InChannels && Groups == OutChannels;

    /// <summary>Elements of one image of input: <c>InChannels * InHeight * InWidth</c>.</summary>
    public int InputSize => InChannels * InHeight * InWidth;

    /// <summary>Elements of one image of output: <c>OutChannels * OutHeight * OutWidth</c>.</summary>
    public int OutputSize => OutChannels * OutHeight * OutWidth;

    /// <summary>Elements of the weights: <c>OutChannels * WeightsPerOutChannel</c>.</summary>
    public int WeightCount => OutChannels * WeightsPerOutChannel;

    /// <summary>Null when the shape is valid; otherwise a sentence naming what is wrong.</summary>
    public string? Problem
    {
        get
        {
            if (InChannels < 1 || OutChannels < 1)
                return $"Channels must be positive (in {InChannels}, out {OutChannels}).";
            if (InHeight < 1 || InWidth < 1)
                return $"Input size must be positive ({InHeight} x {InWidth}).";
            if (KernelHeight < 1 || KernelWidth < 1)
                return $"Kernel size must be positive ({KernelHeight} x {KernelWidth}).";
            if (StrideHeight < 1 || StrideWidth < 1)
                return $"Stride must be positive ({StrideHeight} x {StrideWidth}).";
            if (PaddingHeight < 0 || PaddingWidth < 0)
                return $"Padding must not be negative ({PaddingHeight} x {PaddingWidth}).";
            if (DilationHeight < 1 || DilationWidth < 1)
                return $"Dilation must be positive ({DilationHeight} x {DilationWidth}).";
            if (Groups < 1)
                return $"Groups must be positive ({Groups}).";
            if (InChannels % Groups != 0 || OutChannels % Groups != 0)
                return $"Groups ({Groups}) must divide both the input channels ({InChannels}) and the output channels ({OutChannels}).";
            if ((long)InHeight + 2L * PaddingHeight > int.MaxValue / 2 || (long)InWidth + 2L * PaddingWidth > int.MaxValue / 2
                || (long)DilationHeight * (KernelHeight - 1) > int.MaxValue / 2 || (long)DilationWidth * (KernelWidth - 1) > int.MaxValue / 2)
                return "Sizes, padding or dilation too large.";
            if (OutHeight < 1 || OutWidth < 1)
                return $"The dilated {KernelHeight} x {KernelWidth} window (dilation {DilationHeight} x {DilationWidth}) does not fit "
                    + $"the padded {InHeight} x {InWidth} input (padding {PaddingHeight} x {PaddingWidth}): output would be empty.";
            if ((long)InChannels * InHeight * InWidth > int.MaxValue || (long)OutChannels * OutHeight * OutWidth > int.MaxValue
                || (long)OutChannels * (InChannels / Groups) * KernelHeight * KernelWidth > int.MaxValue)
                return "Tensors of more than int.MaxValue elements are not supported.";
            return null;
        }
    }

    private static int WindowCount(int input, int kernel, int stride, int padding, int dilation)
    {
        if (stride < 1) return 0;
        long span = (long)input + 2L * padding - (long)dilation * (kernel - 1) - 1;
        return span < 0 ? 0 : (int)Math.Min(span / stride + 1, int.MaxValue);
    }
}
