namespace ModelGen.Tests.EndToEnd;

// fashion_cnn and fashion_resmlp as generated graph models: each architecture once, as a block, at two precisions.

[ModelBlock]
public interface ITestFashionCnn
{
    [Conv2d(1, 16, 3, Padding = 1)] GraphLayer Conv1 { get; }
    [BatchNorm2d(16)] GraphLayer Bn1 { get; }
    [Relu] GraphLayer Relu1 { get; }
    [MaxPool2d(2)] GraphLayer Pool1 { get; }
    [Conv2d(16, 32, 3, Padding = 1)] GraphLayer Conv2 { get; }
    [BatchNorm2d(32)] GraphLayer Bn2 { get; }
    [Relu] GraphLayer Relu2 { get; }
    [MaxPool2d(2)] GraphLayer Pool2 { get; }
    [Flatten] GraphLayer Flatten { get; }
    [Dense(1568, 128, Activation = Activation.Relu)] GraphLayer Fc1 { get; }
    [Dense(128, 10)] GraphLayer Fc2 { get; }
}

[ModelBlock]
public interface ITestPreNormMlp
{
    [LayerNorm(128)] GraphLayer Norm { get; }
    [Dense(128, 256)] GraphLayer FcA { get; }
    [Gelu] GraphLayer Gelu { get; }
    [Dense(256, 128)] GraphLayer FcB { get; }
    [Add("input")] GraphLayer Residual { get; }
}

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 16)]
public sealed partial class GraphCnnFloat32
{
    [Block(typeof(ITestFashionCnn), Name = "")] public partial GraphLayer Network { get; }
}

[Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 16, WeightPrecision = Precision.Int8)]
public sealed partial class GraphCnnInt8
{
    [Block(typeof(ITestFashionCnn), Name = "")] public partial GraphLayer Network { get; }
}

[Model(InputShape = new[] { 784 }, MaxBatch = 16)]
public sealed partial class GraphResMlpFloat32
{
    [Dense(784, 128)] public partial GraphLayer Inp { get; }
    [Block(typeof(ITestPreNormMlp), Name = "")] public partial GraphLayer Block { get; }
    [LayerNorm(128)] public partial GraphLayer NormOut { get; }
    [Dense(128, 10)] public partial GraphLayer Out { get; }
}

[Model(InputShape = new[] { 784 }, MaxBatch = 16, WeightPrecision = Precision.Int8)]
public sealed partial class GraphResMlpInt8
{
    [Dense(784, 128)] public partial GraphLayer Inp { get; }
    [Block(typeof(ITestPreNormMlp), Name = "")] public partial GraphLayer Block { get; }
    [LayerNorm(128)] public partial GraphLayer NormOut { get; }
    [Dense(128, 10)] public partial GraphLayer Out { get; }
}
