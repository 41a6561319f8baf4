using ModelGen.Kernels;

namespace ModelGen.IO;

/// <summary>Checking the generated layout against the block before any memory is touched.</summary>
public static partial class DenseModelIO
{
    /// <summary>
    /// Checks the generated layout before any memory is touched: unique names, positive sizes, a scheme the runtime
    /// knows with consistent parameters, every packed tensor 64-byte aligned inside the block, no two overlapping, and
    /// no offset set for a tensor the scheme does not have.
    /// </summary>
    private static void CheckLayout(string modelName, ReadOnlySpan<DenseLayer> layers, long blockBytes)
    {
        if (blockBytes is < 0 or > int.MaxValue)
        {
            throw LayoutError(modelName, $"a weight block of {blockBytes} bytes is outside 0..{int.MaxValue}");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var regions = new List<(long Start, long End, string What)>();
        foreach (DenseLayer layer in layers)
        {
            ArgumentNullException.ThrowIfNull(layer, nameof(layers));
            if (!names.Add(layer.Name))
            {
                throw LayoutError(modelName, $"layer '{layer.Name}' appears twice");
            }

            if (SchemeProblem(layer) is { } problem)
            {
                throw LayoutError(modelName, $"layer '{layer.Name}' {problem}");
            }

            var present = new HashSet<TensorRole>();
            foreach (PackedTensor tensor in DenseLayout.Tensors(layer))
            {
                present.Add(tensor.Role);
                AddRegion(regions, modelName, layer, tensor, blockBytes);
            }

            foreach (var (role, offset) in new[] { (TensorRole.Scale, layer.ScaleOffset), (TensorRole.Structure, layer.StructureOffset),
                (TensorRole.Min, layer.MinOffset), (TensorRole.Codebook, layer.CodebookOffset), (TensorRole.InputScale, layer.InputScaleOffset) })
            {
                if (offset != -1 && !present.Contains(role))
                {
                    throw LayoutError(modelName, $"layer '{layer.Name}' ({layer.Storage}) has a {role} offset but no such tensor");
                }
            }
        }

        regions.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (int i = 1; i < regions.Count; i++)
        {
            if (regions[i].Start < regions[i - 1].End)
            {
                throw LayoutError(modelName, $"the {regions[i].What} overlaps the {regions[i - 1].What}");
            }
        }
    }

    /// <summary>What is wrong with a layer's shape and scheme parameters, or null (the generator's validator rules).</summary>
    private static string? SchemeProblem(DenseLayer layer)
    {
        if (layer.InFeatures <= 0 || layer.OutFeatures <= 0)
            return $"has {layer.InFeatures} -> {layer.OutFeatures} features";
        if (layer.InFeatures > layer.SourceInFeatures || layer.OutFeatures > layer.SourceOutFeatures)
            return $"computes {layer.InFeatures} -> {layer.OutFeatures} features from a {layer.SourceInFeatures} -> {layer.SourceOutFeatures} source";
        if (!Enum.IsDefined(layer.Precision) || !Enum.IsDefined(layer.Pruning) || !Enum.IsDefined(layer.InputQuantization) || !Enum.IsDefined(layer.ChannelNorm))
            return "has an undefined precision, pruning, input quantization or channel norm";
        if (DenseLayout.IsInt4(layer.Precision) != (layer.GroupSize != 0))
            return $"is {layer.Precision} with group size {layer.GroupSize}";
        if (layer.GroupSize is not (0 or 32 or 64 or 128))
            return $"has group size {layer.GroupSize}, which is not 32, 64 or 128";
        if (layer.Pruning != Pruning.None && layer.Precision is not (Precision.Float32 or Precision.Int8))
            return $"is {layer.Precision} with {layer.Pruning} pruning (only Float32 and Int8 prune)";
        if ((layer.Pruning == Pruning.Magnitude) != (layer.Sparsity != 0) || layer.Sparsity is < 0 or >= 1 || double.IsNaN(layer.Sparsity))
            return $"has sparsity {layer.Sparsity} with {layer.Pruning} pruning";
        if (layer.StoredSparse && layer.Pruning != Pruning.Magnitude)
            return "is stored sparse without magnitude pruning";
        if (layer.InputQuantization == InputQuantization.Static && (layer.Precision != Precision.Int8 || layer.Pruning != Pruning.None))
            return "has a static input scale but is not a dense Int8 layer";
        return null;
    }

    private static void AddRegion(List<(long Start, long End, string What)> regions, string modelName, DenseLayer layer,
        PackedTensor tensor, long blockBytes)
    {
        string name = $"tensor '{layer.Name}{tensor.Suffix}'";
        if (tensor.Offset < 0)
        {
            throw LayoutError(modelName, $"layer '{layer.Name}' has no offset for its {name}");
        }

        if (tensor.Offset % DenseLayout.Alignment != 0)
        {
            throw LayoutError(modelName, $"the {name} starts at offset {tensor.Offset}, not a multiple of {DenseLayout.Alignment}");
        }

        if (tensor.Offset + tensor.Bytes > blockBytes)
        {
            throw LayoutError(modelName, $"the {name} ({tensor.Bytes} bytes at offset {tensor.Offset}) does not fit the {blockBytes}-byte weight block");
        }

        regions.Add((tensor.Offset, tensor.Offset + tensor.Bytes, name));
    }

    private static InvalidOperationException LayoutError(string modelName, string problem) =>
        new($"The generated weight layout of model '{modelName}' is inconsistent: {problem}. " +
            "Rebuild the project so the generated code matches this ModelGen runtime.");
}
