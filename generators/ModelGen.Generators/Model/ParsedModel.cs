namespace ModelGen.Generators.Model;

/// <summary>What <see cref="ModelParser"/> returns: the value-only spec and, kept apart from it, the way back to the source.</summary>
/// <param name="Spec">The model as plain values; the only part that enters the generator's pipeline.</param>
/// <param name="Sources">Maps problems to source locations; used by the analyzer only.</param>
internal sealed record ParsedModel(ModelSpec Spec, ModelSourceMap Sources);
