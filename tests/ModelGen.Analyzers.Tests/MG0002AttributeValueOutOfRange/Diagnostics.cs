namespace ModelGen.Analyzers.Tests.MG0002AttributeValueOutOfRange;

public sealed class Diagnostics
{
    [Fact]
    public async Task ZeroWidth()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [Dense({|MG0002:0|}, 4)] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("InFeatures of layer 'A' is 0; it must be between 1 and 16,777,216", message);
    }

    [Fact]
    public Task NegativeAndOversizedWidths() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model] public partial class M { [Dense({|MG0002:-5|}, {|MG0002:16777217|})] public partial DenseLayer A { get; } }
        """);

    [Fact]
    public async Task MaxBatchMarksTheWholeNamedArgument()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model({|MG0002:MaxBatch = 0|})] public partial class M { [Dense(2, 2)] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("MaxBatch is 0; it must be between 1 and 1,048,576", message);
    }

    [Fact]
    public Task MaxBatchAboveTheLimit() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model(Softmax = true, {|MG0002:MaxBatch = 1048577|})] public partial class M { [Dense(2, 2)] public partial DenseLayer A { get; } }
        """);

    [Fact]
    public async Task UnparsableBudgetShowsTheAcceptedSyntax()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model({|MG0002:MemoryBudget = "4 MeB"|})] public partial class M { [Dense(2, 2)] public partial DenseLayer A { get; } }
            """);

        Assert.Equal(
            "MemoryBudget \"4 MeB\" is not a size; write a number with an optional unit: B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), e.g. \"4 MiB\", \"1.5 GB\", \"512 KB\", \"1048576\"",
            message);
    }

    [Fact]
    public async Task UndefinedEnumValues()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(2, 2, {|MG0002:Activation = (Activation)42|}, {|MG0002:Precision = (Precision)(-1)|})]
                public partial DenseLayer A { get; }
            }
            """);

        Assert.Equal("Activation of layer 'A' is 42, which is not a defined ModelGen.Activation value", diagnostics[0].GetMessage());
        Assert.Equal("Precision of layer 'A' is -1, which is not a defined ModelGen.Precision value", diagnostics[1].GetMessage());
    }

    [Fact]
    public async Task BadTensorNames()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(2, 2, {|MG0002:Name = ""|})] public partial DenseLayer A { get; }
                [Dense(2, 2, {|MG0002:Name = "  "|})] public partial DenseLayer B { get; }
                [Dense(2, 2, {|MG0002:Name = "say \"hi\""|})] public partial DenseLayer C { get; }
                [Dense(2, 2, {|MG0002:Name = "tab\there"|})] public partial DenseLayer D { get; }
            }
            """);

        Assert.Equal("Name of layer 'A' must be a non-blank tensor name without '\"' or control characters; leave it unset to use 'a'", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task LayerOverTwoGiBMarksItsAttribute()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model] public partial class M { [{|MG0002:Dense(16777216, 16777216)|}] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("Layer 'A' has 1,125,899,906,842,624 bytes of Float32 weights; a layer's weights are limited to 2,147,483,647 bytes (2 GiB)", message);
    }

    [Fact]
    public async Task WeightBlockOverTwoGiBMarksTheLayerThatCrossesTheLimit()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model]
            public partial class M
            {
                [Dense(16384, 16384)] public partial DenseLayer A { get; }
                [{|MG0002:Dense(16384, 16384)|}] public partial DenseLayer B { get; }
            }
            """);

        Assert.Equal("The weight block grows to 2,147,614,720 bytes at layer 'B'; a model's weights are limited to 2,147,483,647 bytes (2 GiB)", message);
    }

    [Fact]
    public async Task ActivationBlockOverTwoGiBMarksMaxBatch()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model({|MG0002:MaxBatch = 1048576|})]
            public partial class M
            {
                [Dense(4096, 4096)] public partial DenseLayer A { get; }
                [Dense(4096, 4096)] public partial DenseLayer B { get; }
            }
            """);

        Assert.Equal("At MaxBatch 1,048,576 the activation block needs 17,179,869,184 bytes; it is limited to 2,147,483,647: lower MaxBatch or narrow the layers", message);
    }

    [Fact]
    public async Task ForwardSpansOverIntMaxMarkMaxBatch()
    {
        var message = await AnalyzerHarness.VerifySingleAsync("""
            using ModelGen;
            [Model({|MG0002:MaxBatch = 1048576|})]
            public partial class M { [Dense(4096, 10)] public partial DenseLayer A { get; } }
            """);

        Assert.Equal("At MaxBatch 1,048,576 a Forward input or output of 4,096 features per sample holds 4,294,967,296 floats, more than a span can (2,147,483,647): lower MaxBatch", message);
    }

    [Fact]
    public Task ValuesTheCompilerRejectsAreLeftToIt() => AnalyzerHarness.VerifyAsync("""
        using ModelGen;
        [Model(MaxBatch = "64")] public partial class M { [Dense("2", 2)] public partial DenseLayer A { get; } }
        """);
}
