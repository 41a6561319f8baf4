using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ModelGen.Analyzers.Tests;

/// <summary>Stands for .editorconfig and MSBuild values: the same options for every file and globally.</summary>
internal sealed class TestConfigOptions(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptionsProvider
{
    private readonly Options _options = new(values);

    public override AnalyzerConfigOptions GlobalOptions => _options;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;

    private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
