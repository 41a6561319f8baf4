using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// Base of the analyzers that look at model classes: resolves the ModelGen types once per compilation, stays silent
/// when ModelGen is not referenced, and hands each named type with those symbols to <see cref="AnalyzeType"/>.
/// </summary>
public abstract class ModelTypeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (ModelGenSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, symbols), SymbolKind.NamedType);
        });
    }

    /// <summary>Analyzes one named type of a compilation that references ModelGen.</summary>
    private protected abstract void AnalyzeType(SymbolAnalysisContext context, ModelGenSymbols symbols);

    /// <summary>
    /// The model the analyzed type declares, when it is one the generator generates (bound, and without the problems
    /// MG0001-MG0003 report); otherwise null. The rules about valid models start here.
    /// </summary>
    private protected static ParsedModel? ParseValidModel(SymbolAnalysisContext context, ModelGenSymbols symbols) =>
        ModelParser.Parse((INamedTypeSymbol)context.Symbol, symbols, context.CancellationToken) is { } parsed
        && !parsed.Spec.HasBindingErrors
        && ModelValidator.Validate(parsed.Spec).IsEmpty
            ? parsed
            : null;
}
