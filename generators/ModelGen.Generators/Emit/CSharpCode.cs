using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Generators.Emit;

/// <summary>Turns names and values into C# tokens.</summary>
internal static class CSharpCode
{
    /// <summary>An identifier, prefixed with <c>@</c> when it is a keyword (a property declared as <c>@class</c>).</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    /// <summary>A dotted namespace name with each part escaped.</summary>
    public static string Namespace(string name) => string.Join(".", name.Split('.').Select(Identifier));

    /// <summary>A quoted, escaped string literal.</summary>
    public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
