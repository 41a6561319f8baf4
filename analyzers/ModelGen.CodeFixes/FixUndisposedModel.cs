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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using ModelGen.Analyzers;

namespace ModelGen.CodeFixes;

/// <summary>
/// MG0006: a local gets <c>using var</c>; a field gets disposed in its type's <c>Dispose()</c> (created, with
/// <c>IDisposable</c>, when the type has none). A discarded result has no fix: the instance was never kept.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixUndisposedModel)), Shared]
public sealed class FixUndisposedModel : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.UndisposedModel);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            var creation = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (creation is null || !diagnostic.Properties.TryGetValue(DiagnosticProperties.UndisposedKind, out var kind))
            {
                continue;
            }

            if (kind == UndisposedKind.Local && UsingCandidate(creation) is { } declaration)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Add 'using'",
                        cancellationToken => AddUsingAsync(context.Document, declaration, cancellationToken),
                        equivalenceKey: "AddUsing"),
                    diagnostic);
            }
            else if (kind == UndisposedKind.Field
                && diagnostic.Properties.TryGetValue(DiagnosticProperties.UndisposedField, out var field) && field is not null
                && await DisposeFieldActionAsync(context.Document, creation, field, context.CancellationToken).ConfigureAwait(false) is { } action)
            {
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    // `var m = X.Load(...);` alone in its declaration, a statement of a block, never written again (a using local is read-only).
    private static LocalDeclarationStatementSyntax? UsingCandidate(SyntaxNode creation)
    {
        if (creation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax statement }
            || statement.Parent is not BlockSyntax block
            || !statement.UsingKeyword.IsKind(SyntaxKind.None) || statement.IsConst
            || ((CSharpParseOptions)statement.SyntaxTree.Options).LanguageVersion < LanguageVersion.CSharp8)
        {
            return null;
        }

        var name = declarator.Identifier.ValueText;
        var written = block.DescendantNodes().Any(node => node switch
        {
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax target } => target.Identifier.ValueText == name,
            ArgumentSyntax { RefKindKeyword.RawKind: not 0, Expression: IdentifierNameSyntax argument } => argument.Identifier.ValueText == name,
            _ => false,
        });
        return written ? null : statement;
    }

    private static async Task<Document> AddUsingAsync(Document document, LocalDeclarationStatementSyntax statement, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var updated = statement.WithoutLeadingTrivia()
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space))
            .WithLeadingTrivia(statement.GetLeadingTrivia());
        return document.WithSyntaxRoot(root.ReplaceNode(statement, updated));
    }

    private static async Task<CodeAction?> DisposeFieldActionAsync(Document document, SyntaxNode creation, string fieldName,
        CancellationToken cancellationToken)
    {
        var semanticModel = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (semanticModel is null
            || creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } typeDeclaration
            || semanticModel.GetDeclaredSymbol(typeDeclaration, cancellationToken) is not { } type
            || type.GetMembers(fieldName).OfType<IFieldSymbol>().FirstOrDefault() is not { } field)
        {
            return null;
        }

        var title = $"Dispose '{fieldName}' in Dispose()";
        var disposeCall = DisposeStatement(field);
        var dispose = type.GetMembers()
            .OfType<IMethodSymbol>()
            .FirstOrDefault(static m => m.Parameters.IsEmpty && m.ReturnsVoid && !m.IsStatic
                && (m.Name == "Dispose" || m.ExplicitInterfaceImplementations.Any(static i => i.Name == "Dispose")));
        if (dispose is not null)
        {
            if (dispose.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax method
                || method.Body is null && method.ExpressionBody is null
                || document.Project.Solution.GetDocument(method.SyntaxTree) is not { } disposeDocument)
            {
                return null;
            }

            return CodeAction.Create(
                title,
                async cancellationToken => await AppendToDisposeAsync(disposeDocument, method, disposeCall, cancellationToken).ConfigureAwait(false),
                equivalenceKey: "DisposeField");
        }

        var disposable = semanticModel.Compilation.GetSpecialType(SpecialType.System_IDisposable);
        if (type.AllInterfaces.Contains(disposable, SymbolEqualityComparer.Default))
        {
            return null; // Dispose is inherited: where this field belongs in it is the author's call.
        }

        return CodeAction.Create(
            title,
            cancellationToken => ImplementDisposableAsync(document, typeDeclaration, disposeCall, cancellationToken),
            equivalenceKey: "DisposeField");
    }

    // `_field.Dispose();`, or `_field?.Dispose();` for a field declared nullable.
    private static StatementSyntax DisposeStatement(IFieldSymbol field)
    {
        var name = SyntaxFactory.IdentifierName(field.Name);
        var dispose = SyntaxFactory.IdentifierName("Dispose");
        ExpressionSyntax call = field.NullableAnnotation == NullableAnnotation.Annotated || field.Type.IsValueType
            ? SyntaxFactory.ConditionalAccessExpression(name,
                SyntaxFactory.InvocationExpression(SyntaxFactory.MemberBindingExpression(dispose)))
            : SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, name, dispose));
        return SyntaxFactory.ExpressionStatement(call);
    }

    private static async Task<Solution> AppendToDisposeAsync(Document document, MethodDeclarationSyntax method, StatementSyntax disposeCall,
        CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document.Project.Solution;
        }

        var updated = method.Body is { } body
            ? method.WithBody(body.AddStatements(disposeCall.WithAdditionalAnnotations(Formatter.Annotation)))
            : method
                .WithExpressionBody(null)
                .WithSemicolonToken(default)
                .WithBody(SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(method.ExpressionBody!.Expression), disposeCall))
                .WithTrailingTrivia(method.GetTrailingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root.ReplaceNode(method, updated)).Project.Solution;
    }

    // Adds `: global::System.IDisposable` (simplified to what the file's usings allow) and `public void Dispose()`.
    private static async Task<Document> ImplementDisposableAsync(Document document, TypeDeclarationSyntax type, StatementSyntax disposeCall,
        CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var disposable = SyntaxFactory.SimpleBaseType(
            SyntaxFactory.ParseTypeName("global::System.IDisposable").WithAdditionalAnnotations(Simplifier.Annotation));
        var method = SyntaxFactory.MethodDeclaration(SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.VoidKeyword)), "Dispose")
            .AddModifiers(SyntaxFactory.Token(SyntaxKind.PublicKeyword))
            .WithBody(SyntaxFactory.Block(disposeCall))
            .WithAdditionalAnnotations(Formatter.Annotation);

        var updated = type.AddMembers(method);
        if (updated.BaseList is not null)
        {
            updated = (TypeDeclarationSyntax)updated.AddBaseListTypes(disposable);
        }
        else
        {
            // `class Owner<T>(int x)` + ` : IDisposable`, keeping the line break that preceded the body or constraints.
            var last = updated.ParameterList?.GetLastToken() ?? updated.TypeParameterList?.GetLastToken() ?? updated.Identifier;
            var trailing = last.TrailingTrivia;
            updated = updated.ReplaceToken(last, last.WithTrailingTrivia());
            updated = updated.WithBaseList(SyntaxFactory.BaseList(SyntaxFactory.SingletonSeparatedList<BaseTypeSyntax>(disposable))
                .WithColonToken(SyntaxFactory.Token(SyntaxKind.ColonToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space))
                .WithTrailingTrivia(trailing));
        }

        return document.WithSyntaxRoot(root.ReplaceNode(type, updated));
    }
}
