using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generators.Model;

namespace ModelGen.Generators;

/// <summary>
/// Generates the loading, saving, <c>Forward</c> and memory-report members of every <c>[Model]</c> class, and the
/// <c>ILayerBackend</c> skeleton of every <c>[LayerBackend]</c> class.
/// Pipeline: parse (symbols -> <see cref="ModelSpec"/>) -> validate and plan (-> <see cref="PlannedModel"/>) -> emit.
/// An invalid model gets no members (only placeholder layer properties, when it can hold them): the analyzer reports why.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelGenNames.ModelAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (attributeContext, cancellationToken) => ParseModel(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.ModelSpecs)
            .Select(static (spec, cancellationToken) => PlanModel(spec, cancellationToken))
            .WithTrackingName(TrackingNames.PlannedModels);

        context.RegisterSourceOutput(models, static (output, model) => EmitModel(output, model));

        var backends = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelGenNames.LayerBackendAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (attributeContext, cancellationToken) => ParseBackend(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.BackendSpecs);
        context.RegisterSourceOutput(backends, static (output, backend) => EmitBackend(output, backend));
    }
}
