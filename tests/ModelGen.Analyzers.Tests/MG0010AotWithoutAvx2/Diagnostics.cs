namespace ModelGen.Analyzers.Tests.MG0010AotWithoutAvx2;

public sealed class Diagnostics
{
    private const string Model = """
        using ModelGen;
        [Model]
        public partial class {|MG0010:M|}
        {
            [Dense(64, 8)]
            public partial DenseLayer A { get; }
        }
        """;

    private static Dictionary<string, string> Publish(string rid, string? instructionSet = null)
    {
        var options = new Dictionary<string, string>
        {
            [SlowPathAnalyzer.PublishAotKey] = "true",
            [SlowPathAnalyzer.RuntimeIdentifierKey] = rid,
        };
        if (instructionSet is not null)
        {
            options[SlowPathAnalyzer.InstructionSetKey] = instructionSet;
        }

        return options;
    }

    [Fact]
    public async Task AotForX64WithoutAnInstructionSetIsReportedAtTheModel()
    {
        var message = await AnalyzerHarness.VerifySingleAsync(Model, Publish("linux-x64"));
        Assert.StartsWith("'M' is published with NativeAOT for x64 without an instruction set that includes AVX2", message);
    }

    [Theory]
    [InlineData("linux-x64", "x86-64-v3")]
    [InlineData("win-x64", "native")]
    [InlineData("linux-x64", "avx2,bmi,lzcnt")]
    [InlineData("linux-arm64", null)]
    public Task AnInstructionSetWithAvx2OrAnotherArchitectureIsFine(string rid, string? instructionSet) =>
        AnalyzerHarness.VerifyAsync(Model.Replace("{|MG0010:M|}", "M"), Publish(rid, instructionSet));

    [Fact]
    public Task WithoutAotNothingIsReported() => AnalyzerHarness.VerifyAsync(
        Model.Replace("{|MG0010:M|}", "M"),
        new Dictionary<string, string> { [SlowPathAnalyzer.RuntimeIdentifierKey] = "linux-x64" });
}
