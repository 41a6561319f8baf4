using ModelGen;

namespace FashionMnist;

// The PyTorch-trained convolutional and residual Fashion-MNIST models as graph models (`InputShape` set). Each
// architecture is written once, as a block (an interface marked [ModelBlock]) in the order of PyTorch's forward with its
// state_dict names, and used by an fp32 and an int8 model (`WeightPrecision`). BatchNorm folds into the convolution
// before it and ReLU / GELU fuse into their producers when the weights load.

/// <summary>fashion_cnn: conv-bn-relu-pool twice, then two dense layers.</summary>
[ModelBlock]
public interface IFashionCnn
{
    [Conv2d(1, 16, 3, Padding = 1)]
    GraphLayer Conv1 { get; }

    [BatchNorm2d(16)]
    GraphLayer Bn1 { get; }

    [Relu]
    GraphLayer Relu1 { get; }

    [MaxPool2d(2)]
    GraphLayer Pool1 { get; }

    [Conv2d(16, 32, 3, Padding = 1)]
    GraphLayer Conv2 { get; }

    [BatchNorm2d(32)]
    GraphLayer Bn2 { get; }

    [Relu]
    GraphLayer Relu2 { get; }

    [MaxPool2d(2)]
    GraphLayer Pool2 { get; }

    [Flatten]
    GraphLayer Flatten { get; }

    [Dense(1568, 128, Activation = Activation.Relu)]
    GraphLayer Fc1 { get; }

    [Dense(128, 10)]
    GraphLayer Fc2 { get; }
}

/// <summary>A pre-norm residual MLP block: <c>x + fc_b(gelu(fc_a(norm(x))))</c>.</summary>
[ModelBlock]
public interface IPreNormResidualMlp
{
    [LayerNorm(128)]
    GraphLayer Norm { get; }

    [Dense(128, 256)]
    GraphLayer FcA { get; }

    [Gelu]
    GraphLayer Gelu { get; }

    [Dense(256, 128)]
    GraphLayer FcB { get; }

    [Add("input")]
    GraphLayer Residual { get; }
}

/// <summary>fashion_resmlp: <c>h = inp(x); h = block(h); logits = out(norm_out(h))</c>.</summary>
[ModelBlock]
public interface IFashionResMlp
{
    [Dense(784, 128)]
    GraphLayer Inp { get; }

    [Block(typeof(IPreNormResidualMlp), Name = "")]
    GraphLayer Block { get; }

    [LayerNorm(128)]
    GraphLayer NormOut { get; }

    [Dense(128, 10)]
    GraphLayer Out { get; }
}

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 64)]
public sealed partial class CnnFloat32
{
    [Block(typeof(IFashionCnn), Name = "")]
    public partial GraphLayer Network { get; }
}

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 64, WeightPrecision = Precision.Int8)]
public sealed partial class CnnInt8
{
    [Block(typeof(IFashionCnn), Name = "")]
    public partial GraphLayer Network { get; }
}

[Model(InputShape = new[] { 784 }, MaxBatch = 64)]
public sealed partial class ResMlpFloat32
{
    [Block(typeof(IFashionResMlp), Name = "")]
    public partial GraphLayer Network { get; }
}

[Model(InputShape = new[] { 784 }, MaxBatch = 64, WeightPrecision = Precision.Int8)]
public sealed partial class ResMlpInt8
{
    [Block(typeof(IFashionResMlp), Name = "")]
    public partial GraphLayer Network { get; }
}

// Static int8 inputs: the same architectures with every Dense and Conv2d layer Int8 and InputQuantization.Static, written
// out layer by layer (a block's layers take the model's WeightPrecision, not an input quantization). The scales come from
// GraphCalibration on training images. fashion_cnn's two convolutions are short (K 9) or on a large plane (K 144 over
// 14 x 14 positions), so they run widened to fp32 and keep fp32 activations: only its Dense layers use their scales.

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 64)]
public sealed partial class CnnInt8Static
{
    [Conv2d(1, 16, 3, Padding = 1, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer Conv1 { get; }

    [BatchNorm2d(16)]
    public partial GraphLayer Bn1 { get; }

    [Relu]
    public partial GraphLayer Relu1 { get; }

    [MaxPool2d(2)]
    public partial GraphLayer Pool1 { get; }

    [Conv2d(16, 32, 3, Padding = 1, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer Conv2 { get; }

    [BatchNorm2d(32)]
    public partial GraphLayer Bn2 { get; }

    [Relu]
    public partial GraphLayer Relu2 { get; }

    [MaxPool2d(2)]
    public partial GraphLayer Pool2 { get; }

    [Flatten]
    public partial GraphLayer Flatten { get; }

    [Dense(1568, 128, Activation = Activation.Relu, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer Fc1 { get; }

    [Dense(128, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer Fc2 { get; }
}

[Model(InputShape = new[] { 784 }, MaxBatch = 64)]
public sealed partial class ResMlpInt8Static
{
    [Dense(784, 128, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer Inp { get; }

    [LayerNorm(128)]
    public partial GraphLayer Norm { get; }

    [Dense(128, 256, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer FcA { get; }

    [Gelu]
    public partial GraphLayer Gelu { get; }

    [Dense(256, 128, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer FcB { get; }

    [Add(nameof(Inp))]
    public partial GraphLayer Residual { get; }

    [LayerNorm(128)]
    public partial GraphLayer NormOut { get; }

    [Dense(128, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial GraphLayer Out { get; }
}
