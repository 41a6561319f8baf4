// Shared by the runtime, the generator and the analyzers (linked into both, like GraphScratch.cs): the generator sizes
// each convolution's scratch for the algorithm the runtime will take.
namespace ModelGen.Kernels;

/// <summary>How <c>ConvKernels</c> computes a convolution; tests force each one on every shape.</summary>
internal enum ConvAlgorithm
{
    /// <summary>Chosen from the shape (see <c>ConvKernels.Choose</c>).</summary>
    Auto = 0,
    /// <summary>Taps accumulated straight into the output rows from a padded copy of one input plane (<c>ConvDirect</c>).</summary>
    Direct = 1,
    /// <summary>
    /// The GEMM (<c>GemmKernels</c>) per group: weights times the input planes themselves for a 1x1, stride 1,
    /// unpadded kernel, else times im2col rows built in scratch.
    /// </summary>
    Im2col = 2,
    /// <summary>
    /// Stride 1 only: a register tile of output channels by output columns accumulated over every input channel and
    /// tap from padded copies of the group's input planes (<c>ConvBlocked</c>).
    /// </summary>
    Blocked = 3,
    /// <summary>
    /// 3 x 3, stride 1, dilation 1, one group, padding 0 to 2 only: Winograd F(2x2, 3x3), the 16 transformed
    /// positions' products on a register-tile kernel (AVX2) or the GEMM (<c>ConvWinograd</c>).
    /// </summary>
    Winograd = 4,
}
