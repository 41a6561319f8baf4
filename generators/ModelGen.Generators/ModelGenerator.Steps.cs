using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Emit;
using ModelGen.Generators.Model;

namespace ModelGen.Generators;

public sealed partial class ModelGenerator
{
    // An exception escaping a generator breaks every user's build, so the steps turn failures into "no output".
    private static ModelSpec? ParseModel(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (context.TargetSymbol is not INamedTypeSymbol type
                || ModelGenSymbols.TryCreate(context.SemanticModel.Compilation) is not { } symbols)
            {
                return null;
            }

            return ModelParser.Parse(type, symbols, cancellationToken)?.Spec;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    private static PlannedModel? PlanModel(ModelSpec? spec, CancellationToken cancellationToken)
    {
        try
        {
            if (spec is null || spec.HasBindingErrors || !ModelValidator.Validate(spec).IsEmpty)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new PlannedModel(spec, ModelPlanner.Plan(spec));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    private static void EmitModel(SourceProductionContext context, PlannedModel? model)
    {
        if (model is null)
        {
            return;
        }

        context.CancellationToken.ThrowIfCancellationRequested();
        context.AddSource(ModelEmitter.HintName(model.Spec), ModelEmitter.Emit(model.Spec, model.Plan));
    }
}
