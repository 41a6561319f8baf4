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
/// MG0007: moves the local declaration that holds the load or allocation to just before the loop. Offered when the
/// creation uses nothing that changes between iterations, the declaration is a statement of the loop's own body (not
/// under an <c>if</c>, which may skip it), and the name is free in the scope it moves to. An array the loop writes into
/// is cleared where it was created, so every iteration still starts from zeros.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixHotLoopAllocation)), Shared]
public sealed class FixHotLoopAllocation : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.HotLoopAllocation);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Hoistable, out var hoistable) || hoistable != "true"
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } creation
                || Declaration(creation) is not { } declaration
                || declaration.Parent is not BlockSyntax body
                || body.Parent is not (ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax) || body.Parent is not StatementSyntax loop
                || loop.Parent is not (BlockSyntax or GlobalStatementSyntax)
                || NameIsTaken(declaration, loop))
            {
                continue;
            }

            var clear = diagnostic.Properties.TryGetValue(DiagnosticProperties.ClearAfterHoist, out var value) && value == "true";
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Move out of the loop",
                    cancellationToken => HoistAsync(context.Document, declaration, loop, clear, cancellationToken),
                    equivalenceKey: nameof(FixHotLoopAllocation)),
                diagnostic);
        }
    }

    // The single-variable local declaration whose initializer is the creation.
    private static LocalDeclarationStatementSyntax? Declaration(SyntaxNode creation) =>
        creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax statement } } }
            ? statement
            : null;

    // Another declaration of the same name in the scope the declaration moves to would clash with it there.
    private static bool NameIsTaken(LocalDeclarationStatementSyntax declaration, SyntaxNode loop)
    {
        var name = declaration.Declaration.Variables[0].Identifier.ValueText;
        var scope = loop.Parent is GlobalStatementSyntax global ? global.Parent! : loop.Parent!;
        return scope.DescendantNodes().Any(node => node != declaration.Declaration.Variables[0] && node switch
        {
            VariableDeclaratorSyntax other => other.Identifier.ValueText == name,
            SingleVariableDesignationSyntax other => other.Identifier.ValueText == name,
            ForEachStatementSyntax other => other.Identifier.ValueText == name,
            ParameterSyntax other => other.Identifier.ValueText == name,
            _ => false,
        });
    }

    private static async Task<Document> HoistAsync(Document document, LocalDeclarationStatementSyntax declaration, StatementSyntax loop, bool clear, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var moved = declaration.WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Formatter.Annotation);
        if (loop.Parent is GlobalStatementSyntax global)
        {
            editor.InsertBefore(global, SyntaxFactory.GlobalStatement(moved).WithAdditionalAnnotations(Formatter.Annotation));
        }
        else
        {
            editor.InsertBefore(loop, moved);
        }

        if (clear)
        {
            // A new array starts zeroed on every iteration; the reused one is cleared where it used to be created.
            var name = declaration.Declaration.Variables[0].Identifier.ValueText;
            var arrayInScope = editor.SemanticModel.GetSpeculativeSymbolInfo(
                declaration.SpanStart, SyntaxFactory.IdentifierName("Array"), SpeculativeBindingOption.BindAsTypeOrNamespace).Symbol
                is ITypeSymbol { SpecialType: SpecialType.System_Array };
            var arrayClear = SyntaxFactory.ParseStatement($"{(arrayInScope ? "Array" : "System.Array")}.Clear({name});");
            editor.ReplaceNode(declaration, arrayClear.WithTriviaFrom(declaration));
        }
        else
        {
            editor.RemoveNode(declaration, SyntaxRemoveOptions.KeepNoTrivia);
        }

        return editor.GetChangedDocument();
    }
}
