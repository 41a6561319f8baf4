using System.Collections.Immutable;
using System.Composition;
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

/// <summary>MG0005: calls <c>ForwardInBatches</c> (same arguments), which runs micro-batches of at most MaxBatch.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixOversizedBatch)), Shared]
public sealed class FixOversizedBatch : CodeFixProvider
{
    private const string Runtime = "ModelGen";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.OversizedBatch);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } invocation)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Run micro-batches with ForwardInBatches",
                    cancellationToken => UseForwardInBatchesAsync(context.Document, invocation, cancellationToken),
                    equivalenceKey: nameof(FixOversizedBatch)),
                diagnostic);
        }
    }

    private static async Task<Document> UseForwardInBatchesAsync(Document document, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        if (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is not CompilationUnitSyntax root)
        {
            return document;
        }

        var name = SyntaxFactory.IdentifierName("ForwardInBatches");
        ExpressionSyntax target = invocation.Expression switch
        {
            MemberAccessExpressionSyntax member => member.WithName(name),
            // Forward(...) inside the model itself: an extension method needs an explicit receiver.
            _ => SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, SyntaxFactory.ThisExpression(), name),
        };
        root = root.ReplaceNode(invocation, invocation.WithExpression(target.WithTriviaFrom(invocation.Expression)));
        if (!root.Usings.Any(static u => u.Name?.ToString() == Runtime))
        {
            root = root.AddUsings(SyntaxFactory.UsingDirective(SyntaxFactory.IdentifierName(Runtime)).NormalizeWhitespace()
                .WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed));
        }

        return document.WithSyntaxRoot(root);
    }
}
