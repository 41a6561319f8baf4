namespace ModelGen.Generators.Model;

/// <summary>One reason a model cannot be generated.</summary>
/// <param name="Rule">Which rule it breaks.</param>
/// <param name="Target">What in the source it points at.</param>
/// <param name="MessageArgs">The arguments of the rule's message format.</param>
internal sealed record ModelProblem(ModelRule Rule, ProblemTarget Target, EquatableArray<string> MessageArgs);
