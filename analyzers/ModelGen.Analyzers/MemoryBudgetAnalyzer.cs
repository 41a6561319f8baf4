using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// MG0004: a model's weights plus its activations at MaxBatch exceed its memory budget: the <c>MemoryBudget</c>
/// argument, else the project default (<c>ModelGenMemoryBudget</c> MSBuild property, or
/// <c>modelgen_memory_budget</c> in .editorconfig). Only valid models are checked; MG0001-MG0003 come first.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MemoryBudgetAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The .editorconfig key of the default budget.</summary>
    public const string EditorConfigKey = "modelgen_memory_budget";

    /// <summary>The MSBuild property of the default budget (made visible to the compiler by ModelGen's build props).</summary>
    public const string BuildPropertyKey = "build_property.ModelGenMemoryBudget";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.MemoryBudgetExceeded);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (ModelGenSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, symbols), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, ModelGenSymbols symbols)
    {
        if (ModelParser.Parse((INamedTypeSymbol)context.Symbol, symbols, context.CancellationToken) is not { } parsed
            || parsed.Spec.HasBindingErrors
            || !ModelValidator.Validate(parsed.Spec).IsEmpty)
        {
            return;
        }

        var spec = parsed.Spec;
        var fromAttribute = spec.Options.MemoryBudget is not null;
        var budgetText = spec.Options.MemoryBudget ?? DefaultBudget(context);
        if (budgetText is null || !MemoryBudget.TryParse(budgetText, out var budget)
            || MemoryBudgetCheck.Exceeded(spec, budget) is not { } check)
        {
            return;
        }

        var largest = spec.Layers[check.LargestLayer];
        var advice = check.LargestFittingBatch > 0
            ? string.Format(CultureInfo.InvariantCulture, "the largest MaxBatch that fits is {0}", check.LargestFittingBatch)
            : string.Format(CultureInfo.InvariantCulture, "no batch fits: the weights alone take {0:N0} bytes; lower the precision of a layer such as '{1}' ({2})",
                check.WeightBlockBytes, largest.Property.Name, largest.Precision);
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(DiagnosticProperties.LargestFittingBatch, check.LargestFittingBatch.ToString(CultureInfo.InvariantCulture))
            .Add(DiagnosticProperties.LargestLayer, largest.Property.Name)
            .Add(DiagnosticProperties.LowerPrecision, check.LowerPrecision?.ToString());
        var target = ProblemTarget.Model(fromAttribute ? ProblemTargetKind.MemoryBudget : ProblemTargetKind.ModelAttribute);
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.MemoryBudgetExceeded,
            parsed.Sources.Locate(target, context.CancellationToken),
            properties,
            spec.Type.Name,
            check.TotalBytes.ToString("N0", CultureInfo.InvariantCulture),
            spec.Options.MaxBatch.ToString(CultureInfo.InvariantCulture),
            check.WeightBlockBytes.ToString("N0", CultureInfo.InvariantCulture),
            check.ActivationBlockBytes.ToString("N0", CultureInfo.InvariantCulture),
            budgetText,
            budget.ToString("N0", CultureInfo.InvariantCulture),
            advice));
    }

    // The project default, read where the model is declared: .editorconfig first, then the MSBuild property.
    private static string? DefaultBudget(SymbolAnalysisContext context)
    {
        var tree = context.Symbol.Locations.FirstOrDefault(static l => l.IsInSource)?.SourceTree;
        var options = tree is null
            ? context.Options.AnalyzerConfigOptionsProvider.GlobalOptions
            : context.Options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        if (options.TryGetValue(EditorConfigKey, out var value) && !string.IsNullOrWhiteSpace(value))
        {
            return value.Trim();
        }

        return context.Options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(BuildPropertyKey, out value)
            && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
    }
}
