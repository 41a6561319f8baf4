using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// The memory rules of a valid model, from one parse and plan: MG0004 (weights plus activations at MaxBatch over the
/// budget: the <c>MemoryBudget</c> argument, else the project default from the <c>ModelGenMemoryBudget</c> MSBuild
/// property or <c>modelgen_memory_budget</c> in .editorconfig), MG0009 (layer widths that leave vector lanes empty)
/// and MG0011 (the memory figures, at the class, for the IDE's hover). Models with definition errors are left to
/// MG0001-MG0003.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelMemoryAnalyzer : ModelTypeAnalyzer
{
    /// <summary>The .editorconfig key of the default budget.</summary>
    public const string BudgetEditorConfigKey = "modelgen_memory_budget";

    /// <summary>The MSBuild property of the default budget (made visible to the compiler by ModelGen's build props).</summary>
    public const string BudgetBuildPropertyKey = "build_property.ModelGenMemoryBudget";

    /// <summary>The .editorconfig key of MG0009's threshold, a fraction between 0 and 1.</summary>
    public const string PaddingThresholdKey = "modelgen_padding_waste_threshold";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MemoryBudgetExceeded,
        DiagnosticDescriptors.PaddingWaste,
        DiagnosticDescriptors.MemoryReport);

    /// <inheritdoc/>
    private protected override void AnalyzeType(SymbolAnalysisContext context, ModelGenSymbols symbols)
    {
        if (ParseValidModel(context, symbols) is not { } parsed)
        {
            return;
        }

        var options = Options(context);
        var plan = ModelPlanner.Plan(parsed.Spec);
        ReportMemory(context, parsed, plan);
        ReportBudget(context, parsed, plan, options);
        ReportPadding(context, parsed, options);
    }

    private static void ReportMemory(SymbolAnalysisContext context, ParsedModel parsed, ModelPlan plan)
    {
        var spec = parsed.Spec;
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.MemoryReport,
            parsed.Sources.Locate(ProblemTarget.Model(ProblemTargetKind.ModelIdentifier), context.CancellationToken),
            spec.Type.Name,
            Bytes(plan.TotalBytes),
            Bytes(plan.WeightBytes),
            (plan.Float32WeightBytes == 0 ? 100.0 : 100.0 * plan.WeightBytes / plan.Float32WeightBytes).ToString("F1", CultureInfo.InvariantCulture),
            Bytes(plan.Activations.BytesPerSample),
            Bytes(plan.Activations.BlockBytes),
            spec.Options.MaxBatch.ToString(CultureInfo.InvariantCulture)));
    }

    private static void ReportBudget(SymbolAnalysisContext context, ParsedModel parsed, ModelPlan plan, AnalyzerConfigOptions options)
    {
        var spec = parsed.Spec;
        var fromAttribute = spec.Options.MemoryBudget is not null;
        var budgetText = spec.Options.MemoryBudget ?? Value(options, BudgetEditorConfigKey) ?? Value(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions, BudgetBuildPropertyKey);
        if (budgetText is null || !MemoryBudget.TryParse(budgetText, out var budget)
            || MemoryBudgetCheck.Exceeded(spec, plan, budget) is not { } check)
        {
            return;
        }

        var (largestName, largestPrecision) = spec.IsGraph
            ? (spec.GraphLayers[check.LargestLayer].Property.Name, spec.GraphLayers[check.LargestLayer].Precision)
            : (spec.Layers[check.LargestLayer].Property.Name, spec.Layers[check.LargestLayer].Precision);
        var advice = check.LargestFittingBatch > 0
            ? string.Format(CultureInfo.InvariantCulture, "the largest MaxBatch that fits is {0}", check.LargestFittingBatch)
            : string.Format(CultureInfo.InvariantCulture, "no batch fits: the weights alone take {0:N0} bytes; lower the precision of a layer such as '{1}' ({2})",
                check.WeightBlockBytes, largestName, largestPrecision);
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(DiagnosticProperties.LargestFittingBatch, check.LargestFittingBatch.ToString(CultureInfo.InvariantCulture))
            .Add(DiagnosticProperties.LargestLayer, largestName)
            .Add(DiagnosticProperties.LowerPrecision, check.LowerPrecision?.ToString());
        var target = ProblemTarget.Model(fromAttribute ? ProblemTargetKind.MemoryBudget : ProblemTargetKind.ModelAttribute);
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.MemoryBudgetExceeded,
            parsed.Sources.Locate(target, context.CancellationToken),
            properties,
            spec.Type.Name,
            Bytes(check.TotalBytes),
            spec.Options.MaxBatch.ToString(CultureInfo.InvariantCulture),
            Bytes(check.WeightBlockBytes),
            Bytes(check.ActivationBlockBytes),
            budgetText,
            Bytes(budget),
            advice));
    }

    private static void ReportPadding(SymbolAnalysisContext context, ParsedModel parsed, AnalyzerConfigOptions options)
    {
        var threshold = Value(options, PaddingThresholdKey) is { } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var configured) && configured is >= 0 and <= 1
            ? configured
            : PaddingWaste.DefaultThreshold;
        for (var i = 0; i < parsed.Spec.Layers.Count; i++)
        {
            var layer = parsed.Spec.Layers[i];
            ReportPadding(context, parsed, ProblemTarget.Layer(ProblemTargetKind.InFeatures, i), layer.Property.Name,
                ModelPlanner.KeptInFeatures(parsed.Spec.Layers, i), PaddingWaste.Lanes(layer), layer.Precision, threshold, reported: null);
        }

        // A block used twice expands into two layers declared by one member: report the member once.
        var reported = new HashSet<Location>();
        for (var i = 0; i < parsed.Spec.GraphLayers.Count; i++)
        {
            var layer = parsed.Spec.GraphLayers[i];
            if (PaddingWaste.Lanes(layer) is { } lanes)
            {
                ReportPadding(context, parsed, ProblemTarget.GraphLayer(ProblemTargetKind.InFeatures, i), layer.Property.Name,
                    layer.In, lanes, layer.Precision, threshold, reported);
            }
        }
    }

    private static void ReportPadding(SymbolAnalysisContext context, ParsedModel parsed, ProblemTarget target, string layerName,
        int inFeatures, int lanes, LayerPrecision precision, double threshold, HashSet<Location>? reported)
    {
        var waste = PaddingWaste.Fraction(inFeatures, lanes);
        if (waste <= threshold)
        {
            return;
        }

        var location = parsed.Sources.Locate(target, context.CancellationToken);
        if (reported is not null && !reported.Add(location))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.PaddingWaste,
            location,
            layerName,
            inFeatures.ToString(CultureInfo.InvariantCulture),
            lanes.ToString(CultureInfo.InvariantCulture),
            precision.ToString(),
            waste.ToString("P0", CultureInfo.InvariantCulture)));
    }

    // Options in effect where the model is declared (.editorconfig sections apply per file).
    private static AnalyzerConfigOptions Options(SymbolAnalysisContext context)
    {
        var tree = context.Symbol.Locations.FirstOrDefault(static l => l.IsInSource)?.SourceTree;
        return tree is null
            ? context.Options.AnalyzerConfigOptionsProvider.GlobalOptions
            : context.Options.AnalyzerConfigOptionsProvider.GetOptions(tree);
    }

    private static string? Value(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static string Bytes(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
