namespace ModelGen.Tests.EndToEnd;

// fashion_mlp compiled at several MaxBatch values, so tests can check runtime memory arithmetic against the
// generator's constants. The int8 family quantizes its input per row (scratch grows per sample); the int4 family with
// 16-bit activations has fixed per-chunk staging and scratch that grow with MaxBatch only up to 8 rows.

[Model(MaxBatch = 1)]
public sealed partial class MlpInt8Batch1
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 7)]
public sealed partial class MlpInt8Batch7
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 8)]
public sealed partial class MlpInt8Batch8
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 9)]
public sealed partial class MlpInt8Batch9
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 100)]
public sealed partial class MlpInt8Batch100
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int8)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int8)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 5)]
public sealed partial class MlpF32Batch5
{
    [Dense(784, 256, Activation = Activation.Relu)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 1, ActivationPrecision = Precision.Float16)]
public sealed partial class MlpInt4HalfBatch1
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4Asymmetric, GroupSize = 64)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 3, ActivationPrecision = Precision.Float16)]
public sealed partial class MlpInt4HalfBatch3
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4Asymmetric, GroupSize = 64)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 8, ActivationPrecision = Precision.Float16)]
public sealed partial class MlpInt4HalfBatch8
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4Asymmetric, GroupSize = 64)]
    public partial DenseLayer Output { get; }
}

[Model(MaxBatch = 20, ActivationPrecision = Precision.Float16)]
public sealed partial class MlpInt4HalfBatch20
{
    [Dense(784, 256, Activation = Activation.Relu, Precision = Precision.Int4, GroupSize = 32)]
    public partial DenseLayer Hidden { get; }

    [Dense(256, 10, Precision = Precision.Int4Asymmetric, GroupSize = 64)]
    public partial DenseLayer Output { get; }
}
