using System;
using System.Linq;
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
                || ModelGenSymbols.TryCreate(context.SemanticModel.Compilation) is not { } symbols
                || !IsFirstModelDeclaration(context, type, symbols))
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

    // [Model] on several partial declarations (a compiler error) visits the class once per declaration: keep one, or
    // the second file would reuse the first one's name.
    private static bool IsFirstModelDeclaration(GeneratorAttributeSyntaxContext context, INamedTypeSymbol type, ModelGenSymbols symbols)
    {
        var first = type.GetAttributes()
            .First(attribute => SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, symbols.ModelAttribute))
            .ApplicationSyntaxReference;
        return first is null
            || (first.SyntaxTree == context.TargetNode.SyntaxTree && context.TargetNode.Span.Contains(first.Span));
    }

    private static PlannedModel? PlanModel(ModelSpec? spec, CancellationToken cancellationToken)
    {
        try
        {
            if (spec is null)
            {
                return null;
            }

            if (spec.HasBindingErrors || !ModelValidator.Validate(spec).IsEmpty)
            {
                return StubEmitter.CanEmit(spec) ? new PlannedModel(spec, null) : null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new PlannedModel(spec, ModelPlanner.Plan(spec));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    private static BackendSpec? ParseBackend(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            // A class with [LayerBackend] on several partial declarations is visited once per declaration; the first emits.
            if (context.TargetSymbol is not INamedTypeSymbol type)
            {
                return null;
            }

            var first = type.GetAttributes()
                .First(attribute => attribute.AttributeClass?.ToDisplayString() == ModelGenNames.LayerBackendAttribute)
                .ApplicationSyntaxReference;
            if (first is not null && (first.SyntaxTree != context.TargetNode.SyntaxTree || !context.TargetNode.Span.Contains(first.Span)))
            {
                return null;
            }

            return new BackendSpec(ModelParser.NamespaceOf(type), ModelParser.ParseDeclaration(type, cancellationToken),
                ModelParser.ContainingTypes(type, cancellationToken));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    private static void EmitBackend(SourceProductionContext context, BackendSpec? backend)
    {
        if (backend is not { CanEmit: true } || backend.ContainingTypes.Any(static outer => !TypeScaffold.CanExtend(outer)))
        {
            return;
        }

        context.AddSource(ModelEmitter.HintName(backend.Namespace, backend.ContainingTypes, backend.Type).Replace(".g.cs", ".Backend.g.cs"),
            BackendEmitter.Emit(backend));
    }

    private static void EmitModel(SourceProductionContext context, PlannedModel? model)
    {
        if (model is null)
        {
            return;
        }

        context.CancellationToken.ThrowIfCancellationRequested();
        var source = model.Plan is { } plan ? ModelEmitter.Emit(model.Spec, plan) : StubEmitter.Emit(model.Spec);
        context.AddSource(ModelEmitter.HintName(model.Spec), source);
    }
}
