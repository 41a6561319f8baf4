using ModelGen;

namespace FashionMnist;

// The PyTorch-trained convolutional and residual Fashion-MNIST models as graph models (`InputShape` set): layers in
// the order of PyTorch's forward, tensor names from its state_dict. BatchNorm folds into the convolution before it and
// ReLU / GELU fuse into their producers when the weights load.

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 64)]
public sealed partial class CnnFloat32
{
    [Conv2d(1, 16, 3, Padding = 1)]
    public partial GraphLayer Conv1 { get; }

    [BatchNorm2d(16)]
    public partial GraphLayer Bn1 { get; }

    [Relu]
    public partial GraphLayer Relu1 { get; }

    [MaxPool2d(2)]
    public partial GraphLayer Pool1 { get; }

    [Conv2d(16, 32, 3, Padding = 1)]
    public partial GraphLayer Conv2 { get; }

    [BatchNorm2d(32)]
    public partial GraphLayer Bn2 { get; }

    [Relu]
    public partial GraphLayer Relu2 { get; }

    [MaxPool2d(2)]
    public partial GraphLayer Pool2 { get; }

    [Flatten]
    public partial GraphLayer Flatten { get; }

    [Dense(1568, 128, Activation = Activation.Relu)]
    public partial GraphLayer Fc1 { get; }

    [Dense(128, 10)]
    public partial GraphLayer Fc2 { get; }
}

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 64)]
public sealed partial class CnnInt8
{
    [Conv2d(1, 16, 3, Padding = 1, Precision = Precision.Int8)]
    public partial GraphLayer Conv1 { get; }

    [BatchNorm2d(16)]
    public partial GraphLayer Bn1 { get; }

    [Relu]
    public partial GraphLayer Relu1 { get; }

    [MaxPool2d(2)]
    public partial GraphLayer Pool1 { get; }

    [Conv2d(16, 32, 3, Padding = 1, Precision = Precision.Int8)]
    public partial GraphLayer Conv2 { get; }

    [BatchNorm2d(32)]
    public partial GraphLayer Bn2 { get; }

    [Relu]
    public partial GraphLayer Relu2 { get; }

    [MaxPool2d(2)]
    public partial GraphLayer Pool2 { get; }

    [Flatten]
    public partial GraphLayer Flatten { get; }

    [Dense(1568, 128, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial GraphLayer Fc1 { get; }

    [Dense(128, 10, Precision = Precision.Int8)]
    public partial GraphLayer Fc2 { get; }
}

// h = inp(x); h = h + fc_b(gelu(fc_a(norm(h)))); logits = out(norm_out(h))
[Model(InputShape = new[] { 784 }, MaxBatch = 64)]
public sealed partial class ResMlpFloat32
{
    [Dense(784, 128)]
    public partial GraphLayer Inp { get; }

    [LayerNorm(128)]
    public partial GraphLayer Norm { get; }

    [Dense(128, 256)]
    public partial GraphLayer FcA { get; }

    [Gelu]
    public partial GraphLayer Gelu { get; }

    [Dense(256, 128)]
    public partial GraphLayer FcB { get; }

    [Add(nameof(Inp))]
    public partial GraphLayer Residual { get; }

    [LayerNorm(128)]
    public partial GraphLayer NormOut { get; }

    [Dense(128, 10)]
    public partial GraphLayer Out { get; }
}

[Model(InputShape = new[] { 784 }, MaxBatch = 64)]
public sealed partial class ResMlpInt8
{
    [Dense(784, 128, Precision = Precision.Int8)]
    public partial GraphLayer Inp { get; }

    [LayerNorm(128)]
    public partial GraphLayer Norm { get; }

    [Dense(128, 256, Precision = Precision.Int8)]
    public partial GraphLayer FcA { get; }

    [Gelu]
    public partial GraphLayer Gelu { get; }

    [Dense(256, 128, Precision = Precision.Int8)]
    public partial GraphLayer FcB { get; }

    [Add(nameof(Inp))]
    public partial GraphLayer Residual { get; }

    [LayerNorm(128)]
    public partial GraphLayer NormOut { get; }

    [Dense(128, 10, Precision = Precision.Int8)]
    public partial GraphLayer Out { get; }
}
