namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// One tensor of a graph model's activation block to place: its size for one sample and the plan steps it is live.
/// The planner tolerates odd values rather than throwing (the generator never throws): a negative size counts as zero
/// and a <paramref name="LastStep"/> before <paramref name="FirstStep"/> as <paramref name="FirstStep"/>.
/// </summary>
/// <param name="Id">Identifies the tensor in <see cref="TensorPlacement"/> and <paramref name="InPlaceOf"/>.</param>
/// <param name="BytesPerSample">Bytes for one sample; rounded up to the 64-byte alignment when placed.</param>
/// <param name="FirstStep">The plan step that writes the tensor.</param>
/// <param name="LastStep">The last step that reads it, inclusive; equal to <paramref name="FirstStep"/> for scratch used only by its step.</param>
/// <param name="InPlaceOf">
/// Id of a tensor whose space this one may take (an element-wise op writing over its input) when that tensor's
/// <paramref name="LastStep"/> equals this one's <paramref name="FirstStep"/>; -1 when none. A tensor's space is given
/// to at most one writer: the first valid claim in list order; other claims are ignored.
/// </param>
internal readonly record struct TensorLifetime(int Id, long BytesPerSample, int FirstStep, int LastStep, int InPlaceOf = -1);
