using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// Build settings and precisions that send a valid model's kernels down a slow path: MG0010, a NativeAOT publish for
/// x64 without an instruction set that includes AVX2 (NativeAOT compiles for a baseline without AVX2 unless told, so
/// the AVX2 kernels are never used); MG0012, Float16 layers (Dense, graph Dense and Conv2d), whose weights .NET 10 can
/// only widen in software.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SlowPathAnalyzer : ModelTypeAnalyzer
{
    /// <summary>MSBuild properties the analyzer reads (made visible to the compiler by ModelGen's build props).</summary>
    public const string PublishAotKey = "build_property.PublishAot", InstructionSetKey = "build_property.IlcInstructionSet",
        RuntimeIdentifierKey = "build_property.RuntimeIdentifier";

    // Instruction-set names that include AVX2 (NativeAOT's IlcInstructionSet accepts levels and feature lists).
    private static readonly string[] s_avx2Sets = ["native", "x86-64-v3", "x86-x64-v3", "x86-64-v4", "x86-x64-v4", "avx2"];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.AotWithoutAvx2, DiagnosticDescriptors.SoftwareHalfConversion);

    /// <inheritdoc/>
    private protected override void AnalyzeType(SymbolAnalysisContext context, ModelGenSymbols symbols)
    {
        if (ParseValidModel(context, symbols) is not { } parsed)
        {
            return;
        }

        var options = context.Options.AnalyzerConfigOptionsProvider.GlobalOptions;
        if (IsAotForX64WithoutAvx2(options))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.AotWithoutAvx2,
                parsed.Sources.Locate(ProblemTarget.Model(ProblemTargetKind.ModelIdentifier), context.CancellationToken),
                parsed.Spec.Type.Name));
        }

        for (var i = 0; i < parsed.Spec.Layers.Count; i++)
        {
            if (parsed.Spec.Layers[i].Precision == LayerPrecision.Float16)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.SoftwareHalfConversion,
                    parsed.Sources.Locate(ProblemTarget.Layer(ProblemTargetKind.Precision, i), context.CancellationToken),
                    parsed.Spec.Layers[i].Property.Name));
            }
        }

        // Graph Dense and Conv2d layers widen Float16 weights the same way. A block used twice expands into two layers
        // declared by one member: report the member once.
        var reported = new HashSet<Location>();
        for (var i = 0; i < parsed.Spec.GraphLayers.Count; i++)
        {
            var layer = parsed.Spec.GraphLayers[i];
            if (layer.HasWeightPrecision && layer.Precision == LayerPrecision.Float16
                && parsed.Sources.Locate(ProblemTarget.GraphLayer(ProblemTargetKind.Precision, i), context.CancellationToken) is var location
                && reported.Add(location))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SoftwareHalfConversion, location, layer.Property.Name));
            }
        }
    }

    private static bool IsAotForX64WithoutAvx2(AnalyzerConfigOptions options)
    {
        if (!options.TryGetValue(PublishAotKey, out var aot) || !string.Equals(aot.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Without a runtime identifier the target architecture is not known at build time: report only for x64.
        options.TryGetValue(RuntimeIdentifierKey, out var rid);
        if (rid is null || !rid.EndsWith("-x64", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        options.TryGetValue(InstructionSetKey, out var sets);
        var requested = (sets ?? string.Empty).Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries);
        return !requested.Any(set => s_avx2Sets.Contains(set.Trim().ToLowerInvariant()));
    }
}
