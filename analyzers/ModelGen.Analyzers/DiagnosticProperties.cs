namespace ModelGen.Analyzers;

/// <summary>Keys of the properties diagnostics carry for their code fixes.</summary>
internal static class DiagnosticProperties
{
    /// <summary>MG0001: the previous layer's output width, which the flagged InFeatures should be.</summary>
    public const string ExpectedInFeatures = "ExpectedInFeatures";
}
