namespace ModelGen.Generators.Model;

/// <summary>A class, struct, record or interface declaration: the model class itself or one it is nested in.</summary>
/// <param name="Name">Type name without type parameters, as in metadata (no <c>@</c>).</param>
/// <param name="Keyword"><c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Modifiers">Modifiers of the first declaration, space-separated (<c>public static partial</c>).</param>
/// <param name="IsPartial">Whether every declaration has the <c>partial</c> modifier.</param>
/// <param name="IsGeneric">Whether the type has type parameters.</param>
/// <param name="IsStatic">Whether the type is static.</param>
/// <param name="IsAbstract">Whether the type is abstract (static classes excluded).</param>
/// <param name="IsFileLocal">Whether the type is <c>file</c>-local, so no other file can extend it.</param>
internal sealed record TypeDeclarationSpec(
    string Name,
    string Keyword,
    string Modifiers,
    bool IsPartial,
    bool IsGeneric,
    bool IsStatic,
    bool IsAbstract,
    bool IsFileLocal);
