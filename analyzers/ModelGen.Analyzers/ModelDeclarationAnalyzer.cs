using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// Reports why a <c>[Model]</c> class cannot be generated (MG0001-MG0003, MG0013, MG0014). Runs the generator's own parser and
/// validator, so a model is reported exactly when the generator skips it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelDeclarationAnalyzer : ModelTypeAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.LayerShapeMismatch,
        DiagnosticDescriptors.AttributeValueOutOfRange,
        DiagnosticDescriptors.InvalidModelDeclaration,
        DiagnosticDescriptors.IncompatibleLayerOptions,
        DiagnosticDescriptors.GraphShapeMismatch);

    /// <inheritdoc/>
    private protected override void AnalyzeType(SymbolAnalysisContext context, ModelGenSymbols symbols)
    {
        if (ModelParser.Parse((INamedTypeSymbol)context.Symbol, symbols, context.CancellationToken) is not { } parsed)
        {
            return;
        }

        foreach (var problem in ModelValidator.Validate(parsed.Spec))
        {
            var location = parsed.Sources.Locate(problem.Target, context.CancellationToken);
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.For(problem.Rule), location, FixProperties(parsed.Spec, problem), problem.MessageArgs.ToArray<object>()));
        }
    }

    // What a code fix needs to know and cannot cheaply recompute: for MG0001, the width the layer should take.
    private static ImmutableDictionary<string, string?>? FixProperties(ModelSpec spec, ModelProblem problem) =>
        problem.Rule == ModelRule.LayerShapeMismatch && problem.Target.LayerIndex > 0 && !problem.Target.InGraph
            ? ImmutableDictionary<string, string?>.Empty.Add(
                DiagnosticProperties.ExpectedInFeatures,
                spec.Layers[problem.Target.LayerIndex - 1].OutFeatures.ToString(CultureInfo.InvariantCulture))
            : null;
}
