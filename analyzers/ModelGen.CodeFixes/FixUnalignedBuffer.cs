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
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using ModelGen.Analyzers;

namespace ModelGen.CodeFixes;

/// <summary>
/// MG0008: <c>NativeMemory.Alloc(size)</c> becomes <c>NativeMemory.AlignedAlloc(size, 64)</c>, and every
/// <c>NativeMemory.Free(p)</c> of the same local in the method <c>NativeMemory.AlignedFree(p)</c> (memory from
/// AlignedAlloc must be freed with AlignedFree). <c>AllocZeroed(size)</c> also gets a <c>NativeMemory.Clear(p, size)</c>
/// after it, since AlignedAlloc does not zero; that needs a size expression that reads the same twice. Offered only when
/// the pointer is held in a local (its frees can then be found) and the size is one argument.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixUnalignedBuffer)), Shared]
public sealed class FixUnalignedBuffer : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.UnalignedBuffer);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (model is null
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax
                {
                    Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Alloc" or "AllocZeroed" } access,
                    ArgumentList.Arguments.Count: 1,
                } allocation
                || HolderOf(allocation, model, context.CancellationToken) is not { } holder)
            {
                continue;
            }

            var zeroed = access.Name.Identifier.ValueText == "AllocZeroed";
            if (zeroed && (!ReadsTheSameTwice(allocation.ArgumentList.Arguments[0].Expression) || holder.Statement.Parent is not BlockSyntax))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Use 64-byte aligned allocation",
                    cancellationToken => AlignAsync(context.Document, allocation, holder.Local, holder.Statement, zeroed, cancellationToken),
                    equivalenceKey: nameof(FixUnalignedBuffer)),
                diagnostic);
        }
    }

    // The local the allocation is stored in (declaration or assignment, through casts) and the statement that does it.
    private static (ILocalSymbol Local, StatementSyntax Statement)? HolderOf(SyntaxNode allocation, SemanticModel model, CancellationToken cancellationToken)
    {
        var value = allocation;
        while (value.Parent is CastExpressionSyntax or ParenthesizedExpressionSyntax)
        {
            value = value.Parent;
        }

        switch (value.Parent)
        {
            case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
                when declarator.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { } statement
                && model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol local:
                return (local, statement);
            case AssignmentExpressionSyntax { Parent: ExpressionStatementSyntax statement } assignment
                when assignment.Right == value && model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is ILocalSymbol local:
                return (local, statement);
            default:
                return null;
        }
    }

    // Names, literals, sizeof, casts and arithmetic of them: evaluating the expression again gives the same size.
    private static bool ReadsTheSameTwice(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax or LiteralExpressionSyntax or SizeOfExpressionSyntax => true,
        MemberAccessExpressionSyntax member => ReadsTheSameTwice(member.Expression),
        CastExpressionSyntax cast => ReadsTheSameTwice(cast.Expression),
        ParenthesizedExpressionSyntax parenthesized => ReadsTheSameTwice(parenthesized.Expression),
        CheckedExpressionSyntax @checked => ReadsTheSameTwice(@checked.Expression),
        BinaryExpressionSyntax binary => ReadsTheSameTwice(binary.Left) && ReadsTheSameTwice(binary.Right),
        _ => false,
    };

    private static async Task<Document> AlignAsync(Document document, InvocationExpressionSyntax allocation, ILocalSymbol local,
        StatementSyntax statement, bool zeroed, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var access = (MemberAccessExpressionSyntax)allocation.Expression;
        var size = allocation.ArgumentList.Arguments[0];
        var sixtyFour = SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(64)));
        editor.ReplaceNode(allocation, allocation
            .WithExpression(access.WithName(SyntaxFactory.IdentifierName("AlignedAlloc")))
            .WithArgumentList(SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList([size, sixtyFour]))));

        if (zeroed)
        {
            // AlignedAlloc leaves the memory as it finds it; AllocZeroed's callers may rely on zeros.
            var clear = SyntaxFactory.ParseStatement($"{access.Expression}.Clear({local.Name}, {size.Expression});")
                .WithAdditionalAnnotations(Formatter.Annotation);
            editor.InsertAfter(statement, clear);
        }

        // Every NativeMemory.Free of this local in the same member (or top-level program).
        var member = (SyntaxNode?)statement.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? statement.SyntaxTree.GetRoot(cancellationToken);
        foreach (var free in member.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (free.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Free" } freeAccess
                && free.ArgumentList.Arguments.Count == 1
                && editor.SemanticModel.GetSymbolInfo(free, cancellationToken).Symbol is IMethodSymbol { ContainingType.Name: "NativeMemory" }
                && editor.SemanticModel.GetSymbolInfo(Unwrap(free.ArgumentList.Arguments[0].Expression), cancellationToken).Symbol is ILocalSymbol freed
                && SymbolEqualityComparer.Default.Equals(freed, local))
            {
                editor.ReplaceNode(freeAccess.Name, SyntaxFactory.IdentifierName("AlignedFree").WithTriviaFrom(freeAccess.Name));
            }
        }

        return editor.GetChangedDocument();
    }

    private static ExpressionSyntax Unwrap(ExpressionSyntax expression) => expression switch
    {
        CastExpressionSyntax cast => Unwrap(cast.Expression),
        ParenthesizedExpressionSyntax parenthesized => Unwrap(parenthesized.Expression),
        _ => expression,
    };
}
