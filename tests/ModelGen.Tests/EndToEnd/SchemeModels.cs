namespace ModelGen.Tests.EndToEnd;

// fashion_mlp declared with each quantization and pruning scheme, as a user would; loaded from the fp32 PyTorch file.

[Model(MaxBatch = 64)]
public sealed partial class MlpInt4
{
    // 784 is not a multiple of 32: rows are padded to 800 with zero weights.
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4Asymmetric, GroupSize = 64)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpCodebook
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Codebook16)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Codebook256)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpStatic
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpSparse
{
    [Dense(784, 256, Activation = Activation.Relu, Pruning = Pruning.Magnitude, Sparsity = 0.5)]
    public partial DenseLayer Hidden { get; }

    // The cost rule would keep int8 dense (faster); stored sparse here to exercise the bitmask layout end to end.
    [Dense(256, 10, Precision = Precision.Int8, Pruning = Pruning.Magnitude, Sparsity = 0.8, SparseStorage = SparseStorage.Sparse)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpTwoOfFour
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8, Pruning = Pruning.TwoOfFour)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Pruning = Pruning.TwoOfFour)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpChannels
{
    [Dense(784, 256, Activation = Activation.Relu, KeepOutputs = 100, ChannelNorm = ChannelNorm.L1)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.BFloat16)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64, ActivationPrecision = Precision.BFloat16)]
public sealed partial class MlpBf16Activations
{
    [Dense(784, 256, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64, ActivationPrecision = Precision.Float16)]
public sealed partial class MlpF16Activations
{
    [Dense(784, 256, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64, ActivationPrecision = Precision.Float16)]
public sealed partial class MlpInt4HalfActivations
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4Asymmetric, GroupSize = 64)]
    public partial DenseLayer Output { get; }
}
