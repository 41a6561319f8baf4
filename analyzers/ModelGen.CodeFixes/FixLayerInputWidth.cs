using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Analyzers;

namespace ModelGen.CodeFixes;

/// <summary>MG0001: sets the layer's InFeatures to the previous layer's OutFeatures.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixLayerInputWidth)), Shared]
public sealed class FixLayerInputWidth : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.LayerShapeMismatch);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } node
                || !diagnostic.Properties.TryGetValue(DiagnosticProperties.ExpectedInFeatures, out var text)
                || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var width))
            {
                continue;
            }

            var expression = node as ExpressionSyntax ?? (node as AttributeArgumentSyntax)?.Expression;
            if (expression is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Take {width} inputs, the previous layer's output width",
                    cancellationToken => ReplaceAsync(context.Document, expression, width, cancellationToken),
                    equivalenceKey: nameof(FixLayerInputWidth)),
                diagnostic);
        }
    }

    private static async Task<Document> ReplaceAsync(Document document, ExpressionSyntax expression, int width, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(width))
            .WithTriviaFrom(expression);
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(expression, literal));
    }
}
