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
