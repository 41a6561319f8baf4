namespace ModelGen.Analyzers.Tests.MG0013IncompatibleLayerOptions;

public sealed class Diagnostics
{
    [Theory]
    [InlineData("Codebook16")]
    [InlineData("Codebook256")]
    [InlineData("Int4")]
    [InlineData("Float16")]
    public async Task PruningNeedsFloat32OrInt8Values(string precision)
    {
        var message = await AnalyzerHarness.VerifySingleAsync($$"""
            using ModelGen;
            [Model] public partial class M { [Dense(64, 4, Precision = Precision.{{precision}}, {|MG0013:Pruning = Pruning.TwoOfFour|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal(
            $"Layer 'A' combines {precision} weights with TwoOfFour pruning: pruned layers store Float32 or Int8 values (a sparse codebook or int4 layer would spend more on indices than it saves)",
            message);
    }

    [Fact]
    public async Task GroupSizeOffInt4()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(64, 4, {|MG0013:GroupSize = 64|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("GroupSize applies to Int4 and Int4Asymmetric layers, but layer 'A' is Float32: remove GroupSize or use an int4 precision", message);
    }

    [Fact]
    public async Task SparsityWithoutMagnitudePruning()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(64, 4, Pruning = Pruning.TwoOfFour, {|MG0013:Sparsity = 0.5|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("Sparsity needs Pruning = Pruning.Magnitude, but layer 'A' has Pruning TwoOfFour", message);
    }

    [Fact]
    public async Task StaticInputNeedsInt8()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(64, 4, Precision = Precision.Int4, {|MG0013:InputQuantization = InputQuantization.Static|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("InputQuantization.Static on layer 'A' needs Precision.Int8 (its input is quantized to int8), not Int4", message);
    }

    [Fact]
    public async Task StaticInputWithPruning()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(64, 4, Precision = Precision.Int8, Pruning = Pruning.TwoOfFour, {|MG0013:InputQuantization = InputQuantization.Static|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("InputQuantization.Static on layer 'A' cannot combine with TwoOfFour pruning: the sparse int8 kernels quantize their input per row", message);
    }

    [Fact]
    public async Task KeepOutputsOnTheLastLayer()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M
            {
                [Dense(64, 32)] public partial DenseLayer A { get; }
                [Dense(32, 10, {|MG0013:KeepOutputs = 5|})] public partial DenseLayer B { get; }
            }
            """);

        Assert.Equal("KeepOutputs on the last layer 'B' would drop model outputs: channel pruning applies to hidden layers, whose next layer shrinks with them", message);
    }

    [Fact]
    public async Task SparseStorageWithoutMagnitudePruning()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(64, 4, Pruning = Pruning.TwoOfFour, {|MG0013:SparseStorage = SparseStorage.Sparse|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("SparseStorage chooses how magnitude-pruned weights are stored, but layer 'A' has Pruning TwoOfFour", message);
    }
}
