using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Analyzers;

namespace ModelGen.CodeFixes;

/// <summary>
/// MG0004: brings a model under its memory budget, either by lowering MaxBatch to the largest batch that fits, or by
/// storing the largest layer at a smaller precision (fp32 -> fp16, fp16/bf16 -> int8).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixMemoryBudget)), Shared]
public sealed class FixMemoryBudget : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.MemoryBudgetExceeded);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            var modelAttribute = root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>();
            var type = modelAttribute?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (modelAttribute is null || type is null)
            {
                continue;
            }

            if (diagnostic.Properties.TryGetValue(DiagnosticProperties.LargestFittingBatch, out var batchText)
                && int.TryParse(batchText, NumberStyles.None, CultureInfo.InvariantCulture, out var batch) && batch > 0)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Set MaxBatch = {batch}, the largest batch that fits",
                        cancellationToken => SetArgumentAsync(context.Document, modelAttribute, "MaxBatch", Number(batch), cancellationToken),
                        equivalenceKey: "SetMaxBatch"),
                    diagnostic);
            }

            if (diagnostic.Properties.TryGetValue(DiagnosticProperties.LargestLayer, out var layerName)
                && diagnostic.Properties.TryGetValue(DiagnosticProperties.LowerPrecision, out var precision)
                && precision is not null
                && DenseAttributeOf(type, layerName) is { } denseAttribute)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Store layer '{layerName}' as {precision}",
                        cancellationToken => SetArgumentAsync(context.Document, denseAttribute, "Precision",
                            SyntaxFactory.ParseExpression("Precision." + precision), cancellationToken),
                        equivalenceKey: "LowerPrecision"),
                    diagnostic);
            }
        }
    }

    private static AttributeSyntax? DenseAttributeOf(TypeDeclarationSyntax type, string? propertyName) =>
        type.Members.OfType<PropertyDeclarationSyntax>()
            .FirstOrDefault(p => p.Identifier.ValueText == propertyName)?
            .AttributeLists.SelectMany(static list => list.Attributes)
            .FirstOrDefault(static a => IsDense(a.Name.ToString()));

    private static bool IsDense(string name) =>
        name is "Dense" or "DenseAttribute"
        || name.EndsWith(".Dense", System.StringComparison.Ordinal)
        || name.EndsWith(".DenseAttribute", System.StringComparison.Ordinal);

    private static ExpressionSyntax Number(int value) =>
        SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value));

    // Replaces the value of the named argument `name = ...`, or appends it.
    private static async Task<Document> SetArgumentAsync(Document document, AttributeSyntax attribute, string name,
        ExpressionSyntax value, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var existing = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        AttributeSyntax updated;
        if (existing is not null)
        {
            updated = attribute.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));
        }
        else
        {
            var argument = SyntaxFactory.AttributeArgument(value)
                .WithNameEquals(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name)));
            var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            updated = attribute.WithArgumentList(list.AddArguments(argument));
        }

        return document.WithSyntaxRoot(root.ReplaceNode(attribute, updated));
    }
}
