namespace ModelGen.Analyzers;

/// <summary>MG0006: how an owned instance is lost; the code fix picks its action by it.</summary>
internal static class UndisposedKind
{
    /// <summary>A local that is not disposed on every path.</summary>
    public const string Local = "Local";

    /// <summary>A result nobody keeps.</summary>
    public const string Discarded = "Discarded";

    /// <summary>An instance field its type does not dispose.</summary>
    public const string Field = "Field";
}
