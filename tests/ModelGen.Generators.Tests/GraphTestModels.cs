namespace ModelGen.Generators.Tests;

/// <summary>Representative graph models, each with a checked-in baseline of its generated file.</summary>
internal static class GraphTestModels
{
    public const string FashionCnn = """
        using ModelGen;

        namespace Demo;

        [Model(InputShape = new[] { 1, 28, 28 }, MaxBatch = 64)]
        public sealed partial class FashionCnn
        {
            [Conv2d(1, 16, 3, Padding = 1, Bias = false)] public partial GraphLayer Conv1 { get; }
            [BatchNorm2d(16)] public partial GraphLayer Bn1 { get; }
            [Relu] public partial GraphLayer Relu1 { get; }
            [MaxPool2d(2)] public partial GraphLayer Pool1 { get; }
            [Conv2d(16, 32, 3, Padding = 1, Bias = false)] public partial GraphLayer Conv2 { get; }
            [BatchNorm2d(32)] public partial GraphLayer Bn2 { get; }
            [Relu] public partial GraphLayer Relu2 { get; }
            [MaxPool2d(2)] public partial GraphLayer Pool2 { get; }
            [Flatten] public partial GraphLayer Flatten { get; }
            [Dense(32 * 7 * 7, 128)] public partial GraphLayer Fc1 { get; }
            [Relu] public partial GraphLayer Relu3 { get; }
            [Dense(128, 10)] public partial GraphLayer Fc2 { get; }
        }
        """;

    public const string ResMlp = """
        using ModelGen;

        namespace Demo;

        [Model(InputShape = new[] { 784 }, MaxBatch = 32, Softmax = true, MemoryBudget = "4 MiB")]
        internal sealed partial class ResMlp
        {
            [Dense(784, 256)] public partial GraphLayer Inp { get; }
            [LayerNorm(256)] public partial GraphLayer Norm { get; }
            [Dense(256, 512, Name = "block.fc_a")] public partial GraphLayer FcA { get; }
            [Gelu] public partial GraphLayer Gelu { get; }
            [Dense(512, 256, Precision = Precision.Float16, Name = "block.fc_b")] public partial GraphLayer FcB { get; }
            [Add(nameof(Inp))] public partial GraphLayer Residual { get; }
            [LayerNorm(256, Epsilon = 1e-6)] public partial GraphLayer NormOut { get; }
            [Dense(256, 10)] public partial GraphLayer Out { get; }
        }
        """;

    public const string Int8Cnn = """
        using ModelGen;

        namespace Demo.Vision;

        [Model(InputShape = new[] { 3, 32, 32 }, MaxBatch = 8)]
        public partial class Int8Cnn
        {
            [Conv2d(3, 16, 3, Stride = 2, Padding = 1, Bias = false, Precision = Precision.Int8, Name = "features.0.0")] public partial GraphLayer Stem { get; }
            [BatchNorm2d(16, Name = "features.0.1")] public partial GraphLayer StemBn { get; }
            [Relu6] public partial GraphLayer StemAct { get; }
            [Conv2d(16, 16, 3, Padding = 1, Groups = 16, Bias = false, Precision = Precision.Int8)] public partial GraphLayer Dw { get; }
            [BatchNorm2d(16)] public partial GraphLayer DwBn { get; }
            [Relu6] public partial GraphLayer DwAct { get; }
            [Conv2d(16, 16, 1, Bias = false, Precision = Precision.BFloat16)] public partial GraphLayer Pw { get; }
            [BatchNorm2d(16)] public partial GraphLayer PwBn { get; }
            [Add(nameof(StemAct))] public partial GraphLayer Residual { get; }
            [BatchNorm2d(16)] public partial GraphLayer PostBn { get; }
            [Relu] public partial GraphLayer PostAct { get; }
            [AvgPool2d(2, Stride = 2)] public partial GraphLayer Pool { get; }
            [GlobalAvgPool] public partial GraphLayer Gap { get; }
            [Flatten] public partial GraphLayer Flat { get; }
            [Dropout(0.2)] public partial GraphLayer Drop { get; }
            [Dense(16, 10, Precision = Precision.Int8)] public partial GraphLayer Head { get; }
        }
        """;

    /// <summary>Static int8 inputs: a stem convolution that runs widened (K 27, its scale unused), one on the int8 GEMM, a Dense.</summary>
    public const string StaticInt8Cnn = """
        using ModelGen;

        namespace Demo.Vision;

        [Model(InputShape = new[] { 3, 8, 8 }, MaxBatch = 4)]
        public partial class StaticInt8Cnn
        {
            [Conv2d(3, 16, 3, Padding = 1, Precision = Precision.Int8, InputQuantization = InputQuantization.Static, Activation = Activation.Relu)] public partial GraphLayer Stem { get; }
            [MaxPool2d(2)] public partial GraphLayer Pool { get; }
            [Conv2d(16, 32, 3, Padding = 1, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Body { get; }
            [Relu] public partial GraphLayer BodyAct { get; }
            [GlobalAvgPool] public partial GraphLayer Gap { get; }
            [Flatten] public partial GraphLayer Flat { get; }
            [Dense(32, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Head { get; }
        }
        """;

    public static string? Source(string name) => name switch
    {
        nameof(StaticInt8Cnn) => StaticInt8Cnn,
        nameof(FashionCnn) => FashionCnn,
        nameof(ResMlp) => ResMlp,
        nameof(Int8Cnn) => Int8Cnn,
        _ => null,
    };
}
