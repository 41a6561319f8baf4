using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Analyzers.Tests;

/// <summary>
/// Applies a code fix to the first diagnostic it fixes in a source, in an in-memory workspace, and returns the new
/// source. The caller then checks the result compiles and the analyzer is silent on it.
/// </summary>
internal static class CodeFixHarness
{
    /// <summary>Applies the fix whose title starts with <paramref name="title"/> (the only one when null).</summary>
    public static async Task<string> ApplyAsync(CodeFixProvider provider, string source, string? title = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var workspace = new AdhocWorkspace();
        var (document, actions) = await FirstDiagnosticActionsAsync(workspace, provider, source);
        var action = title is null ? Assert.Single(actions) : Assert.Single(actions, a => a.Title.StartsWith(title, StringComparison.Ordinal));
        var operations = await action.GetOperationsAsync(cancellationToken);
        var changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        var text = await changed.GetDocument(document.Id)!.GetTextAsync(cancellationToken);
        return text.ToString();
    }

    /// <summary>The titles of the fixes offered for the first diagnostic the provider fixes (which must exist).</summary>
    public static async Task<IReadOnlyList<string>> TitlesAsync(CodeFixProvider provider, string source)
    {
        using var workspace = new AdhocWorkspace();
        var (_, actions) = await FirstDiagnosticActionsAsync(workspace, provider, source);
        return actions.Select(a => a.Title).ToList();
    }

    /// <summary>The titles of the fixes offered for every diagnostic <paramref name="provider"/> fixes in a source.</summary>
    public static async Task<List<string>> ActionsAsync(CodeFixProvider provider, string source)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var (diagnostics, _) = await AnalyzerHarness.AnalyzeAsync(source);
        using var workspace = new AdhocWorkspace();
        var document = AddDocument(workspace, source);
        var titles = new List<string>();
        foreach (var diagnostic in diagnostics.Where(d => provider.FixableDiagnosticIds.Contains(d.Id)))
        {
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => titles.Add(action.Title), cancellationToken));
        }

        return titles;
    }

    private static async Task<(Document Document, List<CodeAction> Actions)> FirstDiagnosticActionsAsync(
        AdhocWorkspace workspace, CodeFixProvider provider, string source)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var (diagnostics, _) = await AnalyzerHarness.AnalyzeAsync(source);
        var diagnostic = diagnostics.First(d => provider.FixableDiagnosticIds.Contains(d.Id));
        var document = AddDocument(workspace, source);
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken));
        return (document, actions);
    }

    private static Document AddDocument(AdhocWorkspace workspace, string source) =>
        workspace.AddProject("Fix", LanguageNames.CSharp)
            .WithMetadataReferences([.. Net100.References.All, MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location)])
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable))
            .AddDocument("Test.cs", source);
}
