using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using ModelGen.Generators.Model;

namespace ModelGen.Analyzers;

/// <summary>
/// MG0005: <c>Forward</c> on a generated model called with a batch the compiler knows (a literal, a constant, a
/// constant expression) above the model's MaxBatch. The call would throw <see cref="System.ArgumentOutOfRangeException"/>
/// at run time; the code fix calls <c>ForwardInBatches</c>, which splits the work into micro-batches.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OversizedBatchAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.OversizedBatch);

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

            start.RegisterOperationAction(operation => AnalyzeInvocation(operation, symbols), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, ModelGenSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name != "Forward" || method.IsStatic || method.Parameters.Length != 3
            || MaxBatchOf(method.ContainingType, symbols) is not { } maxBatch)
        {
            return;
        }

        var batch = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 2);
        if (maxBatch < 1 || batch?.Value.ConstantValue is not { HasValue: true, Value: int value } || value <= maxBatch)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.OversizedBatch,
            batch.Syntax.GetLocation(),
            method.ContainingType.Name,
            value.ToString(CultureInfo.InvariantCulture),
            maxBatch.ToString(CultureInfo.InvariantCulture)));
    }

    // MaxBatch of a [Model] class as declared (the generator's default when omitted); null for any other type.
    private static int? MaxBatchOf(INamedTypeSymbol type, ModelGenSymbols symbols)
    {
        var model = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.ModelAttribute));
        if (model is null)
        {
            return null;
        }

        var argument = model.NamedArguments.FirstOrDefault(static a => a.Key == "MaxBatch");
        return argument.Value.Value is int maxBatch ? maxBatch : ModelOptionsSpec.DefaultMaxBatch;
    }
}
