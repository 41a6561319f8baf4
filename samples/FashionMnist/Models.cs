using ModelGen;

namespace FashionMnist;

// The PyTorch-trained MLP (784 -> 256 ReLU -> 10) at four weight precisions. Tensor names follow PyTorch's
// state_dict (`hidden.weight`, `output.bias`, ...): the property names in snake_case.

[Model(MaxBatch = 64, MemoryBudget = "2 MiB")]
public sealed partial class MlpFloat32
{
    [Dense(784, 256, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64, MemoryBudget = "1 MiB")]
public sealed partial class MlpFloat16
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Float16)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Float16)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64, MemoryBudget = "1 MiB")]
public sealed partial class MlpBFloat16
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.BFloat16)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.BFloat16)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64, MemoryBudget = "512 KiB")]
public sealed partial class MlpInt8
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}
