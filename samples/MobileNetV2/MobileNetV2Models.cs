using ModelGen;

namespace MobileNetV2;

/// <summary>
/// torchvision's MobileNetV2 (width 1.0, 224 x 224, 1000 classes) in the order of its module tree, with its state_dict
/// names: stem, 17 inverted residual blocks, head, global average pool and classifier.
/// </summary>
[ModelBlock]
public interface IMobileNetV2
{
    [Conv2d(3, 32, 3, Stride = 2, Padding = 1, Bias = false, Name = "features.0.0")]
    GraphLayer StemConv { get; }

    [BatchNorm2d(32, Name = "features.0.1")]
    GraphLayer StemBn { get; }

    [Relu6]
    GraphLayer StemRelu { get; }

    [Block(typeof(IInvertedResidual32To16), Name = "features.1")]
    GraphLayer Block1 { get; }

    [Block(typeof(IInvertedResidual16To24Stride2), Name = "features.2")]
    GraphLayer Block2 { get; }

    [Block(typeof(IInvertedResidual24To24), Name = "features.3")]
    GraphLayer Block3 { get; }

    [Block(typeof(IInvertedResidual24To32Stride2), Name = "features.4")]
    GraphLayer Block4 { get; }

    [Block(typeof(IInvertedResidual32To32), Name = "features.5")]
    GraphLayer Block5 { get; }

    [Block(typeof(IInvertedResidual32To32), Name = "features.6")]
    GraphLayer Block6 { get; }

    [Block(typeof(IInvertedResidual32To64Stride2), Name = "features.7")]
    GraphLayer Block7 { get; }

    [Block(typeof(IInvertedResidual64To64), Name = "features.8")]
    GraphLayer Block8 { get; }

    [Block(typeof(IInvertedResidual64To64), Name = "features.9")]
    GraphLayer Block9 { get; }

    [Block(typeof(IInvertedResidual64To64), Name = "features.10")]
    GraphLayer Block10 { get; }

    [Block(typeof(IInvertedResidual64To96), Name = "features.11")]
    GraphLayer Block11 { get; }

    [Block(typeof(IInvertedResidual96To96), Name = "features.12")]
    GraphLayer Block12 { get; }

    [Block(typeof(IInvertedResidual96To96), Name = "features.13")]
    GraphLayer Block13 { get; }

    [Block(typeof(IInvertedResidual96To160Stride2), Name = "features.14")]
    GraphLayer Block14 { get; }

    [Block(typeof(IInvertedResidual160To160), Name = "features.15")]
    GraphLayer Block15 { get; }

    [Block(typeof(IInvertedResidual160To160), Name = "features.16")]
    GraphLayer Block16 { get; }

    [Block(typeof(IInvertedResidual160To320), Name = "features.17")]
    GraphLayer Block17 { get; }

    [Conv2d(320, 1280, 1, Bias = false, Name = "features.18.0")]
    GraphLayer HeadConv { get; }

    [BatchNorm2d(1280, Name = "features.18.1")]
    GraphLayer HeadBn { get; }

    [Relu6]
    GraphLayer HeadRelu { get; }

    [GlobalAvgPool]
    GraphLayer Pool { get; }

    [Flatten]
    GraphLayer Flatten { get; }

    [Dropout(0.2, Name = "classifier.0")]
    GraphLayer Dropout { get; }

    [Dense(1280, 1000, Name = "classifier.1")]
    GraphLayer Classifier { get; }
}

/// <summary>MobileNetV2 with fp32 weights.</summary>
[Model(InputShape = new[] { 3, 224, 224 }, MaxBatch = 8)]
public sealed partial class MobileNetV2Float32
{
    [Block(typeof(IMobileNetV2), Name = "")]
    public partial GraphLayer Network { get; }
}

/// <summary>MobileNetV2 with int8 weights (per output channel) and dynamic int8 activations where that is faster.</summary>
[Model(InputShape = new[] { 3, 224, 224 }, MaxBatch = 8, WeightPrecision = Precision.Int8)]
public sealed partial class MobileNetV2Int8
{
    [Block(typeof(IMobileNetV2), Name = "")]
    public partial GraphLayer Network { get; }
}
