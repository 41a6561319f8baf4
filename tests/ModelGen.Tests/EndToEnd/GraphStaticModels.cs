namespace ModelGen.Tests.EndToEnd;

// Graph models with calibrated (static) int8 inputs: fashion_cnn and fashion_resmlp with every weighted layer Int8
// Static, and a small synthetic network whose first convolution runs the int8 GEMM and whose depthwise one runs widened.

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 16)]
public sealed partial class GraphCnnStatic
{
    [Conv2d(1, 16, 3, Padding = 1, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Conv1 { get; }
    [BatchNorm2d(16)] public partial GraphLayer Bn1 { get; }
    [Relu] public partial GraphLayer Relu1 { get; }
    [MaxPool2d(2)] public partial GraphLayer Pool1 { get; }
    [Conv2d(16, 32, 3, Padding = 1, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Conv2 { get; }
    [BatchNorm2d(32)] public partial GraphLayer Bn2 { get; }
    [Relu] public partial GraphLayer Relu2 { get; }
    [MaxPool2d(2)] public partial GraphLayer Pool2 { get; }
    [Flatten] public partial GraphLayer Flatten { get; }
    [Dense(1568, 128, Activation = Activation.Relu, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Fc1 { get; }
    [Dense(128, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Fc2 { get; }
}

[Model(InputShape = new[] { 784 }, MaxBatch = 16)]
public sealed partial class GraphResMlpStatic
{
    [Dense(784, 128, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Inp { get; }
    [LayerNorm(128)] public partial GraphLayer Norm { get; }
    [Dense(128, 256, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer FcA { get; }
    [Gelu] public partial GraphLayer Gelu { get; }
    [Dense(256, 128, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer FcB { get; }
    [Add("Inp")] public partial GraphLayer Residual { get; }
    [LayerNorm(128)] public partial GraphLayer NormOut { get; }
    [Dense(128, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Out { get; }
}

[ModelBlock]
public interface ISmallConvNet
{
    // K 72 on 36 positions: the int8 GEMM (GraphScratch.ConvRunsInt8).
    [Conv2d(8, 24, 3, Padding = 1, Activation = Activation.Relu)] GraphLayer Gemm { get; }
    // Depthwise: widened to fp32.
    [Conv2d(24, 24, 3, Padding = 1, Groups = 24)] GraphLayer Depthwise { get; }
    [GlobalAvgPool] GraphLayer Gap { get; }
    [Flatten] GraphLayer Flat { get; }
    [Dense(24, 5)] GraphLayer Head { get; }
}

[Model(InputShape = new[] { 8, 6, 6 }, MaxBatch = 8)]
public sealed partial class SmallConvFloat32
{
    [Block(typeof(ISmallConvNet), Name = "")] public partial GraphLayer Network { get; }
}

[Model(InputShape = new[] { 8, 6, 6 }, MaxBatch = 8)]
public sealed partial class SmallConvStatic
{
    [Conv2d(8, 24, 3, Padding = 1, Activation = Activation.Relu, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Gemm { get; }
    [Conv2d(24, 24, 3, Padding = 1, Groups = 24, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Depthwise { get; }
    [GlobalAvgPool] public partial GraphLayer Gap { get; }
    [Flatten] public partial GraphLayer Flat { get; }
    [Dense(24, 5, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Head { get; }
}

/// <summary>One depthwise convolution, static: it runs widened, so its scale must not matter.</summary>
[Model(InputShape = new[] { 24, 6, 6 }, MaxBatch = 4)]
public sealed partial class DepthwiseStatic
{
    [Conv2d(24, 24, 3, Padding = 1, Groups = 24, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Depthwise { get; }
}

/// <summary>The same depthwise convolution, dynamic.</summary>
[Model(InputShape = new[] { 24, 6, 6 }, MaxBatch = 4)]
public sealed partial class DepthwiseDynamic
{
    [Conv2d(24, 24, 3, Padding = 1, Groups = 24, Precision = Precision.Int8)] public partial GraphLayer Depthwise { get; }
}
