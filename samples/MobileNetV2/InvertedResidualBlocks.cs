using ModelGen;

namespace MobileNetV2;

// torchvision's InvertedResidual blocks of MobileNetV2 (width 1.0), one interface per distinct shape, with the
// state_dict names inside a block (the model puts them under `features.<i>`): a 1x1 expansion convolution (skipped
// when the expansion is 1), a 3x3 depthwise convolution, each with BatchNorm and ReLU6, a 1x1 projection with BatchNorm,
// and the residual Add when the stride is 1 and the width does not change.

/// <summary>Inverted residual 32 -> 16 channels, expansion 1, stride 1.</summary>
[ModelBlock]
public interface IInvertedResidual32To16
{
    [Conv2d(32, 32, 3, Stride = 1, Padding = 1, Groups = 32, Bias = false, Name = "conv.0.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(32, Name = "conv.0.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(32, 16, 1, Bias = false, Name = "conv.1")]
    GraphLayer Project { get; }

    [BatchNorm2d(16, Name = "conv.2")]
    GraphLayer ProjectBn { get; }
}

/// <summary>Inverted residual 16 -> 24 channels, expansion 6, stride 2.</summary>
[ModelBlock]
public interface IInvertedResidual16To24Stride2
{
    [Conv2d(16, 96, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(96, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(96, 96, 3, Stride = 2, Padding = 1, Groups = 96, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(96, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(96, 24, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(24, Name = "conv.3")]
    GraphLayer ProjectBn { get; }
}

/// <summary>Inverted residual 24 -> 24 channels, expansion 6, stride 1, residual.</summary>
[ModelBlock]
public interface IInvertedResidual24To24
{
    [Conv2d(24, 144, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(144, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(144, 144, 3, Stride = 1, Padding = 1, Groups = 144, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(144, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(144, 24, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(24, Name = "conv.3")]
    GraphLayer ProjectBn { get; }

    [Add("input")]
    GraphLayer Residual { get; }
}

/// <summary>Inverted residual 24 -> 32 channels, expansion 6, stride 2.</summary>
[ModelBlock]
public interface IInvertedResidual24To32Stride2
{
    [Conv2d(24, 144, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(144, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(144, 144, 3, Stride = 2, Padding = 1, Groups = 144, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(144, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(144, 32, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(32, Name = "conv.3")]
    GraphLayer ProjectBn { get; }
}

/// <summary>Inverted residual 32 -> 32 channels, expansion 6, stride 1, residual.</summary>
[ModelBlock]
public interface IInvertedResidual32To32
{
    [Conv2d(32, 192, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(192, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(192, 192, 3, Stride = 1, Padding = 1, Groups = 192, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(192, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(192, 32, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(32, Name = "conv.3")]
    GraphLayer ProjectBn { get; }

    [Add("input")]
    GraphLayer Residual { get; }
}

/// <summary>Inverted residual 32 -> 64 channels, expansion 6, stride 2.</summary>
[ModelBlock]
public interface IInvertedResidual32To64Stride2
{
    [Conv2d(32, 192, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(192, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(192, 192, 3, Stride = 2, Padding = 1, Groups = 192, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(192, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(192, 64, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(64, Name = "conv.3")]
    GraphLayer ProjectBn { get; }
}

/// <summary>Inverted residual 64 -> 64 channels, expansion 6, stride 1, residual.</summary>
[ModelBlock]
public interface IInvertedResidual64To64
{
    [Conv2d(64, 384, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(384, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(384, 384, 3, Stride = 1, Padding = 1, Groups = 384, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(384, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(384, 64, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(64, Name = "conv.3")]
    GraphLayer ProjectBn { get; }

    [Add("input")]
    GraphLayer Residual { get; }
}

/// <summary>Inverted residual 64 -> 96 channels, expansion 6, stride 1.</summary>
[ModelBlock]
public interface IInvertedResidual64To96
{
    [Conv2d(64, 384, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(384, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(384, 384, 3, Stride = 1, Padding = 1, Groups = 384, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(384, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(384, 96, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(96, Name = "conv.3")]
    GraphLayer ProjectBn { get; }
}

/// <summary>Inverted residual 96 -> 96 channels, expansion 6, stride 1, residual.</summary>
[ModelBlock]
public interface IInvertedResidual96To96
{
    [Conv2d(96, 576, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(576, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(576, 576, 3, Stride = 1, Padding = 1, Groups = 576, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(576, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(576, 96, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(96, Name = "conv.3")]
    GraphLayer ProjectBn { get; }

    [Add("input")]
    GraphLayer Residual { get; }
}

/// <summary>Inverted residual 96 -> 160 channels, expansion 6, stride 2.</summary>
[ModelBlock]
public interface IInvertedResidual96To160Stride2
{
    [Conv2d(96, 576, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(576, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(576, 576, 3, Stride = 2, Padding = 1, Groups = 576, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(576, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(576, 160, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(160, Name = "conv.3")]
    GraphLayer ProjectBn { get; }
}

/// <summary>Inverted residual 160 -> 160 channels, expansion 6, stride 1, residual.</summary>
[ModelBlock]
public interface IInvertedResidual160To160
{
    [Conv2d(160, 960, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(960, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(960, 960, 3, Stride = 1, Padding = 1, Groups = 960, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(960, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(960, 160, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(160, Name = "conv.3")]
    GraphLayer ProjectBn { get; }

    [Add("input")]
    GraphLayer Residual { get; }
}

/// <summary>Inverted residual 160 -> 320 channels, expansion 6, stride 1.</summary>
[ModelBlock]
public interface IInvertedResidual160To320
{
    [Conv2d(160, 960, 1, Bias = false, Name = "conv.0.0")]
    GraphLayer Expand { get; }

    [BatchNorm2d(960, Name = "conv.0.1")]
    GraphLayer ExpandBn { get; }

    [Relu6]
    GraphLayer ExpandRelu { get; }

    [Conv2d(960, 960, 3, Stride = 1, Padding = 1, Groups = 960, Bias = false, Name = "conv.1.0")]
    GraphLayer Depthwise { get; }

    [BatchNorm2d(960, Name = "conv.1.1")]
    GraphLayer DepthwiseBn { get; }

    [Relu6]
    GraphLayer DepthwiseRelu { get; }

    [Conv2d(960, 320, 1, Bias = false, Name = "conv.2")]
    GraphLayer Project { get; }

    [BatchNorm2d(320, Name = "conv.3")]
    GraphLayer ProjectBn { get; }
}
