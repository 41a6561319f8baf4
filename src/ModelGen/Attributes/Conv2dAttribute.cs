namespace ModelGen;

/// <summary>
/// A 2-D convolution over NCHW input, PyTorch's <c>nn.Conv2d</c>: weights <c>{Name}.weight</c>
/// <c>[out, in / groups, k, k]</c> and, with <see cref="Bias"/>, <c>{Name}.bias</c> <c>[out]</c>. Depthwise when
/// <see cref="Groups"/> equals the channel counts. A <see cref="BatchNorm2dAttribute"/> layer right after it is folded
/// into its weights when they load.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class Conv2dAttribute : LayerAttribute
{
    /// <summary>A square <paramref name="kernelSize"/> convolution from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public Conv2dAttribute(int inChannels, int outChannels, int kernelSize)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows, both directions. Default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on each side, both directions. Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Spacing between kernel taps. Default 1.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Channel groups; must divide both channel counts. Default 1.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer has its own bias tensor. Default true (PyTorch's default).</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Element-wise activation fused into the output.</summary>
    public Activation Activation { get; set; }

    /// <summary>Weight storage: Float32 (default), Float16, BFloat16 or Int8 (per output channel scales).</summary>
    public Precision Precision { get; set; }

    /// <summary>
    /// How an <see cref="Precision.Int8"/> convolution quantizes its input. Default dynamic (per im2col row). Static
    /// takes one calibrated scale (<c>{Name}.input_scale</c> in the file, or <c>LoadOptions.Calibration</c>); a
    /// convolution that runs widened to fp32 (grouped, depthwise, short rows) keeps its fp32 input and leaves it unused.
    /// </summary>
    public InputQuantization InputQuantization { get; set; }
}
