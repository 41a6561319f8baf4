namespace ModelGen.IO;

/// <summary>Checking the generated layout against the block before any memory is touched.</summary>
public static partial class DenseModelIO
{
    /// <summary>
    /// Checks the generated layout before any memory is touched: unique names, positive sizes, every tensor 64-byte
    /// aligned inside the block, no two tensors overlapping, scales exactly for Int8 layers.
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

            if (layer.InFeatures <= 0 || layer.OutFeatures <= 0)
            {
                throw LayoutError(modelName, $"layer '{layer.Name}' has {layer.InFeatures} -> {layer.OutFeatures} features");
            }

            AddRegion(regions, modelName, layer, "weights", layer.WeightOffset, layer.WeightMatrixBytes, blockBytes);
            if (layer.Precision == Precision.Int8)
            {
                AddRegion(regions, modelName, layer, "scales", layer.ScaleOffset, 4L * layer.OutFeatures, blockBytes);
            }
            else if (layer.ScaleOffset != -1)
            {
                throw LayoutError(modelName, $"layer '{layer.Name}' is {layer.Precision} but has a scale offset");
            }

            if (layer.HasBias)
            {
                AddRegion(regions, modelName, layer, "bias", layer.BiasOffset, 4L * layer.OutFeatures, blockBytes);
            }
        }

        regions.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (int i = 1; i < regions.Count; i++)
        {
            if (regions[i].Start < regions[i - 1].End)
            {
                throw LayoutError(modelName, $"the {regions[i].What} overlap the {regions[i - 1].What}");
            }
        }
    }

    private static void AddRegion(List<(long Start, long End, string What)> regions, string modelName, DenseLayer layer,
        string what, int offset, long bytes, long blockBytes)
    {
        string name = $"{what} of layer '{layer.Name}'";
        if (offset < 0)
        {
            throw LayoutError(modelName, $"layer '{layer.Name}' has no {what} offset");
        }

        if (offset % DenseLayout.Alignment != 0)
        {
            throw LayoutError(modelName, $"the {name} start at offset {offset}, not a multiple of {DenseLayout.Alignment}");
        }

        if (offset + bytes > blockBytes)
        {
            throw LayoutError(modelName, $"the {name} ({bytes} bytes at offset {offset}) do not fit the {blockBytes}-byte weight block");
        }

        regions.Add((offset, offset + bytes, name));
    }

    private static InvalidOperationException LayoutError(string modelName, string problem) =>
        new($"The generated weight layout of model '{modelName}' is inconsistent: {problem}. " +
            "Rebuild the project so the generated code matches this ModelGen runtime.");
}
