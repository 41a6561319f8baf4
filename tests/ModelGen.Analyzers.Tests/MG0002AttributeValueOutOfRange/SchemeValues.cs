namespace ModelGen.Analyzers.Tests.MG0002AttributeValueOutOfRange;

/// <summary>MG0002 on the quantization and pruning arguments.</summary>
public sealed class SchemeValues
{
    [Fact]
    public async Task GroupSizeNotSupported()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(96, 4, Precision = Precision.Int4, {|MG0002:GroupSize = 48|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("GroupSize of layer 'A' is 48; it must be 32, 64 or 128", message);
    }

    [Fact]
    public Task GroupSizeNeedNotDivideTheInputWidth() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model] public partial class M { [Dense(784, 4, Precision = Precision.Int4Asymmetric, GroupSize = 128)] public partial DenseLayer A { get; } }
        """);

    [Theory]
    [InlineData("1.0")]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("double.NaN")]
    public async Task SparsityOutsideTheOpenUnitInterval(string sparsity)
    {
        var message = await AnalyzerHarness.VerifySingleAsync($$"""
            using ModelGen;
            [Model] public partial class M { [Dense(8, 4, Pruning = Pruning.Magnitude, {|MG0002:Sparsity = {{sparsity}}|})] public partial DenseLayer A { get; } }
            """);

        Assert.StartsWith("Sparsity of layer 'A' is ", message);
        Assert.EndsWith("; it must be greater than 0 and less than 1 (the share of each row's weights to remove)", message);
    }

    [Fact]
    public async Task MagnitudePruningNeedsASparsity()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(8, 4, {|MG0002:Pruning = Pruning.Magnitude|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("Pruning.Magnitude on layer 'A' needs Sparsity, the share of each row to remove (e.g. Sparsity = 0.8)", message);
    }

    [Fact]
    public async Task KeepOutputsAboveTheWidth()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M
            {
                [Dense(8, 4, {|MG0002:KeepOutputs = 5|})] public partial DenseLayer A { get; }
                [Dense(4, 2)] public partial DenseLayer B { get; }
            }
            """);

        Assert.Equal("KeepOutputs of layer 'A' is 5; it must be between 1 and its 4 output features (0 keeps all)", message);
    }

    [Fact]
    public async Task Float32SparseRowsIndexAtMost65536Columns()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense(70000, 2, Pruning = Pruning.Magnitude, Sparsity = 0.5, {|MG0002:SparseStorage = SparseStorage.Sparse|})] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("Layer 'A' would store 70000 inputs sparse, but fp32 sparse rows index at most 65536 columns (16-bit): set SparseStorage = SparseStorage.Dense or use Precision.Int8", message);
    }

    [Fact]
    public async Task ActivationsAreStoredInFloatPrecisions()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model({|MG0002:ActivationPrecision = Precision.Int8|})] public partial class M { [Dense(8, 4)] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("ActivationPrecision is Int8; activations are stored as Float32, Float16 or BFloat16", message);
    }

    [Fact]
    public Task UndefinedSchemeEnums() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model] public partial class M
        {
            [Dense(8, 4, {|MG0002:Pruning = (Pruning)7|}, {|MG0002:ChannelNorm = (ChannelNorm)3|}, {|MG0002:InputQuantization = (InputQuantization)2|})]
            public partial DenseLayer A { get; }
        }
        """);

    [Fact]
    public Task EverySchemeInRange() => AnalyzerHarness.VerifyValidAsync("""
        using ModelGen;
        [Model] public partial class M
        {
            [Dense(256, 128, Precision = Precision.Int4, GroupSize = 128, KeepOutputs = 100, ChannelNorm = ChannelNorm.L1)] public partial DenseLayer A { get; }
            [Dense(128, 64, Precision = Precision.Int8, Pruning = Pruning.Magnitude, Sparsity = 0.9)] public partial DenseLayer B { get; }
            [Dense(64, 32, Pruning = Pruning.TwoOfFour)] public partial DenseLayer C { get; }
            [Dense(32, 16, Precision = Precision.Int8, InputQuantization = InputQuantization.Static)] public partial DenseLayer D { get; }
            [Dense(16, 8, Precision = Precision.Codebook16)] public partial DenseLayer E { get; }
            [Dense(8, 4, Precision = Precision.Codebook256)] public partial DenseLayer F { get; }
        }
        """);
}
