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

// The quantization and pruning schemes on the same PyTorch weights, each applied when the fp32 file loads.

[Model(MaxBatch = 64)]
public sealed partial class MlpInt8Static
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial DenseLayer Output { get; }
}

// 784 is not a whole number of groups: the hidden layer's rows are padded with zero weights.
[Model(MaxBatch = 64)]
public sealed partial class MlpInt4G32
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpInt4G64
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 64)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4, GroupSize = 64)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpInt4G128
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 128)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4, GroupSize = 128)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpCodebook16
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Codebook16)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Codebook16)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpCodebook256
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Codebook256)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Codebook256)]
    public partial DenseLayer Output { get; }
}

// One-shot magnitude pruning of the hidden layer (99% of the weights), no fine-tuning; the 10-class output layer stays
// dense. SparseStorage.Auto: stored sparse only where the sparse kernel is faster (for this layer: from 95%).
[Model(MaxBatch = 64)]
public sealed partial class MlpSparse50
{
    [Dense(784, 256, Activation = Activation.Relu, Pruning = Pruning.Magnitude, Sparsity = 0.5)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpSparse80
{
    [Dense(784, 256, Activation = Activation.Relu, Pruning = Pruning.Magnitude, Sparsity = 0.8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpSparse90
{
    [Dense(784, 256, Activation = Activation.Relu, Pruning = Pruning.Magnitude, Sparsity = 0.9)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpTwoOfFour
{
    [Dense(784, 256, Activation = Activation.Relu, Pruning = Pruning.TwoOfFour)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

// Keeps the 128 hidden neurons with the largest L2 norm; the output layer reads only those.
[Model(MaxBatch = 64)]
public sealed partial class MlpChannels50
{
    [Dense(784, 256, Activation = Activation.Relu, KeepOutputs = 128)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

// The smallest configuration: int8 values stored sparse (a bitmask per row) even though the sparse int8 kernel is
// slower than the dense one on AVX2 (SparseStorage.Sparse overrides the cost rule: memory over speed).
[Model(MaxBatch = 64)]
public sealed partial class MlpInt8Sparse80
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8, Pruning = Pruning.Magnitude, Sparsity = 0.8,
        SparseStorage = SparseStorage.Sparse)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}
