namespace ModelGen.Tests.EndToEnd;

// The PyTorch-trained fashion_mlp (784 -> 256 ReLU -> 10) declared at each precision, as a user would.

[Model(MaxBatch = 64)]
public sealed partial class MlpF32
{
    [Dense(784, 256, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpF16
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Float16)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Float16)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpBF16
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.BFloat16)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.BFloat16)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 64)]
public sealed partial class MlpInt8
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}

/// <summary>Mixed precisions, softmax output and explicit tensor names, over the same weights.</summary>
[Model(MaxBatch = 8, Softmax = true)]
public sealed partial class MlpMixedSoftmax
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8, Name = "hidden")]
    public partial DenseLayer First { get; }

    [Dense(256, 10, Precision = Precision.Float16, Name = "output")]
    public partial DenseLayer Second { get; }
}

/// <summary>fp32 with room for batch 128, for splitting a full batch over threads.</summary>
[Model(MaxBatch = 128)]
public sealed partial class MlpF32Batch128
{
    [Dense(784, 256, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

/// <summary>int8 with room for batch 128, for splitting a full batch over threads.</summary>
[Model(MaxBatch = 128)]
public sealed partial class MlpInt8Batch128
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}

// Declared from GlobalSparsity.Plan(fashion_mlp, MlpF32.Layers, 0.8) (GlobalSparsityTests checks the values still match):
// one magnitude threshold over both layers prunes 80.2% of the hidden weights and 62.5% of the output ones.
[Model(MaxBatch = 64)]
public sealed partial class MlpGlobalSparse80
{
    [Dense(784, 256, Activation = Activation.Relu, Pruning = Pruning.Magnitude, Sparsity = 0.8023)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Pruning = Pruning.Magnitude, Sparsity = 0.625)]
    public partial DenseLayer Output { get; }
}
