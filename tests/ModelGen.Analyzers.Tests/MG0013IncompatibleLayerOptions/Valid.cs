namespace ModelGen.Analyzers.Tests.MG0013IncompatibleLayerOptions;

public sealed class Valid
{
    [Fact]
    public Task CombinationsThatExist() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model] public partial class M
        {
            [Dense(512, 256, Precision = Precision.Int8, Pruning = Pruning.Magnitude, Sparsity = 0.8, KeepOutputs = 128)] public partial DenseLayer A { get; }
            [Dense(256, 64, Precision = Precision.Int4, GroupSize = 64, KeepOutputs = 32)] public partial DenseLayer B { get; }
            [Dense(64, 32, Precision = Precision.Float32, Pruning = Pruning.TwoOfFour)] public partial DenseLayer C { get; }
            [Dense(32, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial DenseLayer D { get; }
        }
        """);

    [Fact]
    public Task StaticInputsOnInt8GraphLayers() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model(InputShape = new[] { 1, 8, 8 })] public partial class M
        {
            [Conv2d(1, 4, 3, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer C { get; }
            [Flatten] public partial GraphLayer F { get; }
            [Dense(144, 10, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial GraphLayer Fc { get; }
        }
        """);
}
