using ModelGen;

namespace MobileNetV2;

// torchvision's MobileNetV2 with int8 weights (per output channel) (width 1.0, 224 x 224, 1000 classes) as a ModelGen graph model, layer by layer in the
// order of torchvision's module tree, with its state_dict names. BatchNorm folds into the convolution before it and
// each ReLU6 fuses into its producer when the weights load; the residual Add of a block reads the output of the
// previous block. Written out in full: ModelGen has no reusable block type yet.

/// <summary>MobileNetV2 with int8 weights (per output channel) and dynamic int8 activations.</summary>
[Model(InputShape = new[] { 3, 224, 224 }, MaxBatch = 8)]
public sealed partial class MobileNetV2Int8
{
    // features.0: 3x3 stride-2 convolution, BatchNorm, ReLU6
    [Conv2d(3, 32, 3, Stride = 2, Padding = 1, Bias = false, Name = "features.0.0", Precision = Precision.Int8)]
    public partial GraphLayer StemConv { get; }

    [BatchNorm2d(32, Name = "features.0.1")]
    public partial GraphLayer StemBn { get; }

    [Relu6]
    public partial GraphLayer StemRelu { get; }

    // features.1: inverted residual 32 -> 16, expansion 1, stride 1
    [Conv2d(32, 32, 3, Stride = 1, Padding = 1, Groups = 32, Bias = false, Name = "features.1.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block1Depthwise { get; }

    [BatchNorm2d(32, Name = "features.1.conv.0.1")]
    public partial GraphLayer Block1DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block1DepthwiseRelu { get; }

    [Conv2d(32, 16, 1, Bias = false, Name = "features.1.conv.1", Precision = Precision.Int8)]
    public partial GraphLayer Block1Project { get; }

    [BatchNorm2d(16, Name = "features.1.conv.2")]
    public partial GraphLayer Block1ProjectBn { get; }

    // features.2: inverted residual 16 -> 24, expansion 6, stride 2
    [Conv2d(16, 96, 1, Bias = false, Name = "features.2.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block2Expand { get; }

    [BatchNorm2d(96, Name = "features.2.conv.0.1")]
    public partial GraphLayer Block2ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block2ExpandRelu { get; }

    [Conv2d(96, 96, 3, Stride = 2, Padding = 1, Groups = 96, Bias = false, Name = "features.2.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block2Depthwise { get; }

    [BatchNorm2d(96, Name = "features.2.conv.1.1")]
    public partial GraphLayer Block2DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block2DepthwiseRelu { get; }

    [Conv2d(96, 24, 1, Bias = false, Name = "features.2.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block2Project { get; }

    [BatchNorm2d(24, Name = "features.2.conv.3")]
    public partial GraphLayer Block2ProjectBn { get; }

    // features.3: inverted residual 24 -> 24, expansion 6, stride 1, residual
    [Conv2d(24, 144, 1, Bias = false, Name = "features.3.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block3Expand { get; }

    [BatchNorm2d(144, Name = "features.3.conv.0.1")]
    public partial GraphLayer Block3ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block3ExpandRelu { get; }

    [Conv2d(144, 144, 3, Stride = 1, Padding = 1, Groups = 144, Bias = false, Name = "features.3.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block3Depthwise { get; }

    [BatchNorm2d(144, Name = "features.3.conv.1.1")]
    public partial GraphLayer Block3DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block3DepthwiseRelu { get; }

    [Conv2d(144, 24, 1, Bias = false, Name = "features.3.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block3Project { get; }

    [BatchNorm2d(24, Name = "features.3.conv.3")]
    public partial GraphLayer Block3ProjectBn { get; }

    [Add(nameof(Block2ProjectBn))]
    public partial GraphLayer Block3Add { get; }

    // features.4: inverted residual 24 -> 32, expansion 6, stride 2
    [Conv2d(24, 144, 1, Bias = false, Name = "features.4.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block4Expand { get; }

    [BatchNorm2d(144, Name = "features.4.conv.0.1")]
    public partial GraphLayer Block4ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block4ExpandRelu { get; }

    [Conv2d(144, 144, 3, Stride = 2, Padding = 1, Groups = 144, Bias = false, Name = "features.4.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block4Depthwise { get; }

    [BatchNorm2d(144, Name = "features.4.conv.1.1")]
    public partial GraphLayer Block4DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block4DepthwiseRelu { get; }

    [Conv2d(144, 32, 1, Bias = false, Name = "features.4.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block4Project { get; }

    [BatchNorm2d(32, Name = "features.4.conv.3")]
    public partial GraphLayer Block4ProjectBn { get; }

    // features.5: inverted residual 32 -> 32, expansion 6, stride 1, residual
    [Conv2d(32, 192, 1, Bias = false, Name = "features.5.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block5Expand { get; }

    [BatchNorm2d(192, Name = "features.5.conv.0.1")]
    public partial GraphLayer Block5ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block5ExpandRelu { get; }

    [Conv2d(192, 192, 3, Stride = 1, Padding = 1, Groups = 192, Bias = false, Name = "features.5.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block5Depthwise { get; }

    [BatchNorm2d(192, Name = "features.5.conv.1.1")]
    public partial GraphLayer Block5DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block5DepthwiseRelu { get; }

    [Conv2d(192, 32, 1, Bias = false, Name = "features.5.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block5Project { get; }

    [BatchNorm2d(32, Name = "features.5.conv.3")]
    public partial GraphLayer Block5ProjectBn { get; }

    [Add(nameof(Block4ProjectBn))]
    public partial GraphLayer Block5Add { get; }

    // features.6: inverted residual 32 -> 32, expansion 6, stride 1, residual
    [Conv2d(32, 192, 1, Bias = false, Name = "features.6.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block6Expand { get; }

    [BatchNorm2d(192, Name = "features.6.conv.0.1")]
    public partial GraphLayer Block6ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block6ExpandRelu { get; }

    [Conv2d(192, 192, 3, Stride = 1, Padding = 1, Groups = 192, Bias = false, Name = "features.6.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block6Depthwise { get; }

    [BatchNorm2d(192, Name = "features.6.conv.1.1")]
    public partial GraphLayer Block6DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block6DepthwiseRelu { get; }

    [Conv2d(192, 32, 1, Bias = false, Name = "features.6.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block6Project { get; }

    [BatchNorm2d(32, Name = "features.6.conv.3")]
    public partial GraphLayer Block6ProjectBn { get; }

    [Add(nameof(Block5Add))]
    public partial GraphLayer Block6Add { get; }

    // features.7: inverted residual 32 -> 64, expansion 6, stride 2
    [Conv2d(32, 192, 1, Bias = false, Name = "features.7.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block7Expand { get; }

    [BatchNorm2d(192, Name = "features.7.conv.0.1")]
    public partial GraphLayer Block7ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block7ExpandRelu { get; }

    [Conv2d(192, 192, 3, Stride = 2, Padding = 1, Groups = 192, Bias = false, Name = "features.7.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block7Depthwise { get; }

    [BatchNorm2d(192, Name = "features.7.conv.1.1")]
    public partial GraphLayer Block7DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block7DepthwiseRelu { get; }

    [Conv2d(192, 64, 1, Bias = false, Name = "features.7.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block7Project { get; }

    [BatchNorm2d(64, Name = "features.7.conv.3")]
    public partial GraphLayer Block7ProjectBn { get; }

    // features.8: inverted residual 64 -> 64, expansion 6, stride 1, residual
    [Conv2d(64, 384, 1, Bias = false, Name = "features.8.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block8Expand { get; }

    [BatchNorm2d(384, Name = "features.8.conv.0.1")]
    public partial GraphLayer Block8ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block8ExpandRelu { get; }

    [Conv2d(384, 384, 3, Stride = 1, Padding = 1, Groups = 384, Bias = false, Name = "features.8.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block8Depthwise { get; }

    [BatchNorm2d(384, Name = "features.8.conv.1.1")]
    public partial GraphLayer Block8DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block8DepthwiseRelu { get; }

    [Conv2d(384, 64, 1, Bias = false, Name = "features.8.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block8Project { get; }

    [BatchNorm2d(64, Name = "features.8.conv.3")]
    public partial GraphLayer Block8ProjectBn { get; }

    [Add(nameof(Block7ProjectBn))]
    public partial GraphLayer Block8Add { get; }

    // features.9: inverted residual 64 -> 64, expansion 6, stride 1, residual
    [Conv2d(64, 384, 1, Bias = false, Name = "features.9.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block9Expand { get; }

    [BatchNorm2d(384, Name = "features.9.conv.0.1")]
    public partial GraphLayer Block9ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block9ExpandRelu { get; }

    [Conv2d(384, 384, 3, Stride = 1, Padding = 1, Groups = 384, Bias = false, Name = "features.9.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block9Depthwise { get; }

    [BatchNorm2d(384, Name = "features.9.conv.1.1")]
    public partial GraphLayer Block9DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block9DepthwiseRelu { get; }

    [Conv2d(384, 64, 1, Bias = false, Name = "features.9.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block9Project { get; }

    [BatchNorm2d(64, Name = "features.9.conv.3")]
    public partial GraphLayer Block9ProjectBn { get; }

    [Add(nameof(Block8Add))]
    public partial GraphLayer Block9Add { get; }

    // features.10: inverted residual 64 -> 64, expansion 6, stride 1, residual
    [Conv2d(64, 384, 1, Bias = false, Name = "features.10.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block10Expand { get; }

    [BatchNorm2d(384, Name = "features.10.conv.0.1")]
    public partial GraphLayer Block10ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block10ExpandRelu { get; }

    [Conv2d(384, 384, 3, Stride = 1, Padding = 1, Groups = 384, Bias = false, Name = "features.10.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block10Depthwise { get; }

    [BatchNorm2d(384, Name = "features.10.conv.1.1")]
    public partial GraphLayer Block10DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block10DepthwiseRelu { get; }

    [Conv2d(384, 64, 1, Bias = false, Name = "features.10.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block10Project { get; }

    [BatchNorm2d(64, Name = "features.10.conv.3")]
    public partial GraphLayer Block10ProjectBn { get; }

    [Add(nameof(Block9Add))]
    public partial GraphLayer Block10Add { get; }

    // features.11: inverted residual 64 -> 96, expansion 6, stride 1
    [Conv2d(64, 384, 1, Bias = false, Name = "features.11.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block11Expand { get; }

    [BatchNorm2d(384, Name = "features.11.conv.0.1")]
    public partial GraphLayer Block11ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block11ExpandRelu { get; }

    [Conv2d(384, 384, 3, Stride = 1, Padding = 1, Groups = 384, Bias = false, Name = "features.11.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block11Depthwise { get; }

    [BatchNorm2d(384, Name = "features.11.conv.1.1")]
    public partial GraphLayer Block11DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block11DepthwiseRelu { get; }

    [Conv2d(384, 96, 1, Bias = false, Name = "features.11.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block11Project { get; }

    [BatchNorm2d(96, Name = "features.11.conv.3")]
    public partial GraphLayer Block11ProjectBn { get; }

    // features.12: inverted residual 96 -> 96, expansion 6, stride 1, residual
    [Conv2d(96, 576, 1, Bias = false, Name = "features.12.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block12Expand { get; }

    [BatchNorm2d(576, Name = "features.12.conv.0.1")]
    public partial GraphLayer Block12ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block12ExpandRelu { get; }

    [Conv2d(576, 576, 3, Stride = 1, Padding = 1, Groups = 576, Bias = false, Name = "features.12.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block12Depthwise { get; }

    [BatchNorm2d(576, Name = "features.12.conv.1.1")]
    public partial GraphLayer Block12DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block12DepthwiseRelu { get; }

    [Conv2d(576, 96, 1, Bias = false, Name = "features.12.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block12Project { get; }

    [BatchNorm2d(96, Name = "features.12.conv.3")]
    public partial GraphLayer Block12ProjectBn { get; }

    [Add(nameof(Block11ProjectBn))]
    public partial GraphLayer Block12Add { get; }

    // features.13: inverted residual 96 -> 96, expansion 6, stride 1, residual
    [Conv2d(96, 576, 1, Bias = false, Name = "features.13.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block13Expand { get; }

    [BatchNorm2d(576, Name = "features.13.conv.0.1")]
    public partial GraphLayer Block13ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block13ExpandRelu { get; }

    [Conv2d(576, 576, 3, Stride = 1, Padding = 1, Groups = 576, Bias = false, Name = "features.13.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block13Depthwise { get; }

    [BatchNorm2d(576, Name = "features.13.conv.1.1")]
    public partial GraphLayer Block13DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block13DepthwiseRelu { get; }

    [Conv2d(576, 96, 1, Bias = false, Name = "features.13.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block13Project { get; }

    [BatchNorm2d(96, Name = "features.13.conv.3")]
    public partial GraphLayer Block13ProjectBn { get; }

    [Add(nameof(Block12Add))]
    public partial GraphLayer Block13Add { get; }

    // features.14: inverted residual 96 -> 160, expansion 6, stride 2
    [Conv2d(96, 576, 1, Bias = false, Name = "features.14.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block14Expand { get; }

    [BatchNorm2d(576, Name = "features.14.conv.0.1")]
    public partial GraphLayer Block14ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block14ExpandRelu { get; }

    [Conv2d(576, 576, 3, Stride = 2, Padding = 1, Groups = 576, Bias = false, Name = "features.14.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block14Depthwise { get; }

    [BatchNorm2d(576, Name = "features.14.conv.1.1")]
    public partial GraphLayer Block14DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block14DepthwiseRelu { get; }

    [Conv2d(576, 160, 1, Bias = false, Name = "features.14.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block14Project { get; }

    [BatchNorm2d(160, Name = "features.14.conv.3")]
    public partial GraphLayer Block14ProjectBn { get; }

    // features.15: inverted residual 160 -> 160, expansion 6, stride 1, residual
    [Conv2d(160, 960, 1, Bias = false, Name = "features.15.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block15Expand { get; }

    [BatchNorm2d(960, Name = "features.15.conv.0.1")]
    public partial GraphLayer Block15ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block15ExpandRelu { get; }

    [Conv2d(960, 960, 3, Stride = 1, Padding = 1, Groups = 960, Bias = false, Name = "features.15.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block15Depthwise { get; }

    [BatchNorm2d(960, Name = "features.15.conv.1.1")]
    public partial GraphLayer Block15DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block15DepthwiseRelu { get; }

    [Conv2d(960, 160, 1, Bias = false, Name = "features.15.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block15Project { get; }

    [BatchNorm2d(160, Name = "features.15.conv.3")]
    public partial GraphLayer Block15ProjectBn { get; }

    [Add(nameof(Block14ProjectBn))]
    public partial GraphLayer Block15Add { get; }

    // features.16: inverted residual 160 -> 160, expansion 6, stride 1, residual
    [Conv2d(160, 960, 1, Bias = false, Name = "features.16.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block16Expand { get; }

    [BatchNorm2d(960, Name = "features.16.conv.0.1")]
    public partial GraphLayer Block16ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block16ExpandRelu { get; }

    [Conv2d(960, 960, 3, Stride = 1, Padding = 1, Groups = 960, Bias = false, Name = "features.16.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block16Depthwise { get; }

    [BatchNorm2d(960, Name = "features.16.conv.1.1")]
    public partial GraphLayer Block16DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block16DepthwiseRelu { get; }

    [Conv2d(960, 160, 1, Bias = false, Name = "features.16.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block16Project { get; }

    [BatchNorm2d(160, Name = "features.16.conv.3")]
    public partial GraphLayer Block16ProjectBn { get; }

    [Add(nameof(Block15Add))]
    public partial GraphLayer Block16Add { get; }

    // features.17: inverted residual 160 -> 320, expansion 6, stride 1
    [Conv2d(160, 960, 1, Bias = false, Name = "features.17.conv.0.0", Precision = Precision.Int8)]
    public partial GraphLayer Block17Expand { get; }

    [BatchNorm2d(960, Name = "features.17.conv.0.1")]
    public partial GraphLayer Block17ExpandBn { get; }

    [Relu6]
    public partial GraphLayer Block17ExpandRelu { get; }

    [Conv2d(960, 960, 3, Stride = 1, Padding = 1, Groups = 960, Bias = false, Name = "features.17.conv.1.0", Precision = Precision.Int8)]
    public partial GraphLayer Block17Depthwise { get; }

    [BatchNorm2d(960, Name = "features.17.conv.1.1")]
    public partial GraphLayer Block17DepthwiseBn { get; }

    [Relu6]
    public partial GraphLayer Block17DepthwiseRelu { get; }

    [Conv2d(960, 320, 1, Bias = false, Name = "features.17.conv.2", Precision = Precision.Int8)]
    public partial GraphLayer Block17Project { get; }

    [BatchNorm2d(320, Name = "features.17.conv.3")]
    public partial GraphLayer Block17ProjectBn { get; }

    // features.18: 1x1 convolution to 1280 channels, BatchNorm, ReLU6
    [Conv2d(320, 1280, 1, Bias = false, Name = "features.18.0", Precision = Precision.Int8)]
    public partial GraphLayer HeadConv { get; }

    [BatchNorm2d(1280, Name = "features.18.1")]
    public partial GraphLayer HeadBn { get; }

    [Relu6]
    public partial GraphLayer HeadRelu { get; }

    // adaptive_avg_pool2d(x, 1), flatten, classifier
    [GlobalAvgPool]
    public partial GraphLayer Pool { get; }

    [Flatten]
    public partial GraphLayer Flatten { get; }

    [Dropout(0.2, Name = "classifier.0")]
    public partial GraphLayer Dropout { get; }

    [Dense(1280, 1000, Name = "classifier.1", Precision = Precision.Int8)]
    public partial GraphLayer Classifier { get; }
}
